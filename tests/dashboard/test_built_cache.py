"""A page's figures are built once per snapshot and view, not on every rerun (issue 12 item 17: the time of
a warm rerun went to building the same Plotly figures and tables again, not to the data)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import db, ui
from dashboard.builders import Built, pathways


def counting(calls: list):
    def build(view, *args) -> Built:
        calls.append((view.filters.lang, view.filters.municipality, args))
        return Built("title", pl.DataFrame({"n": [len(calls)]}), {})

    return build


def test_a_built_figure_is_reused_until_the_view_or_the_snapshot_changes(
    warehouse, make_view, monkeypatch
) -> None:
    st.cache_data.clear()
    calls: list = []
    build = counting(calls)
    view = make_view(warehouse)
    first = ui.cached(build, view, "gender")
    again = ui.cached(build, view, "gender")
    assert len(calls) == 1 and again.data.equals(first.data)
    ui.cached(build, view, "age")  # another argument
    ui.cached(build, make_view(warehouse, lang="sv"), "gender")  # another language
    ui.cached(build, make_view(warehouse, municipality="261"), "gender")  # another filter
    assert len(calls) == 4
    snapshot = db.pinned()
    monkeypatch.setattr(db, "pinned", lambda: Path(f"{snapshot}.next"))  # a new snapshot was published
    ui.cached(build, view, "gender")
    assert len(calls) == 5


def test_the_pathways_page_builds_its_figures_once_over_reruns(warehouse, app, monkeypatch) -> None:
    st.cache_data.clear()
    calls: list = []
    real = pathways.sankey

    def sankey(view):
        calls.append(view.filters.lang)
        return real(view)

    monkeypatch.setattr(pathways, "sankey", sankey)
    at = app(warehouse, page="views/pathways.py")
    assert not at.exception, [e.value for e in at.exception]
    shown = [h.value for h in at.header]
    at.run()  # a rerun (a widget moved elsewhere, a tab): the same figure, not built again
    assert calls == ["fi"] and [h.value for h in at.header] == shown


def test_a_built_figure_names_the_queries_it_came_from_and_the_page_says_so(
    warehouse, make_view, app
) -> None:
    """Issue 14: a figure's trace starts under its table: ``ui.cached`` notes the named queries its builder
    ran (``db.recording``), ``db.reads`` names the warehouse tables each reads, and the page shows both."""
    from dashboard.builders import municipalities

    st.cache_data.clear()
    view = make_view(warehouse)
    built = ui.cached(municipalities.outcomes, view)
    assert "client_profiles" in built.sources
    assert db.reads("client_profiles") == ("marts.client_counts",)
    with db.recording() as outer:
        db.query("wellbeing_regions")
        with db.recording() as inner:
            db.query("project_quarters", project="VALPAS2")
    assert inner == ["project_quarters"] and outer == ["wellbeing_regions", "project_quarters"]
    at = app(warehouse, page="views/municipalities.py")
    shown = [c.value for c in at.caption]
    assert any("client_profiles" in c and "marts.client_counts" in c for c in shown), shown


def test_every_query_reads_tables_the_warehouse_has(warehouse) -> None:
    from pipelines import warehouse as wh

    con = wh.connect_reader(warehouse)
    have = {
        f"{s}.{t}"
        for s, t in con.sql("select table_schema, table_name from information_schema.tables").fetchall()
    }
    for name in db.query_files():
        reads = db.reads(name)
        assert reads and set(reads) <= have, (name, reads)
