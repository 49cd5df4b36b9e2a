"""Scope: a coordinator writes only their own municipality's lists, events and attendance (issue 11, 12)."""

from __future__ import annotations

from pathlib import Path

from pipelines import ingest, summary, warehouse
from tests.pipelines.conftest import VALID_ROWS, clients_csv, snapshot_state
from tests.pipelines.test_ingest import _workbook, load, rows

KITTILA = frozenset({"261"})
YLIVIESKA_EVENT = ["Y1", "Ylivieskan koulutus", "4.5.2021", "koulutus", "lähi", "19", "Ylivieska"]


def _stored_ylivieska_event(db: Path, tmp_path: Path) -> None:
    book = _workbook(tmp_path / "y.xlsx", [YLIVIESKA_EVENT], [["Y1", "sosiaalihuolto", 12]])
    assert load(db, book, kind="workbook").status == "accepted"  # a project-wide account


def _codes(result: ingest.LoadResult) -> list[tuple]:
    return [(p.sheet, p.row, p.code) for p in result.problems]


def test_a_coordinator_cannot_take_over_another_municipalitys_event(db, tmp_path):
    _stored_ylivieska_event(db, tmp_path)
    before = snapshot_state(db)
    moved = ["Y1", "Posion koulutus", "4.5.2021", "koulutus", "lähi", "21", "Kittilä"]
    book = _workbook(tmp_path / "k.xlsx", [moved], [["Y1", "sosiaalihuolto", 9_999]])

    result = load(db, book, kind="workbook", allowed_municipalities=KITTILA)

    assert result.status == "rejected"
    assert ("tapahtumat", 2, "event_owned_elsewhere") in _codes(result)
    assert snapshot_state(db) == before


def test_a_coordinator_cannot_change_another_municipalitys_attendance(db, tmp_path):
    _stored_ylivieska_event(db, tmp_path)
    attendance = tmp_path / "osallistumiset.csv"
    attendance.write_text("tapahtumatunnus;sektori;osallistujia\nY1;muu;5\n", encoding="utf-8")

    result = load(db, attendance, kind="attendance", allowed_municipalities=KITTILA)

    assert result.status == "rejected"
    assert _codes(result)[0][2] == "file_out_of_scope"  # the file is about a Ylivieska event
    assert rows(db, "select sum(n_participants) from staging.attendance") == [(12,)]


def test_events_outside_the_coordinators_municipality_or_without_one_are_rejected(db, tmp_path):
    events = [
        ["K1", "Oma", "4.5.2021", "koulutus", "lähi", "21", "Kittilä"],
        ["K2", "Posiossa", "4.5.2021", "koulutus", "lähi", "21", "Posio"],
        ["K3", "Koko Lappi", "4.5.2021", "webinaari", "etä", "21", None],
    ]
    book = _workbook(tmp_path / "k.xlsx", events, [["K1", "muu", 3], ["K2", "muu", 3], ["K3", "muu", 3]])

    result = load(db, book, kind="workbook", allowed_municipalities=KITTILA)

    assert _codes(result) == [
        ("osallistumiset", 3, "event_out_of_scope"),
        ("osallistumiset", 4, "event_out_of_scope"),
        ("tapahtumat", 3, "out_of_scope"),
        ("tapahtumat", 4, "region_event_project_only"),
    ]
    own = _workbook(tmp_path / "own.xlsx", events[:1], [["K1", "muu", 3]])
    assert load(db, own, kind="workbook", allowed_municipalities=KITTILA).status == "accepted"


def test_attendance_counts_have_an_upper_bound(db, tmp_path):
    book = _workbook(
        tmp_path / "t.xlsx",
        [YLIVIESKA_EVENT],
        [["Y1", "sosiaalihuolto", 9_999_999], ["Y1", "muu", 10_000]],
    )

    result = load(db, book, kind="workbook")

    assert _codes(result) == [("osallistumiset", 2, "count_too_large")]
    assert "10\u00a0000" in result.problems[0].message("en")
    assert rows(db, "select count(*) from staging.attendance") == [(0,)]


def test_events_outside_the_project_are_rejected(db, tmp_path):
    events = [
        ["H1", "Helsingissä", "4.5.2021", "koulutus", "lähi", "91", "091"],
        ["H2", "Kuopiossa", "4.5.2021", "koulutus", "lähi", "13", None],
        ["H3", "Väärä alue", "4.5.2021", "koulutus", "lähi", "19", "Kittilä"],
    ]
    book = _workbook(tmp_path / "h.xlsx", events, [["H1", "muu", 1]])

    result = load(db, book, kind="workbook")

    assert _codes(result) == [
        ("tapahtumat", 2, "region_not_in_project"),  # Åland
        ("tapahtumat", 2, "municipality_not_in_project"),  # Helsinki
        ("tapahtumat", 3, "region_not_in_project"),
        ("tapahtumat", 4, "municipality_not_in_region"),
    ]


def test_a_stray_row_cannot_replace_another_municipalitys_list(db, tmp_path):
    posio = [f"POS-{i:03d};Posio;18-24;mies;1.2.2021;;työtön;ei;;;Valmentaja A" for i in range(22)]
    assert load(db, clients_csv(tmp_path / "p.csv", posio)).status == "accepted"
    stray = (*VALID_ROWS, "POS-100;Posio;18-24;mies;1.2.2021;;työtön;ei;;;Valmentaja A")

    result = load(db, clients_csv(tmp_path / "k.csv", stray))

    assert _codes(result) == [(None, 5, "other_municipality")]
    figures = summary.summary(warehouse.connect_reader(db), "VALPAS2", "2021Q2")
    assert figures["n_clients"] == 22


def test_a_posio_file_from_a_kittila_coordinator_is_told_once(db, tmp_path):
    posio = [f"POS-{i:03d};Posio;18-24;mies;1.2.2021;;työtön;ei;;;Valmentaja A" for i in range(27)]

    result = load(db, clients_csv(tmp_path / "p.csv", posio), allowed_municipalities=KITTILA)

    assert _codes(result) == [(None, None, "file_out_of_scope")]
    assert (
        result.problems[0].message("en")
        == "You may upload for Kittilä (261) only; this file is for Posio (614)."
    )
    assert result.problems[0].message("fi").startswith("Voit ladata tietoja vain kunnalle Kittilä (261);")
