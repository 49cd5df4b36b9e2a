"""The one module that talks to DuckDB: named read-only queries on the current published snapshot.

Each query is a file in ``queries/`` (one query per file, named after what it returns, parameters bound
as ``$name``). A rerun pins the snapshot that is current when it starts (``pin``), so every query of one
page sees one consistent warehouse, and the next rerun moves to a newly published snapshot. Connections
are cached per resolved snapshot file, results per snapshot, query and parameters.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from dashboard import settings
from pipelines import warehouse

QUERIES = Path(__file__).parent / "queries"
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_pinned = threading.local()  # Streamlit runs each session's script in its own thread


class NoWarehouse(FileNotFoundError):
    """The configured warehouse does not exist (yet)."""


def current(db: Path | None = None) -> Path:
    """Return the resolved file of the current snapshot of ``db`` (default: the configured warehouse)."""
    db = db or settings.db_path()
    snapshot = warehouse.current_snapshot(db)
    if snapshot is None:
        raise NoWarehouse(str(db))
    return snapshot


def pin(db: Path | None = None) -> Path:
    """Pin this thread's queries to the snapshot current now (call at the start of every rerun)."""
    _pinned.snapshot = current(db)
    return _pinned.snapshot


def pinned() -> Path:
    """Return the snapshot this thread's queries read: the pinned one, else the current one."""
    return getattr(_pinned, "snapshot", None) or current()


@cache
def sql_text(name: str) -> str:
    """Return the text of ``queries/<name>.sql``."""
    path = QUERIES / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query {name!r} in {QUERIES}")
    return path.read_text(encoding="utf-8")


def parameters(name: str) -> set[str]:
    """Return the ``$name`` parameters the query binds."""
    return set(_PARAM.findall(_without_comments(sql_text(name))))


def declared_columns(name: str) -> list[str]:
    """Return the columns the query promises in its ``-- columns: a, b`` header line."""
    for line in sql_text(name).splitlines():
        if line.startswith("-- columns:"):
            return [c.strip() for c in line.removeprefix("-- columns:").split(",") if c.strip()]
    raise ValueError(f"query {name!r} has no '-- columns:' header")


def _without_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


@st.cache_resource(max_entries=3, show_spinner=False, on_release=_close)
def _connection(snapshot: str) -> duckdb.DuckDBPyConnection:
    """Open one snapshot file read-only (its name never changes content, so it is the cache key)."""
    return warehouse.connect_reader(snapshot)


@st.cache_data(max_entries=1000, show_spinner=False)
def _run(snapshot: str, name: str, params: tuple[tuple[str, object], ...]) -> pl.DataFrame:
    """Run a named query on a snapshot; a cursor per call keeps concurrent sessions apart."""
    with _connection(snapshot).cursor() as cur:
        return cur.sql(sql_text(name), params=dict(params)).pl()


def query(name: str, /, **params: object) -> pl.DataFrame:
    """Return the result of ``queries/<name>.sql`` with ``params`` bound, from the pinned snapshot."""
    wanted = parameters(name)
    if set(params) != wanted:
        raise TypeError(f"query {name!r} takes {sorted(wanted)}, got {sorted(params)}")
    return _run(str(pinned()), name, tuple(sorted(params.items())))


@contextlib.contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a cursor on the pinned snapshot, for pipelines functions that take a connection."""
    with _connection(str(pinned())).cursor() as cur:
        yield cur


def refresh() -> Path:
    """After this process published a snapshot: drop cached results and pin the new snapshot."""
    _run.clear()  # keyed by snapshot, so nothing stale could show; this frees the old snapshot's results
    return pin()
