"""The summary slides: one message each, built by the pages' own builders for the presenter mode and decks.

Headline figures -> municipality comparison -> professional participations -> pathway outcomes -> EU
output indicators -> EU result indicators -> projects. Every number on a slide comes from the builder the
page uses with the same view, so the presenter mode, the PPTX, the PDF and the summary workbook show what
the pages show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from dashboard import settings
from dashboard.builders import (
    Built,
    Column,
    View,
    about,
    eu_indicators,
    municipalities,
    overview,
    participations,
    pathways,
    projects,
)
from dashboard.builders.overview import Metric
from dashboard.export.stamp import project_name
from dashboard.i18n import I18n

SMALL_MARK = "*"  # what the municipality chart puts after a small group's name (builders.municipalities)


@dataclass(frozen=True)
class Slide:
    """One screen: a title, its one message, big numbers, and a built figure (its chart, else its table)."""

    key: str
    title: str
    message: str
    metrics: list[Metric] = field(default_factory=list)
    built: Built | None = None
    sheet: Built | None = None  # the whole table for a workbook, when the slide shows part of it


def headline_table(view: View) -> Built:
    """Return the headline figures as a table (counts as numbers) for workbooks."""
    tr, h = view.tr, overview.headline_at(view, view.filters.quarter)
    assert h is not None
    rows = [
        ("figure.n_clients", h.n_clients, None),
        ("figure.n_coaches", h.n_coaches, None),
        ("figure.n_progressed", h.n_progressed, h.share(h.n_progressed)),
        ("figure.n_not_progressed", h.n_not_progressed, h.share(h.n_not_progressed)),
        ("overview.participations_short", h.n_participations, None),
    ]
    data = pl.DataFrame(
        {
            "label": [tr.t(k) for k, _, _ in rows],
            "value": [v for _, v, _ in rows],
            "share": [s for *_, s in rows],
        },
        schema={"label": pl.String, "value": pl.Int64, "share": pl.Float64},
    )
    columns = {"label": Column(tr.t("export.figure")), "value": Column(tr.t("export.value"), "count"),
               "share": Column(tr.t("export.share_of_clients"), "share")}  # fmt: skip
    return Built(tr.t("export.headline_sheet"), data, columns, None, overview.summary(view))


def _headline(view: View) -> Slide:
    tr = view.tr
    title = tr.t("present.headline.title", project=project_name(view))
    if overview.has_clients(view):
        return Slide("headline", title, overview.summary(view), overview.headline(view))
    metrics, source = about.published_metrics(view)
    if not metrics:
        return Slide("headline", title, tr.t("common.no_data"))
    return Slide("headline", title, tr.t("overview.published_note", source=source), metrics)


def _municipalities(view: View) -> Slide:
    tr, b = view.tr, municipalities.outcomes(view)
    shares = b.data.filter(pl.col("level") == "municipality")["share"].drop_nulls()
    total = b.data.filter(pl.col("level") == "project")["share"].drop_nulls()
    whole = total[0] if total.len() else (shares[0] if shares.len() == 1 else None)
    if shares.len() > 1 and whole is not None:
        message = tr.t("present.municipalities.message", low=tr.share(shares.min(), 0),
                       high=tr.share(shares.max(), 0), total=tr.share(whole, 0))  # fmt: skip
    elif whole is not None:
        message = tr.t("present.municipalities.message_total", total=tr.share(whole, 0))
    else:
        message = b.caption
    return Slide("municipalities", b.title, message, [], b)


def _participations(view: View) -> Slide:
    tr, f = view.tr, view.filters
    b = participations.cumulative(view)
    n, events = participations.in_range_total(view), participations.events(view).data.height
    quarters = f.quarter if f.quarter_from == f.quarter else f"{f.quarter_from}–{f.quarter}"
    message = tr.t(
        "present.participations.message", n=tr.number(n), events=tr.number(events), quarters=quarters
    )
    return Slide("participations", b.title, message, [], b)


def _pathways(view: View) -> Slide:
    tr, b = view.tr, pathways.pathway_table(view)
    detail = b.data.filter(~pl.col("is_group") & pl.col("n_clients").is_not_null() & pl.col("is_progressed"))
    if detail.height and detail["n_clients"].max():
        top = detail.sort("n_clients", descending=True, maintain_order=True).row(0, named=True)
        message = tr.t("present.pathways.message", pathway=top["label"].strip(), n=tr.count(top["n_clients"]))
    else:
        message = b.caption
    return Slide("pathways", b.title, message, [], b)


# What a hall reads of the EU indicators: the gender columns (and the Finnish names beside a Swedish or
# English one) stay on the page and in the workbook; on a slide they pushed the table out of its frame.
HALL_COLUMNS = ("code", "label", "n", "base", "share")


def _esf_part(view: View, kind: str) -> Slide:
    """One slide of the EU indicators of one kind (output: situation at entry; result: its change)."""
    tr, whole = view.tr, eu_indicators.esf(view)
    if not whole.columns:  # no programme known: its caption says so, on the one slide
        return Slide(f"esf_{kind}", whole.title, whole.caption, [], whole, whole)
    part = Built(
        tr.t(f"present.esf.{kind}_title"),
        whole.data.filter(pl.col("kind") == kind),
        {k: c for k, c in whole.columns.items() if k in HALL_COLUMNS},
        None,
        whole.caption,
    )
    return Slide(f"esf_{kind}", part.title, tr.t(f"present.esf.{kind}_message"), [], part, whole)


def _esf_output(view: View) -> Slide:
    return _esf_part(view, "output")


def _esf_result(view: View) -> Slide:
    return _esf_part(view, "result")


def _projects(view: View) -> Slide:
    b = projects.table(view)
    n_published = b.data.filter(pl.col("level") == "published").height
    message = view.tr.t("present.projects.message", n=b.data.height, published=n_published)
    return Slide("projects", b.title, message, [], b)


def makers(view: View) -> list:
    """Return the functions that build the view's slides, in order (each ``View -> Slide``)."""
    if not overview.has_clients(view):  # a project without client data gets its published figures
        return [_headline, _participations, _projects]
    if not eu_indicators.has_programme(view):
        return [_headline, _municipalities, _participations, _pathways, _esf_output, _projects]
    return [_headline, _municipalities, _participations, _pathways, _esf_output, _esf_result, _projects]


def slides(view: View) -> list[Slide]:
    """Return the summary slides for a view (a project without client data gets its published figures)."""
    return [make(view) for make in makers(view)]


def slide(view: View, index: int) -> tuple[Slide, int]:
    """Return one slide (index clamped into the sequence) and how many there are, building only that one."""
    found = makers(view)
    index = min(max(index, 0), len(found) - 1)
    return found[index](view), len(found)


def _chart_marks(s: Slide, hidden: str) -> set[str]:
    marks = set()
    for trace in s.built.chart.data:  # type: ignore[union-attr]
        bars = getattr(trace, "error_x", None) or getattr(trace, "error_y", None)
        if bars is not None and bars.visible is not False and any(bars.array or ()):
            marks.add("whisker")
        names = [n for n in (getattr(trace, "y", None) or ()) if isinstance(n, str)]
        if any(n.endswith(f" {SMALL_MARK}") for n in names):
            marks.add("small_n")
        texts = getattr(trace, "text", None)
        if isinstance(texts, str):
            texts = [texts]
        if any(isinstance(t, str) and hidden in t for t in texts or ()):
            marks.add("hidden")
    return marks


def legend(s: Slide, tr: I18n, chart: bool) -> str:
    """Return one line explaining the marks the slide shows ('..', '*', whiskers), or "" when none.

    ``chart``: the slide shows its chart (else its table). Each mark is explained only where it is shown,
    in the reader's language, with the mark itself from the same tables the slide draws it from.
    """
    hidden = tr.t("privacy.mark")
    if s.metrics:
        marks = {"hidden"} if any(hidden in m.value for m in s.metrics) else set()
    elif s.built is None:
        return ""
    elif chart and s.built.chart is not None:
        marks = _chart_marks(s, hidden)
    else:
        cells = [v for column in s.built.text_table(tr).iter_columns() for v in column.to_list()]
        marks = {"hidden"} if any(v == hidden or v.startswith(f"{hidden} ") for v in cells) else set()
    keys = [k for k in ("whisker", "small_n", "hidden") if k in marks]
    texts = {"whisker": tr.t("present.legend.whisker"),
             "small_n": tr.t("present.legend.small_n", mark=SMALL_MARK, small_n=settings.small_n()),
             "hidden": tr.t("present.legend.hidden", mark=hidden)}  # fmt: skip
    return " · ".join(texts[k] for k in keys)


def tables(view: View) -> list[Built]:
    """Return the slides' tables for a summary workbook or CSV (the headline figures first).

    A slide that shows part of a table gives its whole table, once (the two EU indicator slides: one sheet).
    """
    found = [s.sheet or s.built for s in slides(view) if s.built is not None]
    same = lambda a, b: a.title == b.title and a.data.equals(b.data)  # noqa: E731
    return [headline_table(view), *(b for i, b in enumerate(found) if not any(same(b, o) for o in found[:i]))]
