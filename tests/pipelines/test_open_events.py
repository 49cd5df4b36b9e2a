"""Open events (avoin tapahtuma): their reach is counted on its own, not in professionals' participations."""

from __future__ import annotations

from datetime import date

from pipelines import demo_events
from tests.pipelines.conftest import summary_json
from tests.pipelines.test_ingest import _workbook, load, rows


def test_an_uploaded_open_event_counts_as_reach_not_participations(db, tmp_path):
    book = _workbook(
        tmp_path / "t.xlsx",
        [
            ["E1", "Koulutus", date(2021, 5, 4), "koulutus", "etä", "21", "Kittilä"],
            ["E2", "Järjestömessut", date(2021, 5, 6), "avoin tapahtuma", "etä", "21", None],
            ["E3", "Open day", date(2021, 5, 7), "open event", "in person", "21", None],
        ],
        [["E1", "sosiaalihuolto", 12], ["E2", "muu", 3000], ["E3", "muu", 250]],
    )

    result = load(db, book, kind="workbook")

    assert result.status == "accepted"
    assert rows(db, "select sum(n_participations) from marts.participations") == [(12,)]
    assert rows(db, "select event_id from marts.events") == [("E1",)]
    assert rows(db, "select event_id, n_reached from marts.open_events order by 1") == [
        ("E2", 3000),
        ("E3", 250),
    ]


def test_demo_keeps_the_report_figure_and_shows_the_fair_apart(demo_db):
    figures = summary_json(demo_db)
    assert figures["n_professional_participations"] == 1259  # the final report's figure, fair left out
    assert figures["n_open_event_reach"] == demo_events.OPEN_EVENT_REACH > 4000  # "over 4 000"
