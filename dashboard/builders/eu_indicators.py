"""EU common indicators (yhteiset indikaattorit) of the project's programme, for the pathways page."""

from __future__ import annotations

import polars as pl

from dashboard import db, privacy
from dashboard.builders.common import Built, Column, View
from dashboard.i18n import I18n
from pipelines import indicators


def _profile(view: View) -> pl.DataFrame:
    return db.query("client_profiles", **view.filters.client_params(), quarter=view.filters.quarter)


# A programme's total that is the sum of other rows of the table (ESF 2014-2020: CO01 + CO03 + CO05).
SUMS = {"ESF2014": ("total_participants", ("unemployed", "inactive", "employed"))}


def _complements(data: pl.DataFrame, programme_code: str) -> pl.DataFrame:
    """Hide one more part where the total and all but one of its parts are shown (count, then genders).

    Else the hidden part is the total minus the others. The smallest shown other part goes with it.
    """
    if programme_code not in SUMS:
        return data
    total, parts = SUMS[programme_code]
    keys = data["key"].to_list()
    for group in (["n"], [f"n_{g}" for g in indicators.GENDERS]):
        values = dict(zip(keys, data[group[0]].to_list(), strict=True))
        shown = sorted((values[k], k) for k in parts if values.get(k) is not None)
        if values.get(total) is None or len(shown) != len(parts) - 1:
            continue
        extra = shown[0][1]
        data = data.with_columns(pl.when(pl.col("key") != extra).then(pl.col(c)).alias(c) for c in group)
    return data


def has_programme(view: View) -> bool:
    """Whether the project's funding programme is known (else no EU indicators are computed)."""
    found = db.query("project_programme", project=view.filters.project)
    return bool(found.height) and found["programme_code"][0] is not None


def esf(view: View) -> Built:
    """Return the EU common indicators of the project's programme (``pipelines.indicators``), by gender.

    Output indicators count the situation at entry, results the change of situation to leaving; each
    row says whom its share is of. Indicators the data do not collect are named in the caption. In a
    breakdown, counts of 1..min_cell-1 are hidden like every other count; the counts by gender are a
    cross-tabulation, so theirs are hidden in the whole project too (with the row's other genders).
    """
    tr = view.tr
    found = db.query("project_programme", project=view.filters.project)
    if not found.height or found["programme_code"][0] is None:
        source = found["source"][0] if found.height else ""
        return Built(
            tr.t("indicator.title"),
            pl.DataFrame(),
            {},
            None,
            tr.t("indicator.unknown_programme", source=source),
        )
    programme = found.row(0, named=True)
    table = indicators.compute(_profile(view), programme["programme_code"])
    missing = table.filter(~pl.col("is_collected"))
    data = table.filter(pl.col("is_collected")).with_columns(pl.col("indicator_code").fill_null(""))
    counts = ["n", *(f"n_{g}" for g in indicators.GENDERS)]
    # A small count hides in a breakdown; the genders are a cross-tabulation (indicator x gender) even
    # for the whole project, as the Sankey's flows are: one small gender hides its row's genders always.
    # Unknown gender has no column, but n minus the three shown would give it: it is a fourth cell.
    small = [privacy.small_cells(c, view.min_cell) for c in counts]
    unknown = pl.col("n") - pl.sum_horizontal(counts[1:])
    any_gender = pl.any_horizontal(*small[1:], privacy.small_cells(unknown, view.min_cell))
    data = data.with_columns(
        pl.when(~(small[0] & view.filters.is_breakdown)).then(pl.col("n")).alias("n"),
        *(pl.when(~any_gender).then(pl.col(c)).alias(c) for c in counts[1:]),
    )
    data = _complements(data, programme["programme_code"])
    fi = I18n("fi")
    keys = data["key"].to_list()

    def label(key: str) -> str:
        return indicators.label_of(programme["programme_code"], key)

    data = data.with_columns(
        pl.when(pl.col("n_base") > 0).then(pl.col("n") / pl.col("n_base")).alias("share"),
        pl.Series("label", [tr.t(f"indicator.{label(k)}") for k in keys], pl.String),
        pl.Series("label_fi", [fi.t(f"indicator.{label(k)}") for k in keys], pl.String),
        pl.Series(
            "base",
            [tr.t(f"indicator.base.{indicators.base_of(programme['programme_code'], k)}") for k in keys],
            pl.String,
        ),
        pl.col("indicator_code").alias("code"),
    )
    columns = {"code": Column(tr.t("esf.code")), "label": Column(tr.t("esf.indicator"))}
    if tr.lang != "fi":
        columns["label_fi"] = Column(tr.t("esf.indicator_fi"))
    columns |= {
        "n": Column(tr.t("common.clients"), "count"),
        "base": Column(tr.t("indicator.base_header")),
        "share": Column(tr.t("common.share"), "share"),
        "n_woman": Column(tr.t("indicator.women"), "count"),
        "n_man": Column(tr.t("indicator.men"), "count"),
        "n_other": Column(tr.t("indicator.other"), "count"),
    }
    name = programme[f"name_{tr.lang}"] or programme["label"]
    absent = ", ".join(c for c in missing["indicator_code"].to_list() if c)
    caption = tr.t("indicator.caption", programme=name, regulation=programme["regulation"], missing=absent)
    return Built(tr.t("indicator.title"), data, columns, None, caption)
