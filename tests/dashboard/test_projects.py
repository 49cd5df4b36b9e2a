"""The projects page (Hankkeet): every project in three languages, computed and published figures apart."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.builders import projects


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_project_of_the_reference_data_is_shown(warehouse, make_view, lang):
    data = projects.comparison(make_view(warehouse, lang))
    assert data["project_code"].to_list() == ["VALPAS", "YHDESSA", "VALPAS2", "JALKIHUOLTO"]
    valpas2 = data.filter(pl.col("project_code") == "VALPAS2").row(0, named=True)
    assert (valpas2["n_clients"], valpas2["n_participations"]) == (128, 1259)
    assert valpas2["share"] == pytest.approx(84 / 128)  # computed, not the report's 64 %
    assert valpas2["share_low"] < 84 / 128 < valpas2["share_high"]
    assert valpas2["programme"] == "ESF 2014-2020"


def test_published_figures_are_marked_and_carry_their_own_definition(warehouse, make_view):
    data = projects.comparison(make_view(warehouse, "en"))
    yhdessa = data.filter(pl.col("project_code") == "YHDESSA").row(0, named=True)
    assert (yhdessa["n_clients"], yhdessa["share"]) == (200, 0.52)
    assert yhdessa["basis"] == "published in the final report"
    assert yhdessa["share_low"] is None  # no interval for a figure that is only published
    assert "rehabilitative services" in yhdessa["definition"]
    jalki = data.filter(pl.col("project_code") == "JALKIHUOLTO").row(0, named=True)
    assert jalki["programme"] == "not known"  # no source names its programme: no guess
    assert jalki["n_clients"] is None and jalki["basis"] == "no data and no published figures"


def test_chart_draws_published_shares_with_their_own_marker_and_label(warehouse, make_view):
    built = projects.table(make_view(warehouse, "fi"))
    names = {trace.name for trace in built.chart.data}
    assert names == {"laskettu ladatuista aineistoista", "julkaistu loppuraportissa"}
    published = next(t for t in built.chart.data if t.name == "julkaistu loppuraportissa")
    assert list(published.y) == ["Yhdessä osallisuuteen"] and "julkaistu" in published.text[0]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_projects_page_runs_in_every_language(warehouse, app, lang):
    at = app(warehouse, page="views/projects.py", lang=lang)
    assert not at.exception
    text = " ".join(str(t.value.to_string()) for t in at.table)
    for name in ("VALPAS", "Yhdessä osallisuuteen", "VALPAS 2", "Aikuistuvan nuoren"):
        assert name in text
    assert at.title[0].value == {"fi": "Hankkeet rinnakkain", "sv": "Projekten sida vid sida"}.get(
        lang, "Projects side by side"
    )
