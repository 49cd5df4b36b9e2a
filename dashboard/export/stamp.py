"""The stamp (leima) every export and presented slide carries: filters, data date, source and export time.

A number pasted into a board paper must say what it counts; the stamp states the filters by name
("Kunta: Raahe"), the quarter's end date, where the data came from and when it was exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from dashboard import db, i18n
from dashboard.builders import View
from dashboard.builders.about import is_demo
from dashboard.builders.common import stated

TIMEZONE = i18n.TIMEZONE  # the projects report in Finnish time


@dataclass(frozen=True)
class Stamp:
    """The lines that tell a reader what an exported figure describes."""

    project: str  # the project's name
    filters: str  # "Rajaukset: Hanke: VALPAS 2 · Kunta: Raahe · Vuosineljännes: 2023Q3"
    data_date: str  # "Tilanne 30.9.2023 (2023Q3)"
    source: str  # where the data came from and its last upload (and the demo notice)
    exported_at: str  # "Viety 23.11.2026 klo 19.30"

    def lines(self) -> list[str]:
        """Return the stamp as lines for a file's header block."""
        return [self.filters, self.data_date, self.source, self.exported_at]

    def short(self) -> str:
        """Return the filters and the data date on one line (for captions and image subtitles)."""
        return f"{self.filters} · {self.data_date}"


def project_name(view: View) -> str:
    """Return the project's name (its code when the reference data has none)."""
    projects = db.query("projects").filter(pl.col("project_code") == view.filters.project)
    return projects["name"][0] if projects.height else view.filters.project


def filter_text(view: View, with_range: bool = False) -> str:
    """State every active filter by name: project, region or municipality, quarter (or range), age, gender."""
    tr = view.tr
    parts = [f"{tr.t(d.label)}: {name}" for d, name in stated(view, with_range)]
    return tr.t("export.filters", filters=" · ".join(parts))


def data_date(view: View) -> str:
    """Say at which date the figures stand: the end of the selected quarter."""
    tr, f = view.tr, view.filters
    quarters = db.query("project_quarters", project=f.project).filter(pl.col("quarter") == f.quarter)
    if not quarters.height:
        return f.quarter
    return tr.t("common.situation_at", date=tr.date(quarters["quarter_end_date"][0]), quarter=f.quarter)


def source(view: View) -> str:
    """Name the data's source and its last accepted upload; say so when the warehouse holds demo data."""
    tr, name = view.tr, project_name(view)
    uploads = db.query("last_uploads", project=view.filters.project)
    last = uploads["uploaded_at"].max() if uploads.height else None
    text = (
        tr.t("export.source", project=name, at=tr.datetime(last))
        if last
        else tr.t("export.source_none", project=name)
    )
    return f"{text} · {tr.t('export.demo')}" if is_demo() else text


def stamp(view: View, with_range: bool = False, now: datetime | None = None) -> Stamp:
    """Return the stamp of a view, exported ``now`` (default: the current time in Finland)."""
    tr = view.tr
    now = now or datetime.now(TIMEZONE)
    return Stamp(
        project=project_name(view),
        filters=filter_text(view, with_range),
        data_date=data_date(view),
        source=source(view),
        exported_at=tr.t("export.exported_at", at=tr.datetime(now)),
    )
