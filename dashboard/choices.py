"""What the warehouse offers to filter by: its projects, the project a link opens, each project's choices,
and the names a reader sees for each filter's values.

It reads the database and draws nothing, so the sidebar (``sidebar.py``), the export command
(``python -m dashboard.export``) and the privacy store's worker share it without the Streamlit sidebar.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from dashboard import db
from dashboard.filters import Filter, ProjectChoices
from dashboard.i18n import LANGUAGE_NAMES, I18n


def projects() -> pl.DataFrame:
    """Return the projects with what the warehouse holds for each."""
    return db.query("projects")


def default_project(table: pl.DataFrame) -> str:
    """Choose the project a link without ``project=`` opens: the one with the most client data."""
    ranked = table.sort(["n_clients", "n_events", "n_published", "start_date"], descending=True)
    return ranked["project_code"][0]


def choices_for(project: str) -> ProjectChoices:
    """Return the project's quarters (default: the latest with data) and its municipalities."""
    quarters = db.query("project_quarters", project=project)
    with_data = quarters.filter(pl.col("has_data"))["quarter"].to_list()
    all_quarters = quarters["quarter"].to_list()
    default = with_data[-1] if with_data else (all_quarters[-1] if all_quarters else "")
    munis = db.query("project_municipalities", project=project)
    return ProjectChoices(
        all_quarters,
        default,
        dict(zip(munis["municipality_code"], munis["wellbeing_region_code"], strict=True)),
    )


def value_names(d: Filter, project: str, tr: I18n) -> Callable[[str], str]:
    """Return how a reader sees each value of filter ``d`` (``Filter.names``); an unknown code is its name."""
    if d.names == "label":
        return lambda code: tr.label(d.field, code)
    names: Mapping[str, str] = {}
    if d.names == "language":
        names = LANGUAGE_NAMES
    elif d.names == "project":
        table = projects()
        names = dict(zip(table["project_code"], table["name"], strict=True))
    elif d.names == "region":
        names = db.region_names(tr)
    elif d.names == "municipality":
        names = db.municipality_names(project, tr)
    return lambda code: names.get(code, code)
