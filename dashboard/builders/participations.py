"""Professional participations (Ammattilaisten osallistumiset): toward the total, by kind, event by event.

Participations count attendances, not people, so nothing here is suppressed. Age group and gender
describe clients, not events: they do not narrow these figures (the page says so).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import charts, db
from dashboard.builders.common import (
    Built,
    Column,
    Metric,
    View,
    labelled,
    mapped,
    texts,
)

DIMENSIONS = ("wellbeing_region_code", "sector", "event_type", "delivery")
_CATEGORY = {"sector": "sector", "event_type": "event_type", "delivery": "delivery"}


def _range(view: View) -> dict[str, str | None]:
    f = view.filters
    return f.place_params() | {"quarter_from": f.quarter_from, "quarter": f.quarter}


def reference(view: View) -> tuple[int | None, str]:
    """Return what the running total heads for: the project's target, else its total over all quarters."""
    tr, f = view.tr, view.filters
    projects = db.query("projects").filter(pl.col("project_code") == f.project)
    target = projects["participation_target"][0] if projects.height else None
    if target and not (f.region or f.municipality):
        return int(target), tr.t("participations.target", n=tr.number(target))
    total = int(db.query("participations_by_quarter", **f.place_params())["n_participations"].sum() or 0)
    return (total or None), tr.t("participations.total", n=tr.number(total))


def cumulative(view: View) -> Built:
    """Return participations per quarter in the range and the running total since the project began."""
    tr, f = view.tr, view.filters
    quarters = list(view.choices.quarters)
    upto = quarters[: quarters.index(f.quarter) + 1] if f.quarter in quarters else quarters
    raw = db.query("participations_by_quarter", **f.place_params())
    data = (
        pl.DataFrame({"quarter": upto})
        .join(raw, on="quarter", how="left")
        .with_columns(pl.col("n_events", "n_participations").fill_null(0))
        .with_columns(pl.col("n_participations").cum_sum().alias("cumulative"))
        .filter(pl.col("quarter") >= f.quarter_from)
    )
    ref, ref_label = reference(view)
    labels = {
        "n_participations": tr.t("participations.per_quarter"),
        "cumulative": tr.t("participations.cumulative"),
    }
    fig = charts.cumulative(
        data,
        reference=ref,
        reference_label=ref_label,
        labels=labels,
        value_title=tr.t("participations.unit"),
        separators=tr.plotly_separators,
    )
    columns = {
        "quarter": Column(tr.t("common.quarter")),
        "n_events": Column(tr.t("participations.n_events"), "number"),
        "n_participations": Column(labels["n_participations"], "number"),
        "cumulative": Column(labels["cumulative"], "number"),
    }
    caption = tr.t("participations.cumulative_caption", reference=ref_label)
    return Built(tr.t("participations.cumulative_title"), data, columns, fig, caption)


def in_range_total(view: View) -> int:
    """Return the participations of the events in the quarter range."""
    return int(db.query("participations", **_range(view))["n_participations"].sum() or 0)


def breakdown(view: View, dimension: str) -> Built:
    """Return participations in the range by wellbeing region, sector, event type or delivery."""
    tr = view.tr
    raw = db.query("participations", **_range(view))
    data = (
        raw.group_by(dimension)
        .agg(pl.col("n_participations").sum())
        .sort("n_participations", descending=True)
    )
    if dimension == "wellbeing_region_code":
        names = db.region_names(view.tr)
        data = data.with_columns(
            pl.col(dimension).replace_strict(names, default=pl.col(dimension)).alias("label")
        )
    else:
        data = labelled(data, view, dimension, _CATEGORY[dimension])
    total = int(data["n_participations"].sum() or 0)
    data = data.with_columns((pl.col("n_participations") / total if total else pl.lit(None)).alias("share"))
    data, fig = _bars(view, data)
    columns = {
        "label": Column(tr.t(f"participations.dimension.{dimension}")),
        "n_participations": Column(tr.t("participations.unit"), "number"),
        "share": Column(tr.t("common.share"), "share"),
    }
    title = tr.t("participations.by", dimension=tr.t(f"participations.dimension.{dimension}").lower())
    return Built(title, data, columns, fig, tr.t("participations.range_caption"))


def _bars(view: View, data: pl.DataFrame) -> tuple[pl.DataFrame, go.Figure]:
    """Add the shown text of each label's participations and draw them as horizontal bars."""
    tr = view.tr
    data = texts(data, view, "n_participations", "number", alias="text")
    chart_df = data.select(
        pl.col("label").alias("category"), pl.col("n_participations").alias("value"), "text"
    )
    fig = charts.bars(
        chart_df, horizontal=True, value_title=tr.t("participations.unit"), separators=tr.plotly_separators
    )
    return data, fig


def events(view: View) -> Built:
    """Return the events in the range, newest first, with their participations."""
    tr = view.tr
    raw = db.query("events", **_range(view))
    names = db.region_names(view.tr)
    munis = db.municipality_names(view.filters.project, view.tr)
    whole_region = tr.t("participations.whole_region")
    data = labelled(raw, view, "event_type", "event_type", alias="type_label")
    data = labelled(data, view, "delivery", "delivery", alias="delivery_label")
    data = mapped(data, "wellbeing_region_code", lambda c: names.get(c, c), alias="region")
    data = mapped(data, "municipality_code", lambda c: munis.get(c, whole_region) if c else whole_region,
                  alias="municipality")  # fmt: skip
    columns = {
        "event_date": Column(tr.t("participations.event_date"), "date"),
        "title": Column(tr.t("participations.event_title")),
        "type_label": Column(tr.t("participations.dimension.event_type")),
        "delivery_label": Column(tr.t("participations.dimension.delivery")),
        "region": Column(tr.t("participations.dimension.wellbeing_region_code")),
        "municipality": Column(tr.t("common.municipality")),
        "n_participations": Column(tr.t("participations.unit"), "number"),
    }
    caption = tr.t("participations.events_caption", n=tr.number(data.height))
    return Built(tr.t("participations.events_title"), data, columns, None, caption)


def event_attendance(view: View, event_id: str, title: str = "") -> Built:
    """Return one event's participations by professional sector (``title`` names the event)."""
    tr = view.tr
    raw = db.query("event_attendance_by_sector", project=view.filters.project, event_id=event_id)
    data = labelled(raw, view, "sector", "sector")
    data, fig = _bars(view, data)
    columns = {
        "label": Column(tr.t("participations.dimension.sector")),
        "n_participations": Column(tr.t("participations.unit"), "number"),
    }
    total = tr.number(int(data["n_participations"].sum() or 0))
    return Built(
        tr.t("participations.attendance_title", event=title),
        data,
        columns,
        fig,
        tr.t("participations.attendance_caption", n=total),
    )


def open_event_reach(view: View) -> str | None:
    """Say how many participations open events reached in the range (not professionals'); None if none."""
    row = db.query("open_event_reach", **_range(view)).row(0, named=True)
    if not row["n_open_events"]:
        return None
    return view.tr.t(
        "participations.open_event_reach", n=view.tr.number(row["n_reached"]), events=row["n_open_events"]
    )


def headline(view: View, events_built: Built) -> list[Metric]:
    """Return the range's participations and events as headline metrics."""
    tr = view.tr
    return [
        Metric(
            tr.t("participations.unit"), tr.number(in_range_total(view)), help=tr.t("participations.in_range")
        ),
        Metric(
            tr.t("participations.n_events"),
            tr.number(events_built.data.height),
            help=tr.t("participations.events_in_range"),
        ),
    ]


def event_titles(view: View, events_built: Built, limit: int | None = None) -> dict[str, str]:
    """Return the first ``limit`` listed events' ids with "date · title", for choosing one to drill into."""
    rows = events_built.data.head(limit).select("event_id", "event_date", "title").iter_rows()
    return {event: f"{view.tr.date(day)} · {title}" for event, day, title in rows}
