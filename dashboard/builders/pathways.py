"""Pathway outcomes (Jatkopolut): entry -> exit -> pathway flows, the nine pathways, breakdowns, ESF+."""

from __future__ import annotations

import polars as pl

from dashboard import charts, db, figures, privacy, theme
from dashboard.builders.common import Built, Column, View, flag, suppress_lines, texts
from dashboard.i18n import I18n

BY = ("municipality_code", "age_group", "gender")
_CATEGORY = {"age_group": "age_group", "gender": "gender"}


def _profile(view: View) -> pl.DataFrame:
    return db.query("client_profiles", **view.filters.client_params(), quarter=view.filters.quarter)


def _link_stage(ended: pl.DataFrame, source: str, target: str, view: View) -> pl.DataFrame:
    """Cross-tabulate two columns of ended clients and suppress it (its margins are the node sizes)."""
    cells = (
        ended.with_columns(pl.col(source).fill_null("unknown"), pl.col(target).fill_null("unknown"))
        .group_by(source, target)
        .agg(pl.col("n_clients").sum().cast(pl.Int64))
        .sort(source, target)
    )
    if cells.is_empty():
        return cells.with_columns(pl.lit(False).alias(flag()))
    return privacy.suppress_table(cells, source, target, min_cell=view.min_cell)


def sankey(view: View) -> Built:
    """Return the flows of ended clients from status at entry to status at exit to pathway."""
    tr = view.tr
    ended = _profile(view).filter(~pl.col("is_active"))
    stages = [("status_at_entry", "status_at_exit"), ("status_at_exit", "pathway")]
    columns = {
        "entry": ("status", "sankey.entry"),
        "exit": ("status", "sankey.exit"),
        "path": ("pathway", ""),
    }
    node_keys = [("entry", s) for s in figures.STATUSES] + [("exit", s) for s in figures.STATUSES]
    node_keys += [("path", p) for p in figures.PATHWAYS]
    stage_of = {"status_at_entry": "entry", "status_at_exit": "exit", "pathway": "path"}
    totals = {}
    for column in ("status_at_entry", "status_at_exit", "pathway"):
        sums = ended.group_by(pl.col(column).fill_null("unknown")).agg(pl.col("n_clients").sum())
        totals |= {(stage_of[column], code): int(n) for code, n in sums.iter_rows()}
    # a hidden flow is a fixed sliver (0.5 % of the ended clients), the same for every hidden flow: no width
    # that could be read as a count
    sliver = max(float(ended["n_clients"].sum()) * 0.005, 0.1)
    rows = []
    for source, target in stages:
        cells = _link_stage(ended, source, target, view)
        for s, t, n, hidden in cells.select(source, target, "n_clients", flag()).iter_rows():
            if n == 0:
                continue
            rows.append(
                {
                    "source": node_keys.index((stage_of[source], s)),
                    "target": node_keys.index((stage_of[target], t)),
                    "n_clients": n,
                    "hidden": hidden,
                    "value": sliver if hidden else n,
                }
            )
    links = pl.DataFrame(
        rows,
        schema={
            "source": pl.Int64,
            "target": pl.Int64,
            "n_clients": pl.Int64,
            "hidden": pl.Boolean,
            "value": pl.Float64,
        },
    )
    links = texts(links, view, "n_clients", alias="text").with_columns(
        pl.when(pl.col("hidden"))
        .then(pl.col("text") + " – " + pl.lit(tr.t("privacy.hidden_flow")))
        .otherwise(pl.col("text"))
        .alias("text")
    )
    labels, colours = [], []
    for stage, code in node_keys:
        category, prefix = columns[stage]
        name = tr.label(category, code)
        n = totals.get((stage, code), 0)
        # a node is a breakdown total too: below the whole project it hides like a cell
        n = privacy.hide_count(n, view.min_cell, breakdown=view.filters.is_breakdown)
        labels.append(f"{tr.t(prefix, status=name) if prefix else name} ({tr.count(n)})")
        progressed = code in figures.PROGRESSED
        colours.append(
            theme.GREY if stage != "path" else theme.PROGRESSED if progressed else theme.NOT_PROGRESSED
        )
    fig = charts.sankey(labels, colours, links, separators=tr.plotly_separators)
    table = links.with_columns(
        pl.Series("from", [labels[i] for i in links["source"].to_list()], pl.String),
        pl.Series("to", [labels[i] for i in links["target"].to_list()], pl.String),
    )
    columns_shown = {
        "from": Column(tr.t("sankey.from")),
        "to": Column(tr.t("sankey.to")),
        "n_clients": Column(tr.t("common.clients"), "count"),
    }
    caption = tr.t("sankey.caption", n=tr.count(int(ended["n_clients"].sum())), min_cell=view.min_cell)
    return Built(tr.t("sankey.title"), table, columns_shown, fig, caption)


def _group_label(tr: I18n, progressed: bool) -> str:
    return tr.t("figure.n_progressed") if progressed else tr.t("figure.n_not_progressed")


def pathway_table(view: View) -> Built:
    """Return the seven progressed and two not-progressed pathways with subtotals, counts and shares."""
    tr, f = view.tr, view.filters
    profile = _profile(view)
    counts = figures.pathway_counts(profile)
    n_all = int(profile["n_clients"].sum())
    if f.is_breakdown:  # the group subtotals and the total are shown: complements within each group
        counts = privacy.suppress_counts(counts, min_cell=view.min_cell, group_cols=["is_progressed"])
    else:
        counts = counts.with_columns(pl.lit(False).alias(flag()))
    rows = []
    for progressed in (True, False):
        group = counts.filter(pl.col("is_progressed") == progressed)
        raw = int(
            figures.pathway_counts(profile).filter(pl.col("is_progressed") == progressed)["n_clients"].sum()
        )
        hidden_sub = privacy.is_hidden(raw, view.min_cell, breakdown=f.is_breakdown)
        rows.append(
            {
                "label": _group_label(tr, progressed),
                "pathway": None,
                "is_group": True,
                "is_progressed": progressed,
                "n_clients": None if hidden_sub else raw,
            }
        )
        for p, n in group.select("pathway", "n_clients").iter_rows():
            rows.append(
                {
                    "label": "   " + tr.label("pathway", p),
                    "pathway": p,
                    "is_group": False,
                    "is_progressed": progressed,
                    "n_clients": n,
                }
            )
    active = int(profile.filter(pl.col("is_active"))["n_clients"].sum())
    if active:
        rows.append(
            {
                "label": tr.t("overview.trend.n_active"),
                "pathway": None,
                "is_group": True,
                "is_progressed": None,
                "n_clients": privacy.hide_count(active, view.min_cell, breakdown=f.is_breakdown),
            }
        )
    hidden_total = privacy.is_hidden(n_all, view.min_cell, breakdown=f.is_breakdown)
    rows.append(
        {
            "label": tr.t("common.total"),
            "pathway": None,
            "is_group": True,
            "is_progressed": None,
            "n_clients": None if hidden_total else n_all,
        }
    )
    data = pl.DataFrame(
        rows,
        schema={
            "label": pl.String,
            "pathway": pl.String,  # the code of a pathway row (a helper: not shown)
            "is_group": pl.Boolean,
            "is_progressed": pl.Boolean,
            "n_clients": pl.Int64,
        },
    )
    data = data.with_columns((pl.col("n_clients") / n_all if n_all else pl.lit(None)).alias("share"))
    data = texts(data, view, "n_clients", alias="text")
    detail = data.filter(~pl.col("is_group")).with_columns(
        pl.col("label").str.strip_chars().alias("category"),
        pl.when(pl.col("is_progressed"))
        .then(pl.lit(_group_label(tr, True)))
        .otherwise(pl.lit(_group_label(tr, False)))
        .alias("series"),
        pl.col("n_clients").alias("value"),
    )
    colours = {_group_label(tr, True): theme.PROGRESSED, _group_label(tr, False): theme.NOT_PROGRESSED}
    fig = charts.bars(
        detail,
        horizontal=True,
        stacked=True,
        colours=colours,
        value_title=tr.t("common.clients"),
        separators=tr.plotly_separators,
        empty=tr.t("charts.empty"),
    )
    columns = {
        "label": Column(tr.t("common.pathway")),
        "n_clients": Column(tr.t("common.clients"), "count"),
        "share": Column(tr.t("pathways.share_of_all"), "share"),
    }
    caption = tr.t("pathways.table_caption", n=tr.count(None if hidden_total else n_all))
    return Built(tr.t("pathways.table_title"), data, columns, fig, caption)


def pathway_by(view: View, dimension: str) -> Built:
    """Return pathways by municipality, age group or gender: counts, subtotals and the share progressed."""
    tr = view.tr
    profile = _profile(view)
    counts = figures.pathway_counts(profile, [dimension]).drop("n_total")
    lines = [[dimension], [dimension, "is_progressed"], ["pathway"]]
    cells = (
        suppress_lines(counts, lines, view)
        if counts.height
        else counts.with_columns(pl.lit(False).alias(flag()))
    )
    wide = cells.pivot("pathway", index=dimension, values="n_clients")
    sub = figures.outcomes(profile, [dimension]).select(
        dimension, "n_clients", "n_progressed", "n_not_progressed"
    )
    sub = sub.with_columns(  # the row subtotals hide by rule 1 alone (no complement), as before
        privacy.hide_small_cells("n_clients", view.min_cell).alias("n_total"),
        *(privacy.hide_small_cells(c, view.min_cell).alias(c) for c in ("n_progressed", "n_not_progressed")),
    )
    sub = figures.with_share(
        sub.with_columns(pl.col("n_progressed").fill_null(0).alias("_k")), "_k", "n_clients"
    )
    gone = pl.col("n_progressed").is_null() | pl.col("n_total").is_null()
    sub = sub.with_columns(
        pl.when(~gone).then(pl.col(c)).alias(c) for c in ("share", "share_low", "share_high")
    )
    data = wide.join(sub.drop("_k", "n_clients"), on=dimension, how="left")
    if dimension == "municipality_code":
        names = db.municipality_names(view.filters.project, view.tr)
        data = data.with_columns(
            pl.col(dimension).replace_strict(names, default=pl.col(dimension)).alias("label")
        )
    else:
        data = data.with_columns(
            pl.Series("label", [tr.label(_CATEGORY[dimension], c) for c in data[dimension]], pl.String)
        )
    chart_df = data.with_columns(
        pl.lit("municipality").alias("level"),
        pl.Series(
            "text", [tr.share(s) if s is not None else tr.count(None) for s in data["share"].to_list()]
        ),
    )
    fig = charts.share_intervals(
        chart_df,
        level_names={"municipality": tr.t(f"pathways.by.{dimension}")},
        value_title=tr.t("municipalities.share_progressed"),
        separators=tr.plotly_separators,
        empty=tr.t("charts.empty"),
    )
    columns = {
        "label": Column(tr.t(f"pathways.by.{dimension}")),
        "n_total": Column(tr.t("common.clients"), "count"),
        "n_progressed": Column(tr.t("figure.n_progressed"), "count"),
        "share": Column(tr.t("municipalities.share_progressed"), "share"),
    }
    columns |= {p: Column(tr.label("pathway", p), "count") for p in figures.PATHWAYS if p in data.columns}
    columns["n_not_progressed"] = Column(tr.t("figure.n_not_progressed"), "count")
    title = tr.t("pathways.by_title", dimension=tr.t(f"pathways.by.{dimension}").lower())
    return Built(title, data, columns, fig, tr.t("pathways.by_caption", min_cell=view.min_cell))
