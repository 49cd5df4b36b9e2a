"""What every builder shares: the view it builds for, what it returns, names and suppression helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl

from dashboard import db, privacy
from dashboard.choices import value_names
from dashboard.filters import (
    FILTERS,
    MUNICIPALITY,
    QUARTER,
    QUARTER_FROM,
    REGION,
    Filter,
    Filters,
    ProjectChoices,
)
from dashboard.i18n import I18n

# How a table column is shown: count (client count, ".." when hidden), number (never hidden, e.g.
# participations), share (percentage, "–" when hidden), date, datetime (Finnish time, unlabelled: its
# header says "Finnish time"), text.
KINDS = ("count", "number", "share", "date", "datetime", "text")


@dataclass(frozen=True)
class View:
    """What a builder builds for: the filters, the language and what the project offers."""

    filters: Filters
    tr: I18n
    choices: ProjectChoices

    @property
    def min_cell(self) -> int:
        return self.tr.min_cell


@dataclass(frozen=True)
class Column:
    """A shown table column: its header in the reader's language and how its values are formatted."""

    header: str
    kind: str = "text"


@dataclass(frozen=True)
class Metric:
    """One headline figure as st.metric shows it."""

    label: str
    value: str
    delta: str | None = None
    help: str | None = None
    delta_color: str = "normal"  # "off" where growth is neither good nor bad news


@dataclass
class Built:
    """A built figure: the table as shown (suppressed, labelled), its chart and a caption."""

    title: str
    data: pl.DataFrame
    columns: dict[str, Column]  # shown columns, in order; other columns of ``data`` are helpers
    chart: go.Figure | None = None  # Plotly; a "figure" elsewhere is a reported number
    caption: str = ""
    notes: list[str] = field(default_factory=list)
    sources: tuple[str, ...] = ()  # the named queries it read (``ui.cached`` notes them; ``db.reads``)

    def table(self) -> pl.DataFrame:
        """Return the shown columns only, under their internal names."""
        return self.data.select(list(self.columns))

    def text_table(self, tr: I18n) -> pl.DataFrame:
        """Return the table as the reader sees it: formatted text under translated headers (for exports)."""
        out = {}
        for name, col in self.columns.items():
            out[col.header] = [format_value(tr, col.kind, v) for v in self.data[name].to_list()]
        return pl.DataFrame(out, schema=dict.fromkeys(out, pl.String))


def format_value(tr: I18n, kind: str, value: object) -> str:
    """Format one cell by its column kind."""
    if kind == "count":
        return tr.count(value)  # type: ignore[arg-type]
    if kind == "number":
        return tr.number(value)  # type: ignore[arg-type]
    if kind == "share":
        return tr.share(value)  # type: ignore[arg-type]
    if kind == "date":
        return tr.date(value)  # type: ignore[arg-type]
    if kind == "datetime":  # Finnish time; the column's header says so ("Aika (Suomen aika)")
        return tr.datetime(value, labelled=False)  # type: ignore[arg-type]
    return "" if value is None else str(value)


def places(view: View) -> pl.DataFrame:
    """Return the project's municipalities with names in the view's language (municipality, region)."""
    return db.places(view.filters.project, view.tr)


def labelled(df: pl.DataFrame, view: View, column: str, category: str, alias: str = "label") -> pl.DataFrame:
    """Add ``alias``: the category label of each code in ``column`` in the view's language."""
    return df.with_columns(_mapped(df[column], lambda code: view.tr.label(category, code)).alias(alias))


def _mapped(values: pl.Series, name: Callable[[object], str]) -> pl.Series:
    """Name each value of ``values`` by ``name``, calling it once per distinct value (tables repeat few)."""
    distinct = values.unique(maintain_order=True).to_list()
    mapping = {v: name(v) for v in distinct if v is not None}
    missing = name(None) if None in distinct else None
    named = values.replace_strict(list(mapping), list(mapping.values()), default=None, return_dtype=pl.String)
    return named.fill_null(missing) if missing is not None else named


def mapped(df: pl.DataFrame, column: str, name: Callable[[object], str], alias: str) -> pl.DataFrame:
    """Add ``alias``: ``name`` of each value in ``column`` (``name(None)`` for a missing one)."""
    return df.with_columns(_mapped(df[column], name).alias(alias))


def texts(
    df: pl.DataFrame, view: View, column: str, kind: str = "count", alias: str | None = None
) -> pl.DataFrame:
    """Add ``<column>_text`` (or ``alias``): each value formatted as the table shows it."""
    values = [format_value(view.tr, kind, v) for v in df[column].to_list()]
    return df.with_columns(pl.Series(alias or f"{column}_text", values, dtype=pl.String))


def suppress_lines(df: pl.DataFrame, lines: Sequence[Sequence[str]], view: View, count: str = "n_clients"):
    """Suppress a table along every line whose total the page shows (e.g. municipality, region, project).

    ``privacy.suppress_table`` covers a row and a column margin; a municipality table that also shows
    wellbeing-region subtotals has a third kind of line, so this calls the module's general rule with
    all three. Same rule, same output convention (null count, ``is_suppressed_<count>`` flag).
    """
    return privacy._suppress(df, count, view.min_cell, [list(line) for line in lines])


def hide_if(df: pl.DataFrame, flag: str, columns: Sequence[str]) -> pl.DataFrame:
    """Null ``columns`` where ``flag`` is set (shares and intervals of a hidden count)."""
    return privacy.hide_shares(df, list(columns), flag)


def flag(count: str = "n_clients") -> str:
    """Name the flag column that marks the hidden cells of ``count``."""
    return privacy.suppressed_flag(count)


def shown(view: View, dims: Mapping[str, object] | None = None, **more: object) -> int | None:
    """The count of a declared cell as the privacy decision shows it: ``None`` when hidden (issue 15).

    ``dims`` (and keyword ``more``) are relative to the view: its filters and quarter are added, so
    ``shown(view, is_active=True)`` is the view's active clients. The cell must be one of those
    ``privacy.release.view_tables`` declares for the view (a ``KeyError`` otherwise: what a page shows is
    declared, so the JSON export and the audit see it too).
    """
    from dashboard.privacy import release, store

    f = view.filters
    cell = release.base_dims(f) | {"quarter": f.quarter} | dict(dims or {}) | more
    return store.view_decision(f, view.choices, view.min_cell)[1].value(cell)


def refused(view: View, table: str) -> bool:
    """Whether the privacy decision refuses table ``<page>.<table>`` of the view: not drawn at all."""
    from dashboard.privacy import store

    return table in store.view_decision(view.filters, view.choices, view.min_cell)[1].refused


def stated(view: View, with_range: bool = False) -> list[tuple[Filter, str]]:
    """Return each filter a view's text states, in the declared order, with the name of its value.

    The set filters that say what the figures count (``Filter.part``); with ``with_range`` the quarter is
    the range, under the range's label ("2023Q1–2023Q3"). The stamp (``export.stamp.filter_text``) and
    the page caption (``describe``) both say these.
    """
    f, out = view.filters, []
    for d in FILTERS:
        value = getattr(f, d.field)
        if d is QUARTER and with_range:
            out.append((QUARTER_FROM, f"{f.quarter_from}–{f.quarter}"))
        elif d.part and value:
            out.append((d, value_names(d, f.project, view.tr)(value)))
    return out


def describe(view: View, with_range: bool = False) -> str:
    """Say in one line what the figures describe: project, narrowing filters and the quarter (or range).

    What ``stated`` states, without labels: the municipality instead of its region, and the quarter last,
    as its end date ("Tilanne 30.9.2023 (2023Q3)").
    """
    tr, f = view.tr, view.filters
    named = {d.field: name for d, name in stated(view, with_range)}
    if MUNICIPALITY.field in named:
        named.pop(REGION.field, None)
    quarter, span = named.pop(QUARTER.field, None), named.pop(QUARTER_FROM.field, None)
    parts = list(named.values())
    if span:
        parts.append(span)
    elif quarter:
        quarters = db.query("project_quarters", project=f.project).filter(pl.col("quarter") == f.quarter)
        if quarters.height:
            date = tr.date(quarters["quarter_end_date"][0])
            parts.append(tr.t("common.situation_at", date=date, quarter=f.quarter))
    return " · ".join(parts)
