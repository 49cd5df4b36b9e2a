"""Disclosure control of a whole release at once (issue 15): primary and secondary cell suppression.

``protect(atoms, tables, min_cell=5)`` computes every declared cell's value from the atoms (the microdata
rows of ``client_profiles``), hides the cells of 1..min_cell-1 (primary) and then complements (secondary)
until the rule of CONTRACT.md holds, proven by integer programs before it returns:

The attacker model (``model.Model``). Unknown non-negative integer counts ``y_j``, one per combination of
the attribute values the declared dims use (the cross-classification, not only the combinations the data
hold), minus the combinations the data contract rules out: an active client has no exit status and no
pathway, an ended one has both; ``is_progressed`` follows from the pathway; long-term unemployed only when
unemployed at entry; a municipality lies in one region. Every shown cell is an equation ``sum(y in cell)
== value``, every hidden cell ``sum(y in cell) >= 1`` when zeros are always shown, or ``>= 0`` in a table
with ``hide_zeros`` (zeros may then be complements, at the cost of one client each, so the neutral mark does
not say "at least 1"). The combinations inside a shown zero are fixed at 0 and dropped. A hidden cell
whose true value is 1..min_cell-1 is protected when at least three integer values of it stay feasible: its
integer minimum and maximum, and, when the true value is one of them, a third value found strictly between
or beyond.

Secondary suppression is optimal (``optimal``: Fischetti & Salazar's integer program, stated with HiGHS,
with the attacker's LP cuts), per part of the release (its quarters chained, ``domain``), over merged
attacker variables. Every pattern is then re-proven against the integer attacker (integer points from LP
vertices, ``certify``, else integer programs, ``Model.feasible_values``); a cell that still keeps fewer
than three values must be able to rise further in the next round, and a cell that no pattern protects (it
is pinned by exact cells, e.g. an exact whole-project count of 1 that a hidden breakdown repeats) has its
tables refused: not drawn at all. The independent audits in ``tests/privacy/test_audit.py`` and
``tests/privacy/test_carried.py`` (over the clients' lifecycles) re-check with SCIP;
``tests/privacy/test_optimal.py`` compares the hidden clients with the cheapest safe pattern.

Cells of ``exact`` tables are part of what the attacker knows: always shown, never hidden.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from dashboard.privacy import certify, domain, optimal
from dashboard.privacy.model import COUNT, Model, matches
from dashboard.privacy.widen import widen as _widen


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    cells: tuple[Mapping, ...]
    exact: bool = False
    hide_zeros: bool = False  # its zeros may be complements (so a reader takes its hidden cells as >= 0)


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
    built_on: str = ""  # the decision it kept (``store.in_order``): "<digest>:<fingerprint>", "" for none

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


_log = logging.getLogger(__name__)
MAX_LEVEL = 6  # a cell still pinned when it must be able to rise this far has its tables refused
_CACHE: dict[str, Decision] = {}


MODEL = 4  # the attacker model's version: a stored decision of an older model is computed again
# (2: consecutive quarters chained on the clients a list carries, ``chain``; 3: ``_widen``; 4: ``fixed``,
# quarters decided in order by ``store.in_order``, and tight cuts, ``Attacker.tighten``)


def digest(atoms: pl.DataFrame, tables: Sequence[Table], min_cell: int, cliques=None, fixed=None) -> str:
    h = hashlib.sha256()
    h.update(atoms.sort(atoms.columns).write_csv().encode())
    spec = [
        (t.key, t.exact, t.hide_zeros, [sorted(map(repr, normalise(c))) for c in t.cells]) for t in tables
    ]
    kept = sorted((sorted(map(repr, k)), bool(v)) for k, v in (fixed or {}).items())
    h.update(json.dumps([MODEL, spec, min_cell, [sorted(c) for c in cliques or ()], kept]).encode())
    return h.hexdigest()


def protect(
    atoms: pl.DataFrame,
    tables: Sequence[Table],
    *,
    min_cell: int = 5,
    cliques: Sequence[frozenset[str]] | None = None,
    fixed: Mapping[frozenset, bool] | None = None,
) -> Decision:
    """Decide what is shown of every cell of ``tables`` together (see the module docstring).

    A table with ``hide_zeros`` may have its zeros hidden as complements (at the cost of one client
    each); the attacker then knows its hidden cells only to be at least 0. Other tables show every zero,
    and their hidden cells are >= 1. ``cliques`` split the attacker's domain without weakening it
    (``domain.decompose``); every cell must lie within one. ``fixed`` (cell -> hidden) is an earlier
    decision that stands: those cells are hidden or shown as it says (a group of cells with the same
    clients is hidden if any of them is), and a small one it hides is still proven to keep three values
    against everything this release adds; when nothing can keep it so, its tables are refused.
    """
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise ValueError(f"min_cell must be a whole number of at least 1, not {min_cell!r}")
    key = digest(atoms, tables, min_cell, cliques, fixed)
    if key in _CACHE:
        return _CACHE[key]
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
    hidden: set[int] = set()
    refused: set[str] = set()
    stats = dict.fromkeys(
        ("rounds", "cuts", "variables", "combinations", "groups", "lp_bound", "widen_pinned", "kept_pinned"),
        0.0,
    )
    zeros_shown = {where[normalise(d)] for t in tables if not t.hide_zeros for d in t.cells}
    kept = {where[k]: bool(h) for k, h in (fixed or {}).items() if k in where}
    for part in domain.parts(atoms, keys, values, zeros_shown | exact, cliques):
        found, lost = _protect_part(part, exact, in_tables, tables, where, min_cell, kept)
        hidden |= found
        refused |= lost
        for name in stats:
            stats[name] += part.stats.get(name, 0.0)
        stats["groups"] += len(part.values)
    sensitive = [c for c, v in enumerate(values) if 1 <= v < min_cell and c not in exact]
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
            **stats,
            "solve_seconds": time.perf_counter() - started,
        },
    )
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = decision
    return decision


def _protect_part(part, exact, in_tables, tables, where, min_cell, kept) -> tuple[set[int], set[str]]:
    """Hide the cells of one part: optimal pattern, re-proven by integer programs; refuse what cannot be.

    ``kept`` (cell -> hidden) is an earlier decision that stands: its hidden cells stay hidden, its shown
    ones shown (a group with both stays hidden).
    """
    exact_g = {g for g, cells in enumerate(part.cells) if any(c in exact for c in cells)}
    exact_g |= {g for g, m in enumerate(part.members) if not m.size}  # every reader knows it is 0
    kept_hidden = {g for g, cells in enumerate(part.cells) if any(kept.get(c) for c in cells)}
    kept_shown = {g for g, cells in enumerate(part.cells) if any(kept.get(c) is False for c in cells)}
    if (kept_hidden & exact_g) or (kept_hidden & kept_shown):  # the earlier release gave it away already
        _log.warning(
            "%d kept-hidden groups are exact or kept shown too", len(kept_hidden & (exact_g | kept_shown))
        )
    kept_hidden -= exact_g
    exact_g |= kept_shown - kept_hidden
    primary = {g for g, v in enumerate(part.values) if 1 <= v < min_cell and g not in exact_g}
    group_of = {c: g for g, cells in enumerate(part.cells) for c in cells}
    forced: set[int] = set(kept_hidden)
    level: dict[int, int] = {}
    refused: set[str] = set()
    model = Model.of(part.members, part.values, part.truth.size, part.floor, part.truth, part.links)
    suppressor = optimal.Suppressor(part, exact_g)  # keeps its cuts across the rounds below

    def refused_groups() -> set[int]:
        return {g for g, cells in enumerate(part.cells) if any(in_tables[c] <= refused for c in cells)}

    def refuse(g: int, why: str) -> None:
        names = {name for c in part.cells[g] for name in in_tables[c]}  # refuse its tables
        new = len(names - refused)
        _log.debug("refused (%s): a group of %d clients, %d tables", why, part.values[g], new)
        refused.update(names)
        for t in tables:
            if t.key in names:
                cells = (group_of.get(where[normalise(d)]) for d in t.cells)
                forced.update(h for h in cells if h is not None and h not in exact_g)
        primary.discard(g)
        suppressor.drop(g)

    pinned = set(optimal.pinned(part, primary, exact_g))  # pinned even with every breakdown cell hidden
    for g in pinned:
        if g in kept_hidden:  # the earlier release draws it; refusing this one's tables cannot undo that
            part.stats["kept_pinned"] = part.stats.get("kept_pinned", 0.0) + 1
            _log.warning("a kept-hidden cell of %d clients is pinned by this release", part.values[g])
        refuse(g, "pinned" + (" kept hidden" if g in kept_hidden else ""))
    given_up: dict[int, int] = {}  # refused for cost (a pattern may exist): how often its net has widened
    attacker = optimal.Attacker(part, float(max(part.values, default=0) + 10))  # certifies each pattern
    nearest = certify.Nearest(part, attacker.upper)  # and the integer points nearest the truth
    stuck: set[int] = set()
    while True:
        try:
            hidden = suppressor.solve(primary, forced, level)
        except optimal.Unprotectable as e:
            refuse(e.args[0], "unprotectable")
            continue
        except optimal.Stuck as e:  # hide what its latest cut asks for; stuck twice, refuse its tables
            for g in e.args[0]:
                if g in stuck:
                    refuse(g, "stuck")
                else:
                    forced.update(suppressor.support.get(g, ()))
                    stuck.add(g)
            continue
        attacker.pattern(hidden)
        nearest.pattern(hidden)
        # the nearest integer points prove most cells in a few LPs; the maximising vertices, the rest
        near = {g: nearest.values(g, {part.values[g]}) for g in sorted(primary)}
        unproven = [g for g, v in near.items() if len(v) < 3 and len(v | certify.certified(attacker, g)) < 3]
        _log.debug(
            "integer re-proof: %d of %d primaries not proven by LP points", len(unproven), len(primary)
        )
        left = model.feasible_values(hidden, unproven)  # integer programs where no vertex proves it
        failing = [g for g in unproven if left[g] < 3]
        if not failing:
            net = _widen(part, model, hidden, refused_groups(), pinned, given_up, exact_g, min_cell)
            if not net:
                return {c for g in hidden for c in part.cells[g]}, refused
            forced.update(net)
            continue
        for g in failing:
            level[g] = level.get(g, 2) + 1
            if level[g] > MAX_LEVEL:
                refuse(g, "level")
