"""Projects side by side (Hankkeet): every project of the reference data, computed or published figures.

Computed figures come from the uploaded counts (clients and who found a pathway as at the project's latest
quarter, participations in total); a project without uploaded data shows its final report's figures,
marked as published, and its own definition of progress where it differs from the data contract's.
Both are whole-project figures, shown as the final reports showed them.
"""

from __future__ import annotations

import polars as pl

from dashboard import charts, db, figures
from dashboard.builders.common import Built, Column, View


def comparison(view: View) -> pl.DataFrame:
    """Return one row per project with the texts and figures the page shows."""
    tr, lang = view.tr, view.tr.lang
    raw = db.query("project_comparison")
    rows = []
    for r in raw.iter_rows(named=True):
        computed = r["n_clients"] is not None
        share = r["n_progressed"] / r["n_clients"] if computed and r["n_clients"] else None
        low, high = figures.wilson(r["n_progressed"], r["n_clients"]) if computed else (None, None)
        if not computed:
            share = r["published_share_progressed"]
        rows.append(
            {
                "project_code": r["project_code"],
                "name": r["name"],
                "organiser": r["organiser"] or tr.t("projects.not_named"),
                "period": f"{tr.date(r['start_date'])}–{tr.date(r['end_date'])}",
                "regions": r[f"regions_{lang}"] or "",
                "municipalities": r["municipalities_sv" if lang == "sv" else "municipalities_fi"] or "",
                "ages": f"{r['age_min']}–{r['age_max']}",
                "programme": r["programme_label"] or tr.t("projects.programme_unknown"),
                "n_clients": r["n_clients"] if computed else r["published_n_clients"],
                "share": share,
                "share_low": low,
                "share_high": high,
                "ci_text": f"{tr.share(low)}–{tr.share(high)}" if low is not None else "",
                "n_participations": r["n_participations"],
                "basis": tr.t("projects.basis.computed" if computed else "projects.basis.published")
                if computed or r["published_n_clients"] is not None
                else tr.t("projects.basis.none"),
                "definition": (r[f"published_definition_{lang}"] or "")
                if not computed
                else tr.t("projects.definition.contract"),
                "level": "project" if computed else "published",
            }
        )
    schema = {
        "n_clients": pl.Int64,
        "n_participations": pl.Int64,
        "share": pl.Float64,
        "share_low": pl.Float64,
        "share_high": pl.Float64,
    }
    return pl.DataFrame(rows, schema_overrides=schema)


def table(view: View) -> Built:
    """Return every project with its facts and headline figures; published figures marked as such."""
    tr = view.tr
    data = comparison(view)
    charted = data.filter(pl.col("share").is_not_null())
    mark = f" ({tr.t('projects.published_mark')})"
    texts = [
        tr.share(share, 0) + ("" if level == "project" else mark)
        for share, level in charted.select("share", "level").iter_rows()
    ]
    charted = charted.with_columns(pl.Series("text", texts, pl.String), pl.col("name").alias("label"))
    fig = charts.share_intervals(
        charted,
        level_names={
            "project": tr.t("projects.basis.computed"),
            "published": tr.t("projects.basis.published"),
        },
        value_title=tr.t("projects.share_axis"),
        separators=tr.plotly_separators,
    )
    columns = {
        "name": Column(tr.t("projects.name")),
        "organiser": Column(tr.t("projects.organiser")),
        "period": Column(tr.t("projects.period")),
        "regions": Column(tr.t("projects.regions")),
        "municipalities": Column(tr.t("projects.municipalities")),
        "ages": Column(tr.t("projects.ages")),
        "programme": Column(tr.t("projects.programme")),
        "n_clients": Column(tr.t("figure.n_clients"), "number"),
        "share": Column(tr.t("projects.share_progressed"), "share"),
        "ci_text": Column(tr.t("municipalities.ci")),
        "n_participations": Column(tr.t("projects.participations"), "number"),
        "basis": Column(tr.t("projects.basis_header")),
        "definition": Column(tr.t("projects.definition_header")),
    }
    return Built(tr.t("projects.table_title"), data, columns, fig, tr.t("projects.caption"))
