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

import highspy
import numpy as np
import polars as pl

COUNT = "n_clients"
UNEMPLOYED = "unemployed"
BIG = 10**6  # an upper bound on any count: a range reaching it has far more than three values
MAX_COMBINATIONS = 200_000  # beyond this the model uses only the combinations the data hold (stronger)


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


def _matches(frame: pl.DataFrame, key: frozenset) -> np.ndarray:
    mask = np.ones(frame.height, dtype=bool)
    for attr, v in key:
        if attr not in frame.columns:
            raise ValueError(f"dims use {attr!r}, which the atoms do not have")
        col = frame[attr]
        if isinstance(v, tuple):
            m = col.is_in([x for x in v if x is not None]).fill_null(False).to_numpy()
            if None in v:
                m = m | col.is_null().to_numpy()
        elif v is None:
            m = col.is_null().to_numpy()
        else:
            m = (col == v).fill_null(False).to_numpy()
        mask &= m
    return mask


def _combinations(atoms: pl.DataFrame, attrs: list[str]) -> pl.DataFrame:
    """The attacker's cells: every structurally possible combination of the used attributes' values."""
    if not attrs:
        return pl.DataFrame({"__one": [1]})
    data = atoms.select(attrs).unique()
    groups: list[pl.DataFrame] = []
    rest = set(attrs)

    def take(names: list[str], frame: pl.DataFrame) -> None:
        groups.append(frame)
        rest.difference_update(names)

    geo = [a for a in ("municipality_code", "wellbeing_region_code") if a in rest]
    if len(geo) == 2:  # the region is a function of the municipality
        take(geo, data.select(geo).unique())
    exit_attrs = [a for a in ("is_active", "status_at_exit", "pathway", "is_progressed") if a in rest]
    if len(exit_attrs) > 1 or exit_attrs == ["is_progressed"]:
        take(exit_attrs, _exit_group(data, exit_attrs))
    entry = [a for a in ("status_at_entry", "is_long_term_unemployed") if a in rest]
    if len(entry) == 2:
        ent = _product(data, entry)
        ent = ent.filter(
            pl.col("is_long_term_unemployed").is_null()
            | ~pl.col("is_long_term_unemployed")
            | (pl.col("status_at_entry") == UNEMPLOYED)
        )
        take(entry, ent)
    for a in sorted(rest):
        groups.append(data.select(a).unique())
    size = 1
    for g in groups:
        size *= g.height
    if size > MAX_COMBINATIONS:
        return data
    out = groups[0]
    for g in groups[1:]:
        out = out.join(g, how="cross")
    return out.select(attrs)


def _product(data: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    out = data.select(names[0]).unique()
    for n in names[1:]:
        out = out.join(data.select(n).unique(), how="cross")
    return out


def _non_null(data: pl.DataFrame, name: str) -> list:
    return [v for v in data[name].unique().to_list() if v is not None] if name in data.columns else []


def _exit_group(data: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Active <=> no exit status and no pathway; ended: both set; is_progressed follows the pathway."""
    exits = _non_null(data, "status_at_exit")
    paths = _non_null(data, "pathway")
    progressed: dict = {}
    if "pathway" in data.columns and "is_progressed" in data.columns:
        for p, g in data.select("pathway", "is_progressed").unique().iter_rows():
            progressed.setdefault(p, set()).add(g)
    prog_values = data["is_progressed"].unique().to_list() if "is_progressed" in data.columns else []
    rows = []
    has_exit, has_path = "status_at_exit" in names, "pathway" in names
    for active in (True, False):
        e_opts = [None] if active else (exits or [None])
        p_opts = [None] if active else (paths or [None])
        for e in e_opts if has_exit else [None]:
            for p in p_opts if has_path else [None]:
                if "is_progressed" in names:
                    if has_path:
                        g_opts = sorted(progressed.get(p, {None}), key=str)
                    else:
                        ended = [g for g in prog_values if g is not None]
                        g_opts = [None] if active else (ended or [None])
                else:
                    g_opts = [None]
                for g in g_opts:
                    rows.append({"is_active": active, "status_at_exit": e, "pathway": p, "is_progressed": g})
    if not rows:
        return data.select(names).unique()
    frame = pl.DataFrame({n: [r[n] for r in rows] for n in names}, schema={n: data.schema[n] for n in names})
    return frame.unique(maintain_order=True)


class _Model:
    """The attacker's integer program over the combinations, for one set of cells."""

    def __init__(self, combos: pl.DataFrame, keys: list[frozenset], values: list[int]) -> None:
        members = [np.flatnonzero(_matches(combos, k)) if k else np.arange(combos.height) for k in keys]
        dead = np.zeros(combos.height, dtype=bool)
        for m, v in zip(members, values, strict=True):
            if v == 0:
                dead[m] = True  # a shown zero fixes its combinations at 0
        live = np.flatnonzero(~dead)
        index = np.full(combos.height, -1)
        index[live] = np.arange(live.size)
        self.n_vars = int(live.size)
        self.members = [index[m[~dead[m]]] for m in members]
        self.values = values

    def overlaps(self, a: int, b: int) -> bool:
        return bool(np.intersect1d(self.members[a], self.members[b], assume_unique=True).size)

    def contains(self, a: int, b: int) -> bool:
        return bool(np.isin(self.members[b], self.members[a], assume_unique=True).all())

    def _highs(self, hidden: set[int], objective: int | None = None) -> highspy.Highs:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        n = self.n_vars
        h.addVars(n, np.zeros(n), np.full(n, float(BIG)))
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
        lower, upper, starts, indices = [], [], [], []
        self.rows: dict[int, int] = {}
        for c, (m, v) in enumerate(zip(self.members, self.values, strict=True)):
            if v == 0 or m.size == 0:
                continue
            self.rows[c] = len(lower)
            lower.append(1.0 if c in hidden else float(v))
            upper.append(highspy.kHighsInf if c in hidden else float(v))
            starts.append(len(indices))
            indices.extend(m.tolist())
        if lower:
            h.addRows(
                len(lower),
                np.array(lower),
                np.array(upper),
                len(indices),
                np.array(starts, dtype=np.int32),
                np.array(indices, dtype=np.int32),
                np.ones(len(indices)),
            )
        return h

    def feasible_values(self, hidden: set[int], cells: Sequence[int]) -> dict[int, int]:
        """How many values (capped at 3) each of ``cells`` can take, given which cells are hidden."""
        h = self._highs(hidden)
        n = self.n_vars
        out = {}
        for c in cells:
            m = self.members[c]
            cost = np.zeros(n)
            cost[m] = 1.0
            h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
            bounds = []
            for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                h.changeObjectiveSense(sense)
                h.run()
                if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                    raise RuntimeError(
                        f"attacker model not solved: {h.modelStatusToString(h.getModelStatus())}"
                    )
                bounds.append(round(h.getInfo().objective_function_value))
            lo, hi = bounds
            v = self.values[c]
            if hi - lo < 2:
                out[c] = hi - lo + 1
            elif lo < v < hi:
                out[c] = 3
            else:  # the true value is an end: is another value strictly inside feasible?
                row = self.rows[c]
                h.changeRowBounds(row, lo + 1, hi - 1)
                h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
                h.run()
                ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
                h.changeRowBounds(row, 1.0, highspy.kHighsInf)
                out[c] = 3 if ok else 2
        return out


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
    values = [int(counts[_matches(atoms, k)].sum()) for k in keys]
    combos = _combinations(atoms, attrs)
    model = _Model(combos, keys, values)

    hidden = {c for c, v in enumerate(values) if 1 <= v < min_cell and c not in exact}
    sensitive = sorted(hidden)
    refused: set[str] = set()
    todo = sensitive
    while todo:
        counts3 = model.feasible_values(hidden, todo)
        failing = [c for c in todo if counts3[c] < 3]
        if not failing:
            break
        c = failing[0]
        open_cells = [d for d, v in enumerate(values) if d not in hidden and v > 0 and d not in exact]
        near = [e for e in range(len(keys)) if e not in hidden and model.overlaps(c, e)]
        options = [  # a sibling: shares a shown total with c, and is not itself a total over c
            d for d in open_cells
            if not model.contains(d, c) and any(model.overlaps(e, d) for e in near)
        ]  # fmt: skip
        if not options:
            options = [d for d, v in enumerate(values) if d not in hidden and v > 0 and d not in exact]
        if options:
            hidden.add(min(options, key=lambda d: (values[d], d)))
        else:
            refused |= in_tables[c]
            for t in tables:
                if t.key in in_tables[c]:
                    hidden.update(where[normalise(d)] for d in t.cells if values[where[normalise(d)]] > 0)
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
        },
    )
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[digest] = decision
    return decision
