"""Marts rebuilt for what changed: every write's published marts equal a full rebuild of its snapshot."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import changes, ingest, marts, rollback, users, warehouse
from pipelines.users import User
from tests.pipelines.conftest import VALID_ROWS, clients_csv

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
CLIENT_MARTS = {"010_quarters.sql", "020_client_counts.sql", "025_pathway_durations.sql", "030_coaches.sql"}
EVENT_MARTS = {"010_quarters.sql", "040_participations.sql"}
VIEWS = {"015_current_clients.sql"}
EVERY_MART = CLIENT_MARTS | EVENT_MARTS | VIEWS


def marts_of(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    return {t: con.execute(f'select * from marts."{t}" order by all').fetchall() for (t,) in tables}


def assert_marts_are_current(db: Path, tmp_path: Path) -> None:
    """The published marts are exactly what rebuilding every mart of the same snapshot gives."""
    published = warehouse.connect_reader(db)
    try:
        kept = marts_of(published)
    finally:
        published.close()
    scratch = tmp_path / f"full-{len(list(tmp_path.glob('full-*')))}.duckdb"
    shutil.copyfile(warehouse.current_snapshot(db), scratch)
    con = duckdb.connect(str(scratch))
    try:
        marts.build(con)
        assert marts_of(con) == kept
    finally:
        con.close()


@pytest.fixture
def ran(monkeypatch) -> list[list[str]]:
    """The mart files each ``marts.build`` call ran, call by call."""
    calls: list[list[str]] = []
    real = marts.build

    def recording(con, changes=None):
        calls.append(real(con, changes))
        return calls[-1]

    monkeypatch.setattr(marts, "build", recording)
    return calls


def load(db: Path, path: Path, kind: str, quarter: str = "2023Q3") -> ingest.LoadResult:
    return ingest.load_file(db, path, project_code="VALPAS2", quarter=quarter, kind=kind)


def test_what_each_mart_reads_comes_from_its_sql():
    by_file = {m.path.name: m for m in marts.files()}

    assert by_file["020_client_counts.sql"].reads == {"clients_as_at", "ref.municipalities", "ref.pathways"}
    assert by_file["040_participations.sql"].creates == {
        "marts.events",
        "marts.participations",
        "marts.open_events",
    }
    assert by_file["040_participations.sql"].reads == {"staging.events", "staging.attendance"}
    assert [name for name, m in by_file.items() if m.only_views] == sorted(VIEWS)


def test_only_what_a_change_reaches_is_rebuilt(tmp_path):
    con = duckdb.connect(str(warehouse.ensure(tmp_path / "w.duckdb").resolve()))
    try:
        assert set(marts.build(con)) == EVERY_MART
        only_clients = (CLIENT_MARTS | VIEWS) - {"010_quarters.sql"}  # quarters read the snapshots
        assert set(marts.build(con, {"staging.clients"})) == only_clients
        assert set(marts.build(con, {"staging.attendance"})) == {"040_participations.sql"} | VIEWS
        assert set(marts.build(con, {"staging.events"})) == EVERY_MART  # its quarters too
        assert set(marts.build(con, {"audit.users"})) == VIEWS
    finally:
        con.close()


def test_each_kind_of_write_publishes_current_marts(db, tmp_path, ran):
    events = load(db, SAMPLES / "tapahtumat.csv", "events")
    assert events.status == "accepted" and set(ran[-1]) == EVERY_MART
    assert_marts_are_current(db, tmp_path)

    load(db, SAMPLES / "osallistumiset.csv", "attendance")
    assert set(ran[-1]) == {"040_participations.sql"} | VIEWS
    assert_marts_are_current(db, tmp_path)

    first = load(db, clients_csv(tmp_path / "a.csv"), "clients", "2021Q2")
    assert "040_participations.sql" not in ran[-1] and "020_client_counts.sql" in ran[-1]
    assert_marts_are_current(db, tmp_path)

    load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:2]), "clients", "2021Q2")
    assert_marts_are_current(db, tmp_path)

    rollback.rollback(
        db,
        project_code="VALPAS2",
        municipality_code="261",
        quarter="2021Q2",
        to_upload_id=first.upload_id,
        user=User("root", "admin"),
    )
    assert "020_client_counts.sql" in ran[-1] and "040_participations.sql" not in ran[-1]
    assert_marts_are_current(db, tmp_path)

    load(db, SAMPLES / "tapahtumat_ja_osallistumiset.xlsx", "workbook")
    assert set(ran[-1]) == EVERY_MART
    assert_marts_are_current(db, tmp_path)


def test_writes_that_change_no_data_rebuild_no_table(db, tmp_path, ran):
    path = clients_csv(tmp_path / "a.csv")
    load(db, path, "clients", "2021Q2")

    assert load(db, path, "clients", "2021Q2").status == "unchanged"
    assert set(ran[-1]) == VIEWS
    assert load(db, clients_csv(tmp_path / "bad.csv", ["KIT-009;Oulu"]), "clients").status == "rejected"
    assert set(ran[-1]) == VIEWS
    with warehouse.write(db) as con:
        users.add_user(con, "anna", "salasana-123", "viewer")
    assert set(ran[-1]) == VIEWS
    assert_marts_are_current(db, tmp_path)


def test_any_statement_of_a_write_is_read_for_what_it_changes(db, ran):
    with warehouse.write(db) as con:
        con.execute("delete from staging.attendance")

    assert set(ran[-1]) == {"040_participations.sql"} | VIEWS


def test_a_write_the_tracker_cannot_read_rebuilds_every_mart(db, ran):
    with warehouse.write(db) as con:
        con.sql("select 1")  # a relation could write where no statement says so
    assert set(ran[-1]) == EVERY_MART
    with warehouse.write(db) as con:
        con.execute("prepare wipe as delete from staging.attendance")  # run later: its target is not read
    assert set(ran[-1]) == EVERY_MART


def test_marts_built_from_other_mart_sql_are_all_rebuilt_once(db, ran, monkeypatch):
    monkeypatch.setattr(marts, "sha256", lambda: "the mart files after an update")
    with warehouse.write(db) as con:
        users.add_user(con, "anna", "salasana-123", "viewer")
    with warehouse.write(db) as con:
        users.remove_user(con, "anna")

    assert [set(r) for r in ran] == [EVERY_MART, VIEWS]
    con = warehouse.connect_reader(db)
    assert con.sql("select sha256 from audit.marts_source").fetchall() == [
        ("the mart files after an update",)
    ]
    con.close()


def test_every_mart_is_read_by_a_query_a_summary_or_a_later_mart():
    """A mart nothing reads is rebuilt on every write for nothing (``marts.status_flows`` was)."""
    folders = [ROOT / "dashboard" / "queries"]
    folders += [warehouse.SQL_DIR / f for f in ("shared", "summary", "preview")]
    readers = [p for folder in folders for p in folder.glob("*.sql")]
    # names as DuckDB's tokenizer reads them, as for the marts: a table named in a comment is not read
    read = set().union(*(changes.relations(p.read_text(encoding="utf-8")) for p in readers))
    read |= set().union(*(m.reads for m in marts.files()))
    made = [name for m in marts.files() for name in sorted(m.creates)]
    assert len(made) >= 8 and [n for n in made if n not in read] == []
    assert "marts.quarters" not in changes.relations("-- marts.quarters\nselect 'marts.quarters'")
