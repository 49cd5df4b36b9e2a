"""Municipality comparison (Kuntavertailu): outcomes and status changes side by side, region subtotals."""

from __future__ import annotations

import polars as pl

from dashboard import charts, db, figures, privacy, settings, theme
from dashboard.builders.common import Built, Column, View, flag, places, suppress_lines, texts

OUTCOMES = ("n_progressed", "n_not_progressed", "n_active")
SHARE_COLS = ("share", "share_low", "share_high")


def _profile(view: View) -> pl.DataFrame:
    return db.query("client_profiles", **view.filters.client_params(), quarter=view.filters.quarter)


def _in_view(view: View) -> pl.DataFrame:
    """The project's municipalities the filters keep, with names."""
    f, ref = view.filters, places(view)
    if f.region:
        ref = ref.filter(pl.col("wellbeing_region_code") == f.region)
    if f.municipality:
        ref = ref.filter(pl.col("municipality_code") == f.municipality)
    return ref


def _hide_row(row: dict, view: View, applies: bool) -> dict:
    """Suppress one subtotal row (region or project): its total and outcomes, with a complement."""
    if not applies:
        return row | {f"{k}_hidden": False for k in OUTCOMES}
    one = privacy.suppress_counts(
        pl.DataFrame({"outcome": list(OUTCOMES), "n_clients": [row[k] for k in OUTCOMES]}),
        min_cell=view.min_cell,
    )
    out = dict(row)
    for k, n, hidden in one.select("outcome", "n_clients", flag()).iter_rows():
        out[k], out[f"{k}_hidden"] = n, hidden
    out["n_clients"] = privacy.hide_count(row["n_clients"], view.min_cell)
    return out


def outcome_table(view: View) -> pl.DataFrame:
    """Return one row per municipality, region subtotal and the selection's total: counts and shares."""
    ref = _in_view(view)
    counts = figures.outcomes(_profile(view), ["municipality_code"])
    munis = ref.join(counts, on="municipality_code", how="left").with_columns(
        pl.col("n_clients", *OUTCOMES).fill_null(0).cast(pl.Int64)
    )
    keys = ["municipality_code", "wellbeing_region_code"]
    long = munis.select(*keys, *OUTCOMES).unpivot(
        OUTCOMES, index=keys, variable_name="outcome", value_name="n_clients"
    )
    # the cells' lines: each municipality (its total), each region's outcome (subtotal), each outcome (total)
    hidden = suppress_lines(
        long, [["municipality_code"], ["wellbeing_region_code", "outcome"], ["outcome"]], view
    )
    wide = hidden.pivot("outcome", index="municipality_code", values=["n_clients", flag()])
    # the municipality totals are a column of their own, summed into region subtotals and the total
    totals = suppress_lines(munis.select(*keys, "n_clients"), [["wellbeing_region_code"], []], view)
    rows = []
    for m, t in zip(munis.iter_rows(named=True), totals.iter_rows(named=True), strict=True):
        w = wide.filter(pl.col("municipality_code") == m["municipality_code"]).row(0, named=True)
        row = {
            "level": "municipality",
            "label": m["municipality"],
            "code": m["municipality_code"],
            "region_code": m["wellbeing_region_code"],
            "n_raw": m["n_clients"],
            "n_clients": t["n_clients"],
        }
        for k in OUTCOMES:
            row[k], row[f"{k}_hidden"] = w[f"n_clients_{k}"], w[f"{flag()}_{k}"]
        if sum(row[f"{k}_hidden"] for k in OUTCOMES) == 1:  # the total minus the visible cells would give it
            row["n_clients"] = None
        rows.append(row)
    for code, group in munis.group_by("wellbeing_region_code", maintain_order=True):
        if group.height < 2:  # a one-municipality region repeats its municipality (and would unhide it)
            continue
        raw = {k: int(group[k].sum()) for k in ("n_clients", *OUTCOMES)}
        at = max(i for i, r in enumerate(rows) if r["region_code"] == code[0]) + 1
        rows.insert(
            at,
            _hide_row(
                {
                    "level": "region",
                    "label": group["region"][0],
                    "code": code[0],
                    "region_code": code[0],
                    "n_raw": raw["n_clients"],
                }
                | raw,
                view,
                True,
            ),
        )
    raw = {k: int(munis[k].sum()) for k in ("n_clients", *OUTCOMES)}
    total = {
        "level": "project",
        "label": view.tr.t("common.total"),
        "code": "",
        "region_code": "",
        "n_raw": raw["n_clients"],
    } | raw
    if munis.height > 1:  # one municipality's total would only repeat it
        rows.append(_hide_row(total, view, view.filters.is_breakdown))
    table = pl.DataFrame(rows, infer_schema_length=None)
    table = figures.with_share(
        table.with_columns(pl.col("n_progressed").fill_null(0).alias("_k")), "_k", "n_clients"
    )
    hide = pl.col("n_progressed_hidden") | pl.col("n_clients").is_null()
    table = table.with_columns(pl.when(~hide).then(pl.col(c)).alias(c) for c in SHARE_COLS).drop("_k")
    return table.with_columns((pl.col("n_raw") < settings.small_n()).alias("is_small_n"))


def outcomes(view: View) -> Built:
    """Return the share progressed per municipality with Wilson 95 % intervals, subtotals and the total."""
    tr = view.tr
    table = outcome_table(view)
    ci = [
        f"{tr.share(lo)}–{tr.share(hi)}" if lo is not None else tr.share(None)
        for lo, hi in zip(table["share_low"].to_list(), table["share_high"].to_list(), strict=True)
    ]
    note = [tr.t("municipalities.small_n_note") if s else "" for s in table["is_small_n"].to_list()]
    table = table.with_columns(
        pl.Series("ci_text", ci),
        pl.Series("note", note),
        pl.Series("level_name", [tr.t(f"municipalities.level.{lv}") for lv in table["level"].to_list()]),
    )
    chart_text = [tr.share(s) if s is not None else tr.count(None) for s in table["share"].to_list()]
    chart_df = table.with_columns(
        pl.Series("text", chart_text),
        pl.when(pl.col("is_small_n")).then(pl.col("label") + " *").otherwise(pl.col("label")).alias("label"),
    )
    levels = {lv: tr.t(f"municipalities.level.{lv}") for lv in ("municipality", "region", "project")}
    fig = charts.share_intervals(
        chart_df,
        level_names=levels,
        value_title=tr.t("municipalities.share_axis"),
        separators=tr.plotly_separators,
        empty=tr.t("charts.empty"),
    )
    columns = {
        "label": Column(tr.t("municipalities.area")),
        "n_clients": Column(tr.t("figure.n_clients"), "count"),
        "n_progressed": Column(tr.t("figure.n_progressed"), "count"),
        "share": Column(tr.t("municipalities.share_progressed"), "share"),
        "ci_text": Column(tr.t("municipalities.ci")),
        "n_not_progressed": Column(tr.t("figure.n_not_progressed"), "count"),
        "note": Column(tr.t("municipalities.note")),
    }
    caption = tr.t("municipalities.outcomes_caption", small_n=settings.small_n(), min_cell=view.min_cell)
    return Built(tr.t("municipalities.outcomes_title"), table, columns, fig, caption)


def status_table(view: View) -> pl.DataFrame:
    """Return ended clients by status at entry and exit, for the selection and for each municipality."""
    tr, profile = view.tr, _profile(view)
    whole = figures.status_counts(profile).with_columns(pl.lit("").alias("municipality_code"))
    by = figures.status_counts(profile, ["municipality_code"])
    if by["municipality_code"].n_unique() < 2:  # one municipality's rows would repeat the selection's
        by = by.clear()
    parts = []
    for col in ("n_at_entry", "n_at_exit"):
        if by.height:
            cells = privacy.suppress_table(
                by.select("municipality_code", "status", pl.col(col).alias("n")),
                "municipality_code",
                "status",
                "n",
                min_cell=view.min_cell,
            )
        else:
            cells = by.select(
                "municipality_code",
                "status",
                pl.lit(None, pl.Int64).alias("n"),
                pl.lit(False).alias(flag("n")),
            )
        if view.filters.is_breakdown:
            top = privacy.suppress_counts(
                whole.select("municipality_code", "status", pl.col(col).alias("n")),
                "n",
                min_cell=view.min_cell,
            )
        else:
            top = whole.select(
                "municipality_code", "status", pl.col(col).alias("n"), pl.lit(False).alias(flag("n"))
            )
        parts.append(pl.concat([top, cells]).rename({"n": col, flag("n"): f"{col}_hidden"}))
    out = parts[0].join(parts[1], on=["municipality_code", "status"], how="left")
    out = out.with_columns(
        pl.struct("n_at_entry", "n_at_exit")
        .map_elements(
            lambda s: figures.status_change(s["n_at_entry"], s["n_at_exit"]), return_dtype=pl.Float64
        )
        .alias("change")
    )
    names = db.municipality_names(view.filters.project, view.tr)
    area = [names.get(c, tr.t("common.selection")) for c in out["municipality_code"].to_list()]
    status = [tr.label("status", s) for s in out["status"].to_list()]
    return out.with_columns(pl.Series("area", area), pl.Series("status_label", status))


def status_change(view: View) -> Built:
    """Return entry and exit statuses of ended clients (chart: the selection; table: per municipality too)."""
    tr = view.tr
    table = status_table(view)
    whole = table.filter(pl.col("municipality_code") == "")
    long = pl.concat(
        [
            whole.select(
                pl.col("status_label").alias("category"),
                pl.lit(tr.t(f"common.{c}")).alias("series"),
                pl.col(f"n_{c}").alias("value"),
            )
            for c in ("at_entry", "at_exit")
        ]
    )
    long = texts(long, view, "value", alias="text")
    colours = {tr.t("common.at_entry"): theme.SKY, tr.t("common.at_exit"): theme.BLUE}
    fig = charts.bars(
        long,
        colours=colours,
        value_title=tr.t("common.clients"),
        separators=tr.plotly_separators,
        empty=tr.t("charts.empty"),
    )
    columns = {
        "area": Column(tr.t("municipalities.area")),
        "status_label": Column(tr.t("common.status")),
        "n_at_entry": Column(tr.t("common.at_entry"), "count"),
        "n_at_exit": Column(tr.t("common.at_exit"), "count"),
        "change": Column(tr.t("common.change"), "share"),
    }
    ended = int(figures.outcomes(_profile(view))["n_ended"][0])
    ended = privacy.hide_count(ended, view.min_cell, breakdown=view.filters.is_breakdown)
    caption = tr.t(
        "municipalities.status_caption",
        ended=tr.count(ended),
        min_cell=view.min_cell,
        min_base=figures.CHANGE_MIN_BASE,
    )
    return Built(tr.t("municipalities.status_title"), table, columns, fig, caption)
