"""Fixtures for pipeline tests: real files in tmp_path, real DuckDB warehouses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import warehouse

HEADER = (
    "asiakastunnus;kunta;ikäryhmä;sukupuoli;aloituspäivä;lopetuspäivä;tilanne_alussa;"
    "pitkäaikaistyötön;tilanne_lopussa;jatkopolku;valmentaja"
)
VALID_ROWS = (
    "KIT-001;Kittilä;18-24;nainen;1.2.2021;;työtön;kyllä;;;Valmentaja A",
    "KIT-002;261;25–29;mies;15.3.2021;30.6.2021;opiskelija;;opiskelija;koulutus;Valmentaja A",
    "KIT-003;kittilä;30-40;;2.1.2021;31.3.2021;työelämän ulkopuolella;;;keskeytti;Valmentaja B",
)


def clients_csv(path: Path, rows=VALID_ROWS, *, encoding: str = "cp1252", header: str = HEADER) -> Path:
    """Write a clients file as Excel in the Finnish locale saves it: ';', CRLF, cp1252 by default."""
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An empty warehouse (migrations and reference data only)."""
    return warehouse.ensure(tmp_path / "wh" / "warehouse.duckdb")


@pytest.fixture(scope="session")
def demo_db(warehouse: Path) -> Path:
    """The demo warehouse, built once per session by the real pipeline (``tests/conftest.py``). Do not
    write to it."""
    return warehouse


def rows(db: Path, sql: str) -> list[tuple]:
    """The rows of ``sql`` on the current snapshot of ``db``."""
    con = warehouse.connect_reader(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def snapshot_state(db: Path) -> dict[str, list[tuple]]:
    """Return every staging and marts table's full contents, for 'nothing changed' assertions."""
    con = warehouse.connect_reader(db)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('staging', 'marts') order by all"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f'select * from {s}."{t}" order by all').fetchall() for s, t in tables
        }
    finally:
        con.close()


def summary_json(db: Path, project: str = "VALPAS2") -> dict:
    """Run ``python -m pipelines summary`` on a warehouse and return its JSON."""
    out = subprocess.run(
        [sys.executable, "-m", "pipelines", "summary", "--db", str(db), "--project", project],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)
