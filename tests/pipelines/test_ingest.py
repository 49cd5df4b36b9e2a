"""Integration: load, replace, reject and rebuild on a real DuckDB file in tmp_path."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import openpyxl
import pytest

from pipelines import ingest, kept, replay, rollback, summary, warehouse
from tests.pipelines.conftest import VALID_ROWS, clients_csv, snapshot_state

ROOT = Path(__file__).resolve().parents[2]


def load(db: Path, path: Path, kind: str = "clients", quarter: str = "2021Q2", **kw) -> ingest.LoadResult:
    return ingest.load_file(db, path, project_code="VALPAS2", quarter=quarter, kind=kind, **kw)


def attempts(db: Path) -> list[tuple]:
    """Return the project's upload history (id, status, rows, problems, file), newest first."""
    con = warehouse.connect_reader(db)
    try:
        history = rollback.upload_history(con, "VALPAS2")
    finally:
        con.close()
    return history.select("upload_id", "status", "n_rows", "n_problems", "file_name").rows()


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    con = warehouse.connect_reader(db)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_accepted_file_lands_in_staging_and_marts(db, tmp_path):
    result = load(db, clients_csv(tmp_path / "a.csv"))

    assert (result.status, result.n_rows, result.municipalities) == ("accepted", 3, ("261",))
    staged = rows(
        db,
        "select client_id, age_group, gender, start_date::varchar, end_date::varchar, status_at_entry, "
        "is_long_term_unemployed, status_at_exit, pathway from staging.clients order by 1",
    )
    assert staged == [
        ("KIT-001", "18-24", "woman", "2021-02-01", None, "unemployed", True, None, None),
        (
            "KIT-002",
            "25-29",
            "man",
            "2021-03-15",
            "2021-06-30",
            "in_education",
            None,
            "in_education",
            "education",
        ),
        (
            "KIT-003",
            "30-40",
            "unknown",
            "2021-01-02",
            "2021-03-31",
            "outside_labour_force",
            None,
            None,
            "dropped_out",
        ),
    ]
    figures = summary.summary(warehouse.connect_reader(db), "VALPAS2", "2021Q2")
    assert figures["n_clients"] == 3
    assert figures["status_at_exit"]["unknown"] == 1  # ended without a known exit status
    assert figures["n_progressed"] == 1 and figures["n_not_progressed"] == 1
    audit = rows(db, "select status, kind, file_name, n_rows, stored_file is not null from audit.uploads")
    assert audit == [("accepted", "clients", "a.csv", 3, True)]


def test_later_quarters_without_upload_carry_the_latest_list(db, tmp_path):
    load(db, clients_csv(tmp_path / "a.csv"), quarter="2021Q2")

    counts = dict(rows(db, "select quarter, sum(n_clients) from marts.client_counts group by 1"))

    assert "2021Q1" not in counts  # no list yet as at 2021Q1
    assert counts["2021Q2"] == 3 and counts["2023Q3"] == 3


def test_upload_for_same_quarter_replaces_snapshot_and_keeps_history(db, tmp_path):
    load(db, clients_csv(tmp_path / "a.csv"))
    second = load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:2]))

    assert second.status == "accepted"
    assert rows(db, "select sum(n_clients) from marts.client_counts where quarter = '2021Q2'") == [(2,)]
    assert rows(db, "select count(*) from staging.clients") == [(5,)]  # history kept
    assert rows(db, "select upload_id from staging.client_snapshots") == [(second.upload_id,)]


def test_identical_reupload_changes_nothing(db, tmp_path):
    path = clients_csv(tmp_path / "a.csv")
    load(db, path)
    before = snapshot_state(db)

    again = load(db, path)

    assert again.status == "unchanged"
    assert snapshot_state(db) == before
    assert rows(db, "select status from audit.uploads order by upload_id") == [("accepted",), ("unchanged",)]


def test_rejected_file_changes_no_staging_or_marts_table(db, tmp_path):
    load(db, clients_csv(tmp_path / "a.csv"))
    before = snapshot_state(db)
    bad = clients_csv(tmp_path / "bad.csv", ("KIT-009;Kittilä;18-24;nainen;1.2.2021;;tuntematon;;;;",))

    result = load(db, bad)

    assert result.status == "rejected"
    assert [(p.row, p.column, p.value, p.code) for p in result.problems] == [
        (2, "tilanne_alussa", "tuntematon", "invalid_category")
    ]
    assert snapshot_state(db) == before
    assert attempts(db)[0] == (result.upload_id, "rejected", 0, 1, "bad.csv")
    assert not list(warehouse.uploads_dir(db).glob(f"{ingest.sha256_of(bad)}*"))


def test_a_rejected_file_publishes_no_snapshot_and_its_id_is_never_reused(db, tmp_path):
    load(db, clients_csv(tmp_path / "a.csv"))
    current = warehouse.current_snapshot(db)
    published = sorted(warehouse.snapshot_dir(db).glob("*.duckdb"))
    bad = clients_csv(tmp_path / "bad.csv", ("KIT-009;Kittilä;18-24;nainen;1.2.2021;;tuntematon;;;;",))

    rejected = load(db, bad)

    assert warehouse.current_snapshot(db) == current  # no copy of the warehouse for a rejected file
    assert sorted(warehouse.snapshot_dir(db).glob("*.duckdb")) == published
    assert current.stat().st_mtime == published[-1].stat().st_mtime
    later = load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:2]))
    assert later.upload_id == rejected.upload_id + 1
    assert [a[:2] for a in attempts(db)] == [
        (later.upload_id, "accepted"),
        (rejected.upload_id, "rejected"),
        (1, "accepted"),
    ]
    assert oct(stat.S_IMODE((warehouse.snapshot_dir(db) / kept.REJECTED_LOG).stat().st_mode)) == "0o600"


def test_identity_code_rejects_the_file_without_storing_or_echoing_it(db, tmp_path):
    hetu = "131052-308T"
    bad = clients_csv(
        tmp_path / f"asiakkaat {hetu}.csv", (f"KIT-001;Kittilä;18-24;nainen;1.2.2021;;työtön;;;;{hetu}",)
    )

    result = load(db, bad)

    assert [(p.row, p.column, p.value, p.code) for p in result.problems] == [
        (None, None, None, "file_name_personal"),  # the name is scanned like a cell (issue 11 item 10)
        (2, "valmentaja", None, "hetu"),
    ]
    assert hetu not in str([p.to_dict(lang) for p in result.problems for lang in ("fi", "sv", "en")])
    assert [a[-1] for a in attempts(db)] == ["[poistettu / removed]"]
    assert not [p for p in db.parent.rglob("*") if p.is_file() and hetu.encode() in p.read_bytes()]


def test_file_with_two_municipalities_is_one_municipalitys_list(db, tmp_path):
    two = (*VALID_ROWS, "POS-001;Posio;18-24;mies;1.2.2021;;työtön;ei;;;Valmentaja A")
    result = load(db, clients_csv(tmp_path / "a.csv", two))

    assert [(p.row, p.code) for p in result.problems] == [(5, "other_municipality")]  # Kittilä's list
    assert rows(db, "select count(*) from staging.client_snapshots") == [(0,)]


def _workbook(path: Path, events: list[list], attendance: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "tapahtumat"
    sheet.append(
        ["tapahtumatunnus", "nimi", "päivämäärä", "tyyppi", "toteutustapa", "hyvinvointialue", "kunta"]
    )
    for row in events:
        sheet.append(row)
    sheet2 = book.create_sheet("osallistumiset")
    sheet2.append(["tapahtumatunnus", "sektori", "osallistujia"])
    for row in attendance:
        sheet2.append(row)
    book.save(path)
    return path


def test_workbook_loads_events_and_attendance_together(db, tmp_path):
    from datetime import date

    book = _workbook(
        tmp_path / "t.xlsx",
        [
            ["E1", "Koulutus A", date(2021, 5, 4), "koulutus", "etä", "Lapin hyvinvointialue", "Kittilä"],
            ["E2", "Seminaari", "6.5.2021", "seminar", "in person", "19", None],
        ],
        [["E1", "sosiaalihuolto", 12], ["E1", "nuorisotyö", 3], ["E2", "järjestö", 7]],
    )

    result = load(db, book, kind="workbook")

    assert result.status == "accepted" and result.n_rows == 5
    assert rows(
        db,
        "select event_id, wellbeing_region_code, municipality_code, n_participations "
        "from marts.events order by 1",
    ) == [("E1", "21", "261", 15), ("E2", "19", None, 7)]


def test_attendance_for_unknown_event_is_reported_per_row(db, tmp_path):
    book = _workbook(
        tmp_path / "t.xlsx",
        [["E1", "K", "4.5.2021", "koulutus", "etä", "21", None]],
        [["E1", "sosiaalihuolto", 2], ["E9", "muu", 0]],
    )

    result = load(db, book, kind="workbook")

    assert [(p.sheet, p.row, p.column, p.code) for p in result.problems] == [
        ("osallistumiset", 3, "osallistujia", "invalid_count"),
        ("osallistumiset", 3, "tapahtumatunnus", "unknown_event"),
    ]
    assert rows(db, "select count(*) from staging.events") == [(0,)]


def test_attendance_file_replaces_all_sectors_of_its_events(db, tmp_path):
    load(
        db,
        _workbook(
            tmp_path / "t.xlsx",
            [["E1", "K", "4.5.2021", "koulutus", "etä", "21", None]],
            [["E1", "sosiaalihuolto", 2], ["E1", "muu", 4]],
        ),
        kind="workbook",
    )
    attendance = tmp_path / "osallistumiset.csv"
    attendance.write_text("tapahtumatunnus;sektori;osallistujia\nE1;terveydenhuolto;5\n", encoding="utf-8")

    assert load(db, attendance, kind="attendance").status == "accepted"
    assert rows(db, "select sector, n_participations from marts.participations") == [("health_care", 5)]


def test_usage_errors_raise_before_anything_is_written(db, tmp_path):
    path = clients_csv(tmp_path / "a.csv")
    with pytest.raises(ingest.UsageError) as unknown:
        ingest.load_file(db, path, project_code="NOPE", quarter="2021Q2", kind="clients")
    with pytest.raises(ingest.UsageError) as outside:
        ingest.load_file(db, path, project_code="VALPAS2", quarter="2019Q4", kind="clients")

    assert (unknown.value.key, outside.value.key) == (
        "usage.unknown_project",
        "usage.quarter_outside_project",
    )
    assert rows(db, "select count(*) from audit.uploads") == [(0,)]


def test_rebuild_from_kept_uploads_reproduces_the_marts(db, tmp_path):
    load(db, clients_csv(tmp_path / "a.csv"))
    load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:2]), quarter="2021Q3")
    load(db, clients_csv(tmp_path / "bad.csv", ("x;y",)))  # rejected: not replayed
    before = snapshot_state(db)

    assert replay.rebuild(db) == 2
    assert snapshot_state(db) == before


def test_rebuild_survives_losing_the_database(db, tmp_path):
    load(db, clients_csv(tmp_path / "a.csv"))
    before = snapshot_state(db)
    db.unlink()
    shutil.rmtree(warehouse.snapshot_dir(db))

    replay.rebuild(db)

    assert snapshot_state(db) == before


def test_demo_reproduces_every_published_figure(demo_db):
    figures = summary.summary(warehouse.connect_reader(demo_db), "VALPAS2", "2023Q3")

    assert figures["n_clients"] == 128 and figures["n_coaches"] == 4
    assert figures["status_at_entry"] == {
        "unemployed": 70,
        "outside_labour_force": 36,
        "employed": 12,
        "in_education": 9,
        "unknown": 1,
    }
    assert figures["status_at_exit"] == {
        "unemployed": 45,
        "outside_labour_force": 19,
        "employed": 32,
        "in_education": 15,
        "unknown": 17,
    }
    assert figures["pathways"] == {
        "employment": 32,
        "education": 15,
        "work_trial": 7,
        "rehabilitative_work": 11,
        "supported_work": 7,
        "social_rehabilitation": 9,
        "other_pathway": 3,
        "dropped_out": 8,
        "referred_elsewhere": 36,
    }
    assert (figures["n_progressed"], figures["n_not_progressed"]) == (84, 44)
    assert figures["share_progressed"] == 84 / 128
    assert figures["n_professional_participations"] == 1259
    assert figures["municipalities"] == ["261", "614", "678", "977"]
    regions = rows(demo_db, "select distinct wellbeing_region_code from marts.participations order by 1")
    assert regions == [("19",), ("21",)]
    assert rows(demo_db, "select value from audit.warehouse_info where key = 'is_demo'") == [("true",)]


def test_demo_is_deterministic(demo_db, tmp_path):
    other = tmp_path / "again.duckdb"
    replay.build_demo(other)

    assert snapshot_state(other) == snapshot_state(demo_db)
    assert rows(other, "select * from audit.uploads order by all") == rows(
        demo_db, "select * from audit.uploads order by all"
    )


@pytest.mark.parametrize(
    "sample", sorted(p.name for p in (ROOT / "data" / "samples").glob("*.*") if p.suffix != ".md")
)
def test_every_sample_file_loads(db, sample):
    kind = {"tapahtumat.csv": "events", "osallistumiset.csv": "attendance"}.get(sample, "clients")
    kind = "workbook" if sample.startswith("tapahtumat_ja") else kind
    path = ROOT / "data" / "samples" / sample
    if kind == "attendance":  # its events must be there first
        load(db, ROOT / "data" / "samples" / "tapahtumat.csv", kind="events", quarter="2023Q3")

    result = load(db, path, kind=kind, quarter="2023Q3")

    assert result.status == "accepted", [p.to_dict() for p in result.problems]


def test_load_gives_the_writer_connection_its_threads_back(db, tmp_path):
    path = clients_csv(tmp_path / "a.csv")
    meta = kept.UploadMeta("VALPAS2", "2021Q2", "clients", path.name, ingest.sha256_of(path))
    threads = "select current_setting('threads')"
    with warehouse.write(db) as con:
        before = con.sql(threads).fetchall()
        validated = ingest.validate_upload(path, "clients", ingest.load_context(con, "VALPAS2", "2021Q2"))

        assert ingest.apply_upload(con, validated, meta, None).status == "accepted"
        assert con.sql(threads).fetchall() == before
