"""Which tables SQL writes and reads, told by DuckDB's own parser and tokenizer (comments are not names).

The one mechanism behind "which tables did a write change": ``warehouse.write`` hands its block a
``Tracked`` connection that reads every statement it runs for the tables it writes (``written``), and
``marts.files`` reads each mart file for what it creates and reads (``targets``, ``relations``), so
the marts rebuilt after a write are exactly those that read what it wrote. Nothing is listed by hand.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import duckdb

SCHEMAS = frozenset({"staging", "ref", "marts", "audit", "main"})  # the warehouse's schemas
Kind = duckdb.StatementType
# Statements that change no table's rows; any type not here nor in _TARGET may, in ways not read here.
_READS_ONLY = frozenset({Kind.SELECT, Kind.EXPLAIN, Kind.SET, Kind.VARIABLE_SET, Kind.TRANSACTION, Kind.CALL,
                         Kind.PRAGMA, Kind.ANALYZE, Kind.VACUUM, Kind.LOAD, Kind.EXTENSION})  # fmt: skip
_TARGET = {  # statement type -> (its verb, the keywords its target may follow: None, right after the verb)
    Kind.INSERT: ("insert", {"into"}),
    Kind.UPDATE: ("update", None),
    Kind.DELETE: ("delete", {"from"}),
    Kind.MERGE_INTO: ("merge", {"into"}),
    Kind.CREATE: ("create", {"table", "view"}),
    Kind.DROP: ("drop", {"table", "view"}),
    Kind.ALTER: ("alter", {"table", "view"}),
    Kind.COPY: ("copy", None),  # COPY t FROM a file writes t; COPY t TO a file reads it
}
_NAME = (duckdb.token_type.identifier, duckdb.token_type.keyword)  # a table may be named like a keyword


@dataclass(frozen=True)
class Target:
    """One table a statement writes: how (``insert``, ``create view``...) and its lower-case name."""

    verb: str
    name: str


def _tokens(sql: str) -> list[tuple[str, duckdb.token_type]]:
    """Return the tokens of ``sql`` as (text, type), without comments; quoted identifiers unquoted."""
    found, raw = duckdb.tokenize(sql), sql.encode("utf-8")  # offsets count bytes, not characters
    ends = [start for start, _ in found[1:]] + [len(raw)]
    out = []
    for (start, kind), end in zip(found, ends, strict=True):
        if kind == duckdb.token_type.comment:
            continue
        text = raw[start:end].decode("utf-8").strip()
        if kind == duckdb.token_type.identifier and text.startswith('"'):
            text = text[1:-1].replace('""', '"')
        else:
            text = text.lower() if kind in _NAME else text
        out.append((text, kind))
    return out


def _names(tokens: list[tuple[str, duckdb.token_type]]) -> list[tuple[str, bool]]:
    """Join ``a . b`` into one name; return every token's text with whether it is a name."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(tokens):
        text, kind = tokens[i]
        if kind not in _NAME:
            out.append((text, False))
            i += 1
            continue
        parts = [text.lower()]
        while i + 2 < len(tokens) and tokens[i + 1][0] == "." and tokens[i + 2][1] in _NAME:
            parts.append(tokens[i + 2][0].lower())
            i += 2
        out.append((".".join(parts), kind == duckdb.token_type.identifier or len(parts) > 1))
        i += 1
    return out


def _target(statement: duckdb.Statement) -> Target | None:
    """Return the table a write statement writes, or None when it cannot be told."""
    verb, after = _TARGET[statement.type]
    words = _names(_tokens(statement.query))
    texts = [t for t, _ in words]
    if verb not in texts:
        return None
    i, kind = texts.index(verb) + 1, ""
    if after is not None:
        while i < len(texts) and texts[i] not in after:
            i += 1
        kind = texts[i] if i < len(texts) else ""
        i += 1
    while i < len(texts) and texts[i] in ("if", "not", "exists"):
        i += 1
    if statement.type == Kind.COPY and texts[i : i + 1] == ["("]:
        return Target("copy to", "")  # COPY (query) TO a file: a read
    if i >= len(words) or not words[i][1]:
        return None
    if statement.type == Kind.COPY and (i + 1 >= len(texts) or texts[i + 1] != "from"):
        return Target("copy to", "")  # a read: nothing written
    how = f"{verb} {kind}" if statement.type == Kind.CREATE else verb
    return Target(how, texts[i])


@functools.lru_cache(maxsize=512)  # writers run the same few texts; DuckDB's parser takes ~0.5 ms a call
def targets(sql: str) -> tuple[Target, ...] | None:
    """Return what each statement of ``sql`` writes, in order; None when some write cannot be told."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error:  # the statement itself will fail, with its own message
        return None
    out = []
    for statement in statements:
        if statement.type in _READS_ONLY:
            continue
        if statement.type not in _TARGET:
            return None
        found = _target(statement)
        if found is None:
            if statement.type == Kind.CREATE:  # an index, a schema, a sequence or a macro: no rows
                continue
            return None
        if found.name:
            out.append(found)
    return tuple(out)


def written(sql: str) -> frozenset[str] | None:
    """Return the tables ``sql`` writes (``"staging.clients"``), or None when it cannot be told."""
    found = targets(sql)
    return None if found is None else frozenset(t.name for t in found)


def relations(sql: str) -> frozenset[str]:
    """Return every name in ``sql`` outside comments and strings: ``schema.table`` and bare names."""
    return frozenset(text for text, is_name in _names(_tokens(sql)) if is_name)


class Tracked:
    """A read-write connection that notes the tables its statements write, in ``changed``.

    ``execute`` and ``executemany`` read their SQL for its targets (``written``); ``register`` and
    ``unregister`` name in-memory frames, never tables. Anything else (``sql``, a relation, a cursor)
    is not read, so it makes ``changed`` unknown (None), as does a write to a name without a schema:
    every mart is then rebuilt.
    """

    _SAFE = frozenset({"register", "unregister"})

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.changed: set[str] | None = set()

    def _note(self, sql: str) -> None:
        found = written(sql)
        if found is None or self.changed is None or any("." not in name for name in found):
            self.changed = None
        else:
            self.changed |= found

    def execute(self, query: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        """Run one or more statements, noting the tables they write."""
        self._note(query)
        return self.con.execute(query, parameters)

    def executemany(self, query: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        """Run a statement once per parameter set, noting the table it writes."""
        self._note(query)
        return self.con.executemany(query, parameters)

    def __getattr__(self, name: str) -> object:
        if name not in self._SAFE:
            self.changed = None
        return getattr(self.con, name)
