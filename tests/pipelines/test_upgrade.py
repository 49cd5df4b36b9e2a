"""A warehouse written by an older version gets the migrations it lacks before the app reads it."""

from __future__ import annotations

import duckdb

from pipelines import warehouse


def test_an_older_warehouse_is_upgraded_once_and_then_left_alone(tmp_path) -> None:
    db = tmp_path / "warehouse.duckdb"
    warehouse.ensure(db)
    assert warehouse.pending_migrations(db) == []
    newest = "007_upload_municipalities"
    with warehouse.write(db) as con:  # as the version before 007 left it
        con.execute("drop table audit.upload_municipalities")
        con.execute("delete from main.schema_migrations where version = ?", [newest])
    assert warehouse.pending_migrations(db) == [newest]
    before = warehouse.current_snapshot(db)
    assert warehouse.upgrade(db) == [newest]
    assert warehouse.current_snapshot(db) != before  # published as a new snapshot
    con = duckdb.connect(str(warehouse.current_snapshot(db)), read_only=True)
    versions = {r[0] for r in con.execute("select version from main.schema_migrations").fetchall()}
    con.close()
    assert newest in versions
    assert warehouse.upgrade(db) == []
    assert warehouse.pending_migrations(tmp_path / "none.duckdb") == []
