"""Time to pathway (Jatkopolut): weeks from start to end of those who found a pathway, as quartiles.

One small table: everyone who found a pathway, then each pathway, then each municipality, with the
group's clients and the median and quartiles in whole weeks (``figures.duration_quartiles``: linear
interpolation, DuckDB's ``quantile_cont``). The disclosure rule is ``figures.time_to_pathway``; on top of
it a group is shown only when the page shows its count, the same number, in the pathway table or the
municipality breakdown (docs/privacy.md, "Time to pathway").
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from dashboard import db, figures
from dashboard.builders import pathways
from dashboard.builders.common import Built, Column, View


def _durations(view: View) -> pl.DataFrame:
    return db.query("pathway_durations", **view.filters.client_params(), quarter=view.filters.quarter)


def _page_counts(view: View, table: Built | None, by_place: Built | None) -> tuple[int | None, dict, dict]:
    """The page's own counts of those who found a pathway (None where hidden): all, by pathway, by place."""
    rows = (table or pathways.pathway_table(view)).data
    group = rows.filter(pl.col("is_group") & pl.col("is_progressed").fill_null(False))
    total = group["n_clients"][0] if group.height else None
    by_path = dict(rows.filter(~pl.col("is_group")).select("pathway", "n_clients").iter_rows())
    places_ = (by_place or pathways.pathway_by(view, "municipality_code")).data
    return total, by_path, dict(places_.select("municipality_code", "n_progressed").iter_rows())


def time_to_pathway(view: View, table: Built | None = None, by_place: Built | None = None) -> Built:
    """Return the median and quartiles of weeks to a pathway: in all, by pathway and by municipality.

    ``table`` and ``by_place`` are the page's ``pathway_table`` and ``pathway_by(view, "municipality_code")``
    when it has built them already (building them again costs 0.2 s at 1000x); else they are built here.
    """
    tr = view.tr
    durations = _durations(view)
    total, by_path, by_place = _page_counts(view, table, by_place)
    names = db.municipality_names(view.filters.project, view.tr)
    groups: list[tuple[str, str | None, Callable[[str], str], dict, list]] = [
        ("", None, lambda _: tr.t("durations.all"), {None: total}, [None]),
        (
            tr.t("common.pathway"),
            "pathway",
            lambda p: tr.label("pathway", p),
            by_path,
            list(figures.PROGRESSED),
        ),
        (
            tr.t("pathways.by.municipality_code"),
            "municipality_code",
            lambda m: names.get(m, m),
            by_place,
            sorted(names, key=lambda m: names[m]),
        ),
    ]
    if view.filters.municipality:  # one municipality: its row would repeat the first
        groups.pop()
    rows = []
    for by, column, label, page_counts, order in groups:
        quartiles = figures.duration_quartiles(durations, [column] if column else [])
        if column is None:
            quartiles = quartiles.with_columns(pl.lit(None, pl.String).alias("code"))
        else:
            quartiles = quartiles.rename({column: "code"})
        shown = figures.time_to_pathway(quartiles, view.min_cell)
        found = {r["code"]: r for r in shown.iter_rows(named=True)}
        for code in order:
            row = found.get(code)
            if row is None or page_counts.get(code) != row["n_clients"]:
                continue  # a small group, or one whose count the page hides: no row at all
            rows.append({"by": by, "label": label(code)} | {k: v for k, v in row.items() if k != "code"})
    schema = {"by": pl.String, "label": pl.String, "n_clients": pl.Int64}
    schema |= {c: pl.Int64 for c in ("q1_weeks", "median_weeks", "q3_weeks")}
    data = pl.DataFrame(rows, schema=schema)
    columns = {
        "by": Column(tr.t("durations.by")),
        "label": Column(tr.t("durations.group")),
        "n_clients": Column(tr.t("common.clients"), "count"),
        "q1_weeks": Column(tr.t("durations.q1"), "number"),
        "median_weeks": Column(tr.t("durations.median"), "number"),
        "q3_weeks": Column(tr.t("durations.q3"), "number"),
    }
    caption = tr.t(
        "durations.caption",
        n=tr.count(total),
        min_cell=view.min_cell,
        quartiles_from=figures.QUARTILES_FROM * view.min_cell,
    )
    if not data.height:
        caption = f"{tr.t('durations.none', min_cell=view.min_cell)} {caption}"
    return Built(tr.t("durations.title"), data, columns, None, caption)
