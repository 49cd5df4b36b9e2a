"""The one module that talks to DuckDB: named read-only queries on the current published snapshot.

Each query is a file in ``queries/`` (one query per file, named after what it returns, parameters bound
as ``$name``), or in ``pipelines/sql/shared/`` for the few that ``pipelines.summary`` runs too (the client
profiles, coaches and participations behind the headline figures).

A rerun pins the snapshot that is current when it starts (``pin``), so every query of one
page sees one consistent warehouse, and the next rerun moves to a newly published snapshot. Connections
are cached per resolved snapshot file. Results of a query about one project are cached per that project's
data version (``project_versions.sql``), so a new snapshot re-runs only the queries of the project whose
upload made it; other results are cached per snapshot.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import streamlit as st

from dashboard import settings
from pipelines import changes, summary, warehouse

if TYPE_CHECKING:
    from dashboard.i18n import I18n

QUERIES = Path(__file__).parent / "queries"
QUERY_DIRS = (QUERIES, summary.SHARED)  # the pages' own queries, then those the summary shares
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


@st.cache_resource(show_spinner=False)
def upgraded(db: Path) -> list[str]:
    """Apply the migrations an existing warehouse lacks, once per process (``warehouse.upgrade``)."""
    return warehouse.upgrade(db)


def pin(db: Path | None = None) -> Path:
    """Pin this thread's queries to the snapshot current now (call at the start of every rerun)."""
    _pinned.db = db or settings.db_path()
    _pinned.snapshot = current(_pinned.db)
    return _pinned.snapshot


def pinned() -> Path:
    """Return the snapshot this thread's queries read: the pinned one, else the current one."""
    return getattr(_pinned, "snapshot", None) or current()


@cache
def query_files() -> dict[str, Path]:
    """Return every named query's file by name (``queries/`` and ``pipelines/sql/shared/``)."""
    found = [p for folder in QUERY_DIRS for p in folder.glob("*.sql")]
    files = {p.stem: p for p in sorted(found)}
    if len(files) != len(found):
        raise ValueError(f"a query name is in more than one of {[str(d) for d in QUERY_DIRS]}")
    return dict(sorted(files.items()))


@cache
def sql_text(name: str) -> str:
    """Return the text of the query ``name`` (``queries/<name>.sql`` or ``pipelines/sql/shared/``)."""
    path = query_files().get(name)
    if path is None:
        raise KeyError(f"no query {name!r} in {[str(d) for d in QUERY_DIRS]}")
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


# A new snapshot leaves the results of a project's older version in the cache until they are evicted; the
# time limit bounds how long they hold memory (a reader of the 1000x warehouse reached 695 MiB after a
# few minutes of uploads without it, see benchmarks/README.md).
@st.cache_data(max_entries=500, ttl="1h", show_spinner=False)
def _run(version: str, name: str, params: tuple[tuple[str, object], ...], _snapshot: str) -> pl.DataFrame:
    """Run a named query on a snapshot; cached by ``version`` (``_snapshot`` is not part of the key)."""
    with _connection(_snapshot).cursor() as cur:  # a cursor per call keeps concurrent sessions apart
        return cur.sql(sql_text(name), params=dict(params)).pl()


@st.cache_data(max_entries=8, show_spinner=False)
def _project_versions(snapshot: str) -> dict[str, str]:
    """Return each project's data version in a snapshot."""
    with _connection(snapshot).cursor() as cur:
        return dict(cur.sql(sql_text("project_versions")).fetchall())


def version(snapshot: Path, project: object = None) -> str:
    """Return the cache key of a query's result: the project's data version, else the snapshot itself.

    The warehouse's stable path is part of a project's key, so two warehouses never share results.
    """
    if project is None:
        return str(snapshot)
    data = _project_versions(str(snapshot)).get(str(project), "empty")
    db = getattr(_pinned, "db", None) or settings.db_path()
    return f"{db}#{project}@{data}"


def query(name: str, /, **params: object) -> pl.DataFrame:
    """Return the result of the query ``name`` with ``params`` bound, from the pinned snapshot."""
    wanted = parameters(name)
    if set(params) != wanted:
        raise TypeError(f"query {name!r} takes {sorted(wanted)}, got {sorted(params)}")
    snapshot = pinned()
    if (used := getattr(_pinned, "used", None)) is not None:
        used.append(name)
    return _run(version(snapshot, params.get("project")), name, tuple(sorted(params.items())), str(snapshot))


@contextlib.contextmanager
def recording() -> Iterator[list[str]]:
    """Note the names of the queries this thread runs inside the block (what a built figure came from)."""
    outer, _pinned.used = getattr(_pinned, "used", None), []
    try:
        yield _pinned.used
    finally:
        found, _pinned.used = _pinned.used, outer
        if outer is not None:
            outer.extend(found)


@cache
def reads(name: str) -> tuple[str, ...]:
    """The warehouse tables the query ``name`` reads (``marts.*``, ``ref.*``, ``audit.*``), by its SQL."""
    schemas = ("marts.", "ref.", "audit.")
    return tuple(sorted(r for r in changes.relations(sql_text(name)) if r.startswith(schemas)))


def places(project: str, tr: I18n) -> pl.DataFrame:
    """Return the project's municipalities (kunta) and wellbeing regions, named in the reader's language.

    One row per municipality: municipality_code, wellbeing_region_code, municipality, region.
    """
    return query("project_municipalities", project=project).select(
        "municipality_code",
        "wellbeing_region_code",
        pl.col(tr.municipality_name_col()).alias("municipality"),
        pl.col(tr.region_name_col()).alias("region"),
    )


def municipality_names(project: str, tr: I18n) -> dict[str, str]:
    """Return the names of the project's municipalities in the reader's language, by code."""
    return dict(places(project, tr).select("municipality_code", "municipality").iter_rows())


def region_names(tr: I18n) -> dict[str, str]:
    """Return the name of every wellbeing region (hyvinvointialue) in the reader's language, by code."""
    ref = query("wellbeing_regions")
    return dict(ref.select("wellbeing_region_code", tr.region_name_col("")).iter_rows())


@contextlib.contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a cursor on the pinned snapshot, for pipelines functions that take a connection."""
    with _connection(str(pinned())).cursor() as cur:
        yield cur


def refresh() -> Path:
    """After this process published a snapshot: pin it, so this rerun already reads the new figures.

    No cache is cleared: results are keyed by project data version, so only the changed project's
    queries run again, and the other projects' results stay warm for every session.
    """
    return pin()
