"""Targets: progress where a project set one, and a plain 'no target' where it did not (the demo)."""

from __future__ import annotations

import pytest

from dashboard.builders import targets
from dashboard.i18n import I18n


def test_progress_is_counted_toward_a_set_target():
    tr = I18n("fi")
    assert targets.progress_text(tr, "clients", 84, 120) == "Asiakkaita 84 / tavoite 120 (70\u00a0%)."
    assert targets.progress_text(I18n("en"), "participations", 1259, 1000).startswith(
        "Professional participations 1,259 of a target of 1,000 (126"
    )


@pytest.mark.parametrize("target", [None, 0])
def test_no_target_says_so_instead_of_inventing_one(target):
    text = targets.progress_text(I18n("en"), "clients", 128, target)
    assert text.startswith("The project has published no target")


def test_demo_project_has_no_targets_and_the_pages_say_so(warehouse, app):
    at = app(warehouse, lang="en")
    captions = [c.value for c in at.caption]
    assert any(
        c.startswith("The project has published no target for the number of clients") for c in captions
    )
    at = app(warehouse, page="views/participations.py", lang="en")
    assert not at.exception
    assert any("the dashed line is the whole project's total, not a target" in c.value for c in at.caption)


def test_participations_page_shows_open_event_reach_apart(warehouse, app):
    at = app(warehouse, page="views/participations.py", lang="fi")
    infos = [i.value for i in at.info]
    assert any("avoimet tapahtumat (1 kpl" in i and "4\u202f126" in i for i in infos), infos
    assert any(m.value == "1\u202f259" for m in at.metric)  # professionals' participations unchanged
