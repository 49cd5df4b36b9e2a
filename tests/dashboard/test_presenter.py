"""Presenter mode (AppTest): the slide in the URL, stepping, leaving, languages, and the page's numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.builders import overview

PRESENT = {"present": "1"}


def html_of(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def slide(at) -> str:
    return at.query_params.get("slide", "")


def test_present_opens_the_first_slide_with_the_filters_kept(app, warehouse: Path) -> None:
    at = app(warehouse, **PRESENT)
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params == {
        "lang": "fi",
        "project": "VALPAS2",
        "quarter": "2023Q3",
        "present": "1",
        "slide": "1",
    }
    body = html_of(at)
    assert '<h1 class="present-title">VALPAS 2: tulokset</h1>' in body
    assert "Rajaukset: Hanke: VALPAS 2 · Vuosineljännes: 2023Q3" in body  # the filters, in a caption
    assert (
        "Tilanne 30.9.2023 (2023Q3)" in body and "Lähde: VALPAS 2" in body
    )  # date and source, in the footer
    assert "display: none" in body and "stSidebar" in body  # the CSS that hides the chrome
    assert not at.title and not at.info  # no page title, no demo box: the footer says it is demo data


def test_headline_slide_shows_the_overview_numbers(app, warehouse: Path, make_view) -> None:
    at = app(warehouse, **PRESENT)
    body = html_of(at)
    for m in overview.headline(make_view(warehouse)):
        main, _, share = m.value.partition(" (")
        assert f'<div class="value">{main}</div>' in body
        assert f'<div class="label">{m.label}</div>' in body
        if share:
            assert f"({share}" in body


def test_next_and_previous_step_through_seven_slides_in_the_url(app, warehouse: Path) -> None:
    at = app(warehouse, **PRESENT)
    titles = []
    for expected in ("2", "3", "4", "5", "6", "7"):
        at.button(key="present_next").click().run()
        assert slide(at) == expected and not at.exception
        titles.append(html_of(at).split('class="present-title">')[1].split("<")[0])
    assert titles == ["Jatkopolun löytäneiden osuus kunnittain", "Osallistumisten kertymä", "Jatkopolut",
                      "EU-indikaattorit: tuotokset", "EU-indikaattorit: tulokset",
                      "Hankkeet ja niiden tulokset"]  # fmt: skip
    assert at.button(key="present_next").disabled
    at.button(key="present_previous").click().run()
    assert slide(at) == "6"
    assert at.query_params["project"] == "VALPAS2" and at.query_params["present"] == "1"


@pytest.mark.parametrize(("value", "expected"), [("3", "3"), ("99", "7"), ("0", "1"), ("abc", "1")])
def test_a_link_resumes_at_its_slide(app, warehouse: Path, value: str, expected: str) -> None:
    at = app(warehouse, present="1", slide=value)
    assert not at.exception
    assert slide(at) == expected


def test_present_on_a_page_opens_that_pages_slide(app, warehouse: Path) -> None:
    at = app(warehouse)
    at.switch_page("views/participations.py").run()
    at.button(key="present_start").click().run()
    assert at.query_params["present"] == "1" and slide(at) == "3"
    assert "Ammattilaiset osallistuivat 1" in html_of(at)


def test_leaving_returns_to_the_page_with_the_filters(app, warehouse: Path) -> None:
    at = app(warehouse, municipality="678", **PRESENT)
    assert "Kunta: Raahe" in html_of(at)
    at.button(key="present_exit").click().run()
    assert at.query_params == {"lang": "fi", "project": "VALPAS2", "municipality": "678", "quarter": "2023Q3"}
    assert at.title[0].value == "Yleiskatsaus"


@pytest.mark.parametrize(
    ("lang", "next_label", "title"),
    [("sv", "Nästa", "Fortsatta vägar"), ("en", "Next", "Pathways")],
)
def test_slides_in_swedish_and_english(app, warehouse: Path, lang: str, next_label: str, title: str) -> None:
    at = app(warehouse, lang=lang, present="1", slide="4")
    assert not at.exception
    assert at.button(key="present_next").label == next_label
    assert f'class="present-title">{title}<' in html_of(at)


def test_every_slide_renders_in_every_language(app, warehouse: Path) -> None:
    for lang in ("fi", "sv", "en"):
        for n in range(1, 8):
            at = app(warehouse, lang=lang, present="1", slide=str(n))
            assert not at.exception, (lang, n, [e.value for e in at.exception])


@pytest.mark.parametrize(
    ("project", "shown"), [("YHDESSA", "(julkaistu luku)"), ("VALPAS", "ei ole vielä tallennettu")]
)
def test_a_project_without_client_data_has_three_slides(
    app, warehouse: Path, project: str, shown: str
) -> None:
    at = app(warehouse, project=project, present="1", slide="5")
    assert not at.exception, [e.value for e in at.exception]
    assert slide(at) == "3"  # the headline (published figures, if any), the participations, the projects
    assert "Hankkeet ja niiden tulokset" in html_of(at)
    at.button(key="present_previous").click().run()
    at.button(key="present_previous").click().run()
    assert slide(at) == "1" and shown in html_of(at)
