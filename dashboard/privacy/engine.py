"""Disclosure control of a whole release at once (issue 15): primary and secondary cell suppression.

``protect(atoms, tables, min_cell=5)`` computes every declared cell's value from the atoms (the microdata
rows of ``client_profiles``), hides the cells of 1..min_cell-1 (primary) and then complements (secondary)
until the rule of CONTRACT.md holds, proven by integer programs before it returns:

The attacker model (``_Model``). Unknown non-negative integer counts ``y_j``, one per combination of the
attribute values the declared dims use (the cross-classification, not only the combinations the data
hold), minus the combinations the data contract rules out: an active client has no exit status and no
pathway, an ended one has both; ``is_progressed`` follows from the pathway; long-term unemployed only when
unemployed at entry; a municipality lies in one region. Every shown cell is an equation
``sum(y in cell) == value``, every hidden cell ``sum(y in cell) >= 1`` (zeros are never hidden), and the
combinations inside a shown zero are fixed at 0 and dropped. A hidden cell whose true value is
1..min_cell-1 is protected when at least three integer values of it stay feasible: its integer minimum and
maximum, and, when the true value is one of them, a third value found strictly between or beyond.

Secondary suppression. Greedy: while some sensitive cell is not protected, hide the smallest shown
non-zero sibling (a cell sharing a shown total with it that is not a total over it; ties by declaration
order). Protection only grows with
hiding (a shown equation becomes the weaker ">= 1"), so this ends; if even hiding every hideable cell
cannot protect a cell, the tables holding it are refused. Every check is an integer program solved with
HiGHS (``highspy``); the independent audit in ``tests/privacy/test_audit.py`` re-checks with OR-Tools.

Cells of ``exact`` tables are part of what the attacker knows: always shown, never hidden.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from dashboard.privacy.model import COUNT, Model, combinations, matches


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    cells: tuple[Mapping, ...]
    exact: bool = False


def _norm_value(v: object) -> object:
    if isinstance(v, list | tuple | set | frozenset):
        return tuple(sorted(v, key=lambda x: (x is None, str(x))))
    return v


def normalise(dims: Mapping) -> frozenset:
    """A cell's key: its conditions, a list or tuple as a sorted tuple ("any of them")."""
    return frozenset((k, _norm_value(v)) for k, v in dims.items())


@dataclass(frozen=True)
class Decision:
    min_cell: int
    values: Mapping[frozenset, int]
    hidden: frozenset[frozenset]
    refused: frozenset[str]
    stats: Mapping[str, float] = field(default_factory=dict)

    def key(self, dims: Mapping) -> frozenset:
        return normalise(dims)

    def value(self, dims: Mapping) -> int | None:
        key = normalise(dims)
        value = self.values[key]  # KeyError: never declared
        return None if key in self.hidden else value

    def is_hidden(self, dims: Mapping) -> bool:
        key = normalise(dims)
        if key not in self.values:
            raise KeyError(dims)
        return key in self.hidden


TIME_CAP = 20.0  # seconds of greedy search before hiding every hideable cell
_CACHE: dict[str, Decision] = {}


def _digest(atoms: pl.DataFrame, tables: Sequence[Table], min_cell: int) -> str:
    h = hashlib.sha256()
    h.update(atoms.sort(atoms.columns).write_csv().encode())
    spec = [(t.key, t.exact, [sorted(map(repr, normalise(c))) for c in t.cells]) for t in tables]
    h.update(json.dumps([spec, min_cell]).encode())
    return h.hexdigest()


def protect(atoms: pl.DataFrame, tables: Sequence[Table], *, min_cell: int = 5) -> Decision:
    """Decide what is shown of every cell of ``tables`` together (see the module docstring)."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise ValueError(f"min_cell must be a whole number of at least 1, not {min_cell!r}")
    digest = _digest(atoms, tables, min_cell)
    if digest in _CACHE:
        return _CACHE[digest]
    started = time.perf_counter()
    keys: list[frozenset] = []
    where: dict[frozenset, int] = {}
    in_tables: dict[int, set[str]] = {}
    exact: set[int] = set()
    for t in tables:
        for dims in t.cells:
            k = normalise(dims)
            if k not in where:
                where[k] = len(keys)
                keys.append(k)
            c = where[k]
            in_tables.setdefault(c, set()).add(t.key)
            if t.exact:
                exact.add(c)
    attrs = sorted({a for k in keys for a, _ in k})
    for a in attrs:
        if a not in atoms.columns:
            raise ValueError(f"dims use {a!r}, which the atoms do not have")
    counts = atoms[COUNT].to_numpy() if atoms.height else np.zeros(0, dtype=np.int64)
    values = [int(counts[matches(atoms, k)].sum()) for k in keys]
    combos = combinations(atoms, attrs)
    model = Model(combos, keys, values)
    known = {model.members[c].tobytes() for c in exact}
    exact |= {c for c in range(len(keys)) if model.members[c].tobytes() in known}  # the same clients

    hidden = {c for c, v in enumerate(values) if 1 <= v < min_cell and c not in exact}
    sensitive = sorted(hidden)
    refused: set[str] = set()
    todo = sensitive
    capped = False
    while todo:
        counts3 = model.feasible_values(hidden, todo)
        failing = [c for c in todo if counts3[c] < 3]
        if not failing:
            break
        open_cells = [d for d, v in enumerate(values) if d not in hidden and v > 0 and d not in exact]
        if time.perf_counter() - started > TIME_CAP and not capped:  # safe fallback: hide what may be hidden
            capped = True
            hidden.update(open_cells)
            todo = failing
            continue
        picks: set[int] = set()
        for c in failing:  # one sibling for every failing cell a round
            options = [d for d in open_cells if d not in picks and not model.contains(d, c)]
            near = [e for e in range(len(keys)) if e not in hidden and model.overlaps(c, e)]
            siblings = [d for d in options if any(model.overlaps(e, d) for e in near)]
            options = siblings or options
            if options:
                picks.add(min(options, key=lambda d: (values[d], d)))
            elif not any(d not in picks for d in open_cells):
                refused |= in_tables[c]
                for t in tables:
                    if t.key in in_tables[c]:
                        hidden.update(where[normalise(d)] for d in t.cells if values[where[normalise(d)]] > 0)
        hidden |= picks
        todo = [c for c in failing if not refused & in_tables[c]]
    # the audit: every sensitive cell of a table that is drawn keeps three values
    drawn = [c for c in sensitive if not (in_tables[c] & refused)]
    final = model.feasible_values(hidden, drawn)
    if any(final[c] < 3 for c in drawn):  # pragma: no cover - the loop above guarantees it
        raise AssertionError("suppression left a small cell pinned")
    hideable = [c for c in range(len(keys)) if c not in exact]
    decision = Decision(
        min_cell=min_cell,
        values=dict(zip(keys, values, strict=True)),
        hidden=frozenset(keys[c] for c in hidden),
        refused=frozenset(refused),
        stats={
            "clients_hidden": float(sum(values[c] for c in hidden)),
            "clients_in_breakdowns": float(sum(values[c] for c in hideable)),
            "cells": float(len(keys)),
            "cells_hidden": float(len(hidden)),
            "primary": float(len(sensitive)),
            "combinations": float(model.n_vars),
            "solve_seconds": time.perf_counter() - started,
            "capped": float(capped),
        },
    )
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[digest] = decision
    return decision
