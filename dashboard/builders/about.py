"""About the data (Tietoa aineistosta): dictionary, uploads, demo notice, published vs computed figures."""

from __future__ import annotations

import re

import polars as pl

from dashboard import db, figures
from dashboard.builders.common import Built, Column, Metric, View, places
from dashboard.i18n import I18n

# figure -> (source table, grain key); names and definitions are translation keys dictionary.<figure>.*
DICTIONARY = {
    "n_clients": ("marts.client_counts", "client_counts"),
    "n_active": ("marts.client_counts", "client_counts"),
    "n_new": ("marts.client_counts", "client_counts"),
    "n_ended_in_quarter": ("marts.client_counts", "client_counts"),
    "n_coaches": ("marts.coach_clients", "coach_clients"),
    "n_progressed": ("marts.client_counts", "client_counts"),
    "share_progressed": ("marts.client_counts", "client_counts"),
    "wilson": ("marts.client_counts", "client_counts"),
    "status": ("marts.client_counts", "client_counts"),
    "status_change": ("marts.client_counts", "client_counts"),
    "pathway": ("marts.client_counts", "client_counts"),
    "flows": ("marts.client_counts", "client_counts"),
    "time_to_pathway": ("marts.pathway_durations", "pathway_durations"),
    "esf": ("marts.client_counts", "client_counts"),
    "n_professional_participations": ("marts.participations", "participations"),
    "events": ("marts.events", "events"),
    "published": ("ref.published_figures", "published_figures"),
    "uploads": ("audit.uploads", "uploads"),
}


VERDICT = {True: "✓", False: "✗", None: "–"}  # the word follows, so colour and symbol are not the only cue


def is_demo() -> bool:
    """Say whether the warehouse holds the demo data (audit.warehouse_info is_demo = 'true')."""
    info = db.query("warehouse_info")
    values = dict(zip(info["key"].to_list(), info["value"].to_list(), strict=True))
    return values.get("is_demo", "").strip().lower() == "true"


def source_key(source: str) -> str:
    """Return the translation key of a source document named in the reference data."""
    ascii_name = source.lower().translate(str.maketrans("äöå", "aoa"))
    return "about.source_name." + "_".join(re.findall(r"[a-z0-9]+", ascii_name))


def source_name(tr: I18n, source: str) -> str:
    """Name a source document in the reader's language (a source without a translation keeps its name)."""
    try:
        return tr.t(source_key(source))
    except KeyError:
        return source


def figure_label(tr: I18n, figure: str) -> str:
    """Name a published figure (``n_clients``, ``pathway.employment``...) in the reader's language."""
    head, _, code = figure.partition(".")
    if not code:
        return tr.t(f"figure.{head}")
    category = "pathway" if head.startswith("pathway") else "status"
    return tr.t(f"figure.{head}", name=tr.label(category, code))


def format_figure(tr: I18n, figure: str, value: float | None) -> str:
    """Format a figure's value: a share or change as a percentage, else a count."""
    if value is None:
        return tr.share(None)
    if figures.is_share(figure):
        digits = 0 if abs(value * 100 - round(value * 100)) < 1e-9 else 1
        return tr.share(value, digits)
    return tr.number(value)


def dictionary(view: View) -> Built:
    """Return the data dictionary: every figure's name, definition, source table and grain."""
    tr = view.tr
    rows = [
        {
            "name": tr.t(f"dictionary.{k}.name"),
            "definition": tr.t(f"dictionary.{k}.definition"),
            "source": source,
            "grain": tr.t(f"dictionary.grain.{grain}"),
        }
        for k, (source, grain) in DICTIONARY.items()
    ]
    columns = {
        "name": Column(tr.t("about.figure")),
        "definition": Column(tr.t("about.definition")),
        "source": Column(tr.t("about.source")),
        "grain": Column(tr.t("about.grain")),
    }
    return Built(
        tr.t("about.dictionary_title"),
        pl.DataFrame(rows),
        columns,
        None,
        tr.t("about.dictionary_caption", min_cell=view.min_cell),
    )


def queries(view: View) -> Built:
    """Return every named query the pages read and the warehouse tables each reads (``db.reads``): the
    name under a figure's table leads here, and from the table to its mart's SQL."""
    tr = view.tr
    names = list(db.query_files())
    data = pl.DataFrame({"query": names, "reads": [", ".join(db.reads(n)) for n in names]})
    columns = {"query": Column(tr.t("about.query")), "reads": Column(tr.t("about.reads"))}
    return Built(tr.t("about.queries_title"), data, columns, None, tr.t("about.queries_caption"))


def uploads(view: View) -> Built:
    """Return when each municipality's client list (and the events) was last uploaded, quarter by quarter.

    One row per quarter, newest first, one column per municipality: a gap shows a missing upload at a glance.
    """
    tr = view.tr
    raw = db.query("last_uploads", project=view.filters.project)
    ref = places(view)
    slots = [(code, name) for code, name in ref.select("municipality_code", "municipality").iter_rows()]
    slots.append(("events", tr.t("about.upload_kind.events")))
    key = pl.when(pl.col("kind") == "clients").then(pl.col("municipality_code")).otherwise(pl.lit("events"))
    cells = raw.with_columns(key.alias("slot")).filter(pl.col("slot").is_not_null())
    quarters = sorted(set(cells["quarter"].to_list()), reverse=True)
    data = pl.DataFrame({"quarter": quarters}, schema={"quarter": pl.String})
    for slot, _ in slots:
        part = cells.filter(pl.col("slot") == slot).select(
            "quarter", pl.col("uploaded_at").alias(f"at_{slot}")
        )
        data = data.join(part, on="quarter", how="left")
    columns = {"quarter": Column(tr.t("common.quarter"))}
    columns |= {f"at_{slot}": Column(name, "date") for slot, name in slots}
    return Built(tr.t("about.uploads_title"), data, columns, None, tr.t("about.uploads_caption"))


def latest_client_quarter(view: View) -> str | None:
    """Return the latest quarter of the project with client data."""
    quarters = db.query("project_quarters", project=view.filters.project).filter(pl.col("has_client_data"))
    return quarters["quarter"][-1] if quarters.height else None


def reconciliation(view: View) -> Built:
    """Compare each published figure with the one computed from the stored counts (whole project)."""
    tr, project = view.tr, view.filters.project
    published = db.query("published_figures", project=project)
    quarter = latest_client_quarter(view)
    computed: dict = {}
    if quarter:
        whole = {"project": project, "region": None, "municipality": None, "age_group": None, "gender": None}
        profile = db.query("client_profiles", **whole, quarter=quarter)
        coaches = db.query("coaches_by_quarter", project=project, region=None, municipality=None)
        parts = db.query("participations_by_quarter", project=project, region=None, municipality=None)
        # a final report counts every participation, also those after the last client list (quarter None)
        computed = figures.computed_figures(
            profile, figures.coaches_at(coaches, quarter), figures.participations_to(parts, None)
        )
    table = figures.reconcile(published, computed)
    sources = dict(zip(published["figure"].to_list(), published["source"].to_list(), strict=True))
    data = table.with_columns(
        pl.Series("label", [figure_label(tr, f) for f in table["figure"]], pl.String),
        pl.Series(
            "published_text",
            [format_figure(tr, f, v) for f, v in table.select("figure", "published").iter_rows()],
        ),
        pl.Series(
            "computed_text",
            [format_figure(tr, f, v) for f, v in table.select("figure", "computed").iter_rows()],
        ),
        pl.Series(
            "verdict",
            [
                VERDICT[m]
                + " "
                + tr.t(f"about.verdict.{'none' if m is None else 'same' if m else 'differs'}")
                for m in table["matches"].to_list()
            ],
            pl.String,
        ),
        pl.Series("source", [source_name(tr, sources[f]) for f in table["figure"]], pl.String),
    ).sort(pl.col("matches").fill_null(True), "figure")
    columns = {
        "label": Column(tr.t("about.figure")),
        "published_text": Column(tr.t("about.published")),
        "computed_text": Column(tr.t("about.computed")),
        "verdict": Column(tr.t("about.verdict_header")),
        "source": Column(tr.t("about.source_document")),
    }
    n_diff = int((~table["matches"].fill_null(True)).sum())
    caption = tr.t(
        "about.reconciliation_caption",
        quarter=quarter or tr.share(None),
        n=tr.number(table.height),
        diff=tr.number(n_diff),
    )
    return Built(tr.t("about.reconciliation_title"), data, columns, None, caption)


def published_metrics(view: View) -> tuple[list[Metric], str]:
    """Return a project's published figures as metrics (for projects without data), and its source."""
    tr = view.tr
    published = db.query("published_figures", project=view.filters.project)
    metrics = [
        Metric(f"{figure_label(tr, f)} ({tr.t('common.published').lower()})", format_figure(tr, f, v))
        for f, v in published.select("figure", "value").iter_rows()
        if "." not in f
    ]
    sources = ", ".join(sorted({source_name(tr, s) for s in published["source"].to_list()}))
    return metrics, sources
