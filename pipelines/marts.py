"""The marts: the files of ``sql/marts``, rebuilt in order for what a write changed.

Each file's creates and reads come from its SQL (``files``), so a write rebuilds only the marts that
read a table it changed (``build``). ``audit.marts_source`` records the SHA-256 of the mart files the
marts were built from (``sha256``): a warehouse built by other mart SQL is rebuilt whole (``refresh``).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import changes

SQL_DIR = Path(__file__).parent / "sql"


@dataclass(frozen=True)
class Mart:
    """One file of ``sql/marts``: what it creates and every relation its text names."""

    path: Path
    creates: frozenset[str]
    reads: frozenset[str]
    only_views: bool


@functools.cache
def files() -> tuple[Mart, ...]:
    """Return the mart files in build order, with what each creates and reads, taken from their SQL.

    Both come from DuckDB's parser and tokenizer (``pipelines.changes``), as a write's changes do: reads
    are every ``schema.table`` the SQL names outside comments and strings, and every bare name an earlier
    file created (the temporary view ``clients_as_at``).
    """
    found: list[Mart] = []
    for path in sorted((SQL_DIR / "marts").glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        made = changes.targets(sql)
        if made is None or any(not t.verb.startswith("create ") for t in made):
            raise ValueError(f"{path.name}: a mart file only creates tables and views")
        creates = frozenset(t.name for t in made)
        earlier = {name for mart in found for name in mart.creates if "." not in name}
        names = changes.relations(sql)
        named = {n for n in names if n.count(".") == 1 and n.split(".")[0] in changes.SCHEMAS}
        found.append(Mart(path, creates, frozenset((named | (names & earlier)) - creates),
                          all(t.verb == "create view" for t in made)))  # fmt: skip
    return tuple(found)


@functools.cache
def sha256() -> str:
    """Return a SHA-256 over the mart files' names and text: what a warehouse's marts were built from."""
    digest = hashlib.sha256()
    for mart in files():
        digest.update(mart.path.name.encode() + b"\0" + mart.path.read_bytes() + b"\0")
    return digest.hexdigest()


def refresh(con: duckdb.DuckDBPyConnection, changes: Iterable[str] | None) -> list[str]:
    """Bring the marts up to date after ``changes`` (see ``build``); return the files run.

    Every mart is rebuilt when ``changes`` is None or when the mart SQL differs from what the marts were
    built from (``audit.marts_source``), which a full rebuild then records.
    """
    if con.execute("select sha256 from audit.marts_source").fetchall() != [(sha256(),)]:
        changes = None
    ran = build(con, changes)
    if changes is None:
        con.execute("delete from audit.marts_source")
        con.execute("insert into audit.marts_source values (?)", [sha256()])
    return ran


def build(con: duckdb.DuckDBPyConnection, changes: Iterable[str] | None = None) -> list[str]:
    """Rebuild, in file order, the marts that read what changed (all when None); return the files run.

    A mart rebuilt counts as changed for the files after it. Files of views only always run: a view
    costs nothing to create, and a temporary one must exist in any connection that builds on it.
    """
    changed = None if changes is None else set(changes)
    ran = []
    for mart in files():
        stale = changed is None or not mart.reads.isdisjoint(changed)
        if stale or mart.only_views:
            con.execute(mart.path.read_text(encoding="utf-8"))
            ran.append(mart.path.name)
        if stale and changed is not None:
            changed |= mart.creates
    return ran
