"""Which tables a write changed: one mechanism (``pipelines.changes``), checked against the data itself."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines import changes, ingest, marts, rollback, users, warehouse
from pipelines.users import User
from tests.pipelines.conftest import clients_csv

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"


def checksums(db: Path) -> dict[str, str]:
    """Return a digest of every base table's rows outside the marts (the marts follow on their own)."""
    con = warehouse.connect_reader(db)
    try:
        tables = con.execute(
            """select table_schema, table_name from information_schema.tables
               where table_type = 'BASE TABLE' and table_schema <> 'marts' order by all"""
        ).fetchall()
        return {
            f"{s}.{t}": hashlib.sha256(
                repr(con.execute(f'select * from {s}."{t}" order by all').fetchall()).encode()
            ).hexdigest()
            for s, t in tables
        }
    finally:
        con.close()


def check_report(db: Path, name: str, write: Callable[[], object], reported: list) -> None:
    """Run ``write``; fail unless the tables it reported are exactly those whose rows it changed."""
    before = checksums(db)
    write()
    after = checksums(db)
    changed = {table for table in after if before.get(table) != after[table]}
    said = reported[-1]
    assert said is not None, f"{name}: the writer's changes could not be told"
    assert changed <= said, f"{name} under-reported: {sorted(changed - said)} changed"
    assert said == changed, f"{name} reported tables it left as they were: {sorted(said - changed)}"
    assert changed, f"{name} changed nothing: the test would not see an under-report"


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A writable warehouse holding the demo's current snapshot."""
    db = tmp_path / "wh" / "warehouse.duckdb"
    snapshot = warehouse.private_dir(warehouse.snapshot_dir(db)) / "000001.duckdb"
    shutil.copyfile(warehouse.current_snapshot(demo_db), snapshot)
    db.symlink_to(os.path.relpath(snapshot, db.parent))
    return db


@pytest.fixture
def reported(monkeypatch) -> list[frozenset[str] | None]:
    """What each write reported it changed, as ``marts.refresh`` was given it."""
    calls: list[frozenset[str] | None] = []
    real = marts.refresh

    def recording(con, changed):
        calls.append(None if changed is None else frozenset(changed))
        return real(con, changed)

    monkeypatch.setattr(marts, "refresh", recording)
    return calls


def test_every_writer_reports_every_table_whose_rows_it_changed(demo_copy, tmp_path, reported):
    db = demo_copy

    def load(path: Path, kind: str, quarter: str = "2023Q3") -> ingest.LoadResult:
        return ingest.load_file(db, path, project_code="VALPAS2", quarter=quarter, kind=kind)

    def kittila_back() -> ingest.LoadResult:
        con = warehouse.connect_reader(db)
        demo_list = rollback.rollback_targets(con, "VALPAS2", "261", "2023Q3")[0]  # the demo's own list
        con.close()
        return rollback.rollback(db, project_code="VALPAS2", municipality_code="261", quarter="2023Q3",
                                 to_upload_id=demo_list, user=User("root", "admin"))  # fmt: skip

    def account() -> None:
        with warehouse.write(db) as con:
            users.add_user(con, "anna", "salasana-123", "coordinator", "VALPAS2", ["261"])

    writers = {  # every kind of write there is, in an order where each changes something
        "clients": lambda: load(SAMPLES / "asiakkaat_excel_fi.csv", "clients"),
        "clients again, unchanged": lambda: load(SAMPLES / "asiakkaat_excel_fi.csv", "clients"),
        "rollback": kittila_back,
        "a new list beside it": lambda: load(clients_csv(tmp_path / "k.csv"), "clients", "2021Q2"),
        "events": lambda: load(SAMPLES / "tapahtumat.csv", "events"),
        "attendance": lambda: load(SAMPLES / "osallistumiset.csv", "attendance"),
        "workbook": lambda: load(SAMPLES / "tapahtumat_ja_osallistumiset.xlsx", "workbook"),
        "account": account,
    }
    for name, write in writers.items():
        check_report(db, name, write, reported)
    assert len(reported) == len(writers)


def test_the_check_fails_a_writer_that_under_reports(demo_copy, reported, monkeypatch):
    """A loader whose tracker forgets ``staging.clients`` (its marts would go stale) fails the check."""
    told = changes.written

    def forgetful(sql: str) -> frozenset[str] | None:
        found = told(sql)
        return None if found is None else found - {"staging.clients"}

    monkeypatch.setattr(changes, "written", forgetful)
    load = functools.partial(ingest.load_file, demo_copy, SAMPLES / "asiakkaat_excel_fi.csv",
                             project_code="VALPAS2", quarter="2023Q3", kind="clients")  # fmt: skip
    with pytest.raises(AssertionError, match=r"clients under-reported: \['staging.clients'\] changed"):
        check_report(demo_copy, "clients", load, reported)
    assert "staging.clients" not in reported[-1]


def test_a_rejected_file_writes_no_snapshot(demo_copy, tmp_path, reported):
    before = checksums(demo_copy)
    bad = clients_csv(tmp_path / "bad.csv", ["KIT-009;Oulu"])
    result = ingest.load_file(demo_copy, bad, project_code="VALPAS2", quarter="2023Q3", kind="clients")
    assert result.status == "rejected" and reported == [] and checksums(demo_copy) == before


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "-- delete from staging.events\nselect * from ref.projects where name = 'update audit.users'",
            set(),
        ),
        (
            'update staging."client_snapshots" set upload_id = $id where quarter = $quarter',
            {"staging.client_snapshots"},
        ),
        ("insert or replace into audit.warehouse_info values (?, ?)", {"audit.warehouse_info"}),
        ("insert into audit.users values (1) on conflict do update set x = 1", {"audit.users"}),
        (
            "with x as (select * from staging.events) delete from staging.attendance a using x",
            {"staging.attendance"},
        ),
        ("delete from ref.pathways; insert into ref.pathways values (1); select 1", {"ref.pathways"}),
        ("create or replace table marts.q as select * from staging.clients", {"marts.q"}),
        ("-- Yhdessä: bytes, not characters\nalter table ref.projects add column x int", {"ref.projects"}),
        ("copy staging.events from 'events.csv'", {"staging.events"}),
        ("copy staging.events to 'events.csv'", set()),
        ("create index ix on staging.clients (upload_id); checkpoint; set threads = 1", set()),
        ("prepare p as delete from staging.events", None),  # run later: unknown
        ("delete from staging.events where x = ? and y = $y", None),  # not even SQL: it will fail itself
    ],
)
def test_the_tables_a_statement_writes(sql, expected):
    assert changes.written(sql) == (None if expected is None else frozenset(expected))


def test_names_in_comments_and_strings_are_not_read():
    sql = "-- staging.events\nselect 'marts.quarters' from ref.projects p join clients_as_at c using (x)"
    assert {n for n in changes.relations(sql) if "." in n} == {"ref.projects"}
    assert "clients_as_at" in changes.relations(sql)
