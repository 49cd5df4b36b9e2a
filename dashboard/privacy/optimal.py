"""Optimal secondary suppression of a release (issue 15, item 2): Fischetti & Salazar's model, with HiGHS.

The release is split into the independent parts an attacker cannot link (``parts``: cells of different
quarters count different rows of the microdata), and each part's attacker domain (every structurally
possible combination of the attribute values, ``model.combinations``) is reduced without loss: a
combination inside a shown zero is 0, and combinations that lie in exactly the same cells are one
variable (their sum is all any cell sees). Cells that then count the same variables are the same count,
so they are decided together (a *group*).

Secondary suppression is the integer program of Fischetti & Salazar (Math. Programming 2001, the model
behind tau-Argus's OPT): one binary per group, 1 = hidden, minimising the clients hidden, every primary
group hidden, exact groups shown, subject to: for every primary group ``s`` the attacker's linear program
(shown groups fixed, hidden ones at least 1, counts non-negative) can raise ``s`` by its protection level
(2, so that with the true value three values are possible). That constraint has exponentially many linear
pieces; they are added as cuts when violated (Benders: the attacker's dual solution at the master's pattern
gives an inequality in the binaries that every protected pattern satisfies and this one does not). The
linear attacker is weaker than the integer one of the rule, so ``engine.protect`` re-proves every pattern
with integer programs and raises a cell's level when it fails.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
import polars as pl

from dashboard.privacy.attacker import Attacker
from dashboard.privacy.model import COUNT, combinations

_MISSING = object()
PART = "quarter"  # an attribute every cell of a release fixes: its values share no microdata rows
MASTER_SECONDS = 30.0  # per master solve; the pattern found is re-proven whatever its optimality gap
INF = highspy.kHighsInf
MAX_ROUNDS = 300
ZERO_COST = 1.0  # hiding a zero loses no client but some information: it costs as much as one client


@dataclass
class Part:
    """One independent part of a release: its groups of cells over merged attacker variables."""

    cells: list[list[int]]  # the release's cell indices of each group
    members: list[np.ndarray]  # merged variables each group counts
    values: list[int]  # each group's true count
    truth: np.ndarray  # each merged variable's true count
    floor: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # per group, the least it may be when hidden: 1 when its zero would be shown, else 0
    stats: dict[str, float] = field(default_factory=dict)


def parts(
    atoms: pl.DataFrame,
    keys: Sequence[frozenset],
    values: Sequence[int],
    zeros_shown: Collection[int] | None = None,
) -> list[Part]:
    """Split the release into parts and reduce each part's attacker domain (see the module docstring).

    ``zeros_shown`` are the cells whose zero is always shown (``None``: every cell): their zeros fix
    their combinations at 0 whatever the pattern, and hidden they are at least 1. The other cells'
    zeros may be complements, so hidden they are only at least 0.
    """
    by_part: dict[object, list[int]] = {}
    for c, k in enumerate(keys):
        fixed = dict(k).get(PART, _MISSING)
        by_part.setdefault(fixed if not isinstance(fixed, tuple) else _MISSING, []).append(c)
    if _MISSING in by_part and len(by_part) > 1:  # some cell spans parts: one part for all
        by_part = {_MISSING: list(range(len(keys)))}
    out = []
    for p, cells in sorted(by_part.items(), key=lambda kv: str(kv[0])):
        frame = atoms if p is _MISSING else atoms.filter(pl.col(PART) == p)
        part_keys = [
            k if p is _MISSING else frozenset(kv for kv in k if kv[0] != PART)
            for k in (keys[c] for c in cells)
        ]
        shows = [zeros_shown is None or c in zeros_shown for c in cells]
        zero = [values[c] == 0 and z for c, z in zip(cells, shows, strict=True)]
        part = _reduce(frame, cells, part_keys, [values[c] for c in cells], zero)
        index = {c: i for i, c in enumerate(cells)}
        part.floor = np.array([int(any(shows[index[c]] for c in g)) for g in part.cells], dtype=np.int64)
        out.append(part)
    return out


def _reduce(
    atoms: pl.DataFrame, cells: list[int], keys: list[frozenset], values: list[int], zero: list[bool]
) -> Part:
    attrs = sorted({a for k in keys for a, _ in k})
    combos = combinations(atoms, attrs).with_row_index("__combo")
    n = combos.height
    masks: dict[tuple[str, object], np.ndarray] = {}

    def mask(attr: str, v: object) -> np.ndarray:
        if (attr, v) not in masks:
            col = combos[attr]
            if isinstance(v, tuple):
                m = col.is_in([x for x in v if x is not None]).fill_null(False).to_numpy()
                masks[(attr, v)] = m | col.is_null().to_numpy() if None in v else m
            else:
                masks[(attr, v)] = (
                    col.is_null().to_numpy() if v is None else (col == v).fill_null(False).to_numpy()
                )
        return masks[(attr, v)]

    inside = []
    for k in keys:
        m = np.ones(n, dtype=bool)
        for attr, v in k:
            m &= mask(attr, v)
        inside.append(m)
    dead = np.zeros(n, dtype=bool)
    for m, z in zip(inside, zero, strict=True):
        if z:
            dead |= m
    rng = np.random.default_rng(20261202)
    signature = np.zeros(n, dtype=np.uint64)
    for m, z in zip(inside, zero, strict=True):
        if not z:
            signature[m] += rng.integers(1, 2**63, dtype=np.uint64)
    live = np.flatnonzero(~dead)
    _, var_of_live = np.unique(signature[live], return_inverse=True)
    var = np.full(n, -1)
    var[live] = var_of_live
    n_vars = int(var_of_live.max()) + 1 if live.size else 0
    truth = np.zeros(n_vars, dtype=np.int64)
    atoms = atoms.filter(pl.col(COUNT) > 0)
    if atoms.height and n_vars:
        joined = (
            atoms.join(combos, on=attrs, how="left", nulls_equal=True)
            if attrs
            else atoms.with_columns(__combo=0)
        )
        at = joined["__combo"].to_numpy()
        if np.isnan(at.astype(float)).any() or (var[at.astype(int)] < 0).any():  # pragma: no cover
            raise AssertionError("a microdata row fell outside the attacker's domain")
        np.add.at(truth, var[at.astype(int)], joined[COUNT].to_numpy())
    groups: dict[bytes, int] = {}
    out = Part([], [], [], truth, {"combinations": float(n), "variables": float(n_vars)})
    for c, m, v in zip(cells, inside, values, strict=True):
        members = np.unique(var[m & ~dead])  # empty: a cell every reader knows is 0
        key = members.tobytes()
        if key not in groups:
            groups[key] = len(out.cells)
            out.cells.append([])
            out.members.append(members)
            out.values.append(v)
        out.cells[groups[key]].append(c)
    return out


def suppress(
    part: Part, primary: set[int], exact: set[int], forced: set[int], level: dict[int, int]
) -> set[int]:
    """The hidden groups of an optimal pattern of ``part`` (``forced`` hidden too), by cut generation."""
    groups = hideable(part, exact)
    if not primary:
        return set(forced)
    attacker = Attacker(part, float(max(part.values) + 10))
    master = highspy.Highs()
    master.setOptionValue("output_flag", False)
    master.setOptionValue("threads", 1)
    master.setOptionValue("time_limit", MASTER_SECONDS)
    col = {g: i for i, g in enumerate(groups)}
    k = len(groups)
    lower = np.array([1.0 if g in primary or g in forced else 0.0 for g in groups])
    master.addVars(k, lower, np.ones(k))
    cost = np.array([float(part.values[g]) or ZERO_COST for g in groups])
    master.changeColsCost(k, np.arange(k, dtype=np.int32), cost)
    master.changeColsIntegrality(k, np.arange(k, dtype=np.int32), np.full(k, highspy.HighsVarType.kInteger))
    hidden = set(primary) | set(forced)
    started, rounds, cuts = time.perf_counter(), 0, 0
    todo = sorted(primary)
    while True:
        rounds += 1
        if rounds > MAX_ROUNDS:  # pragma: no cover - numerical trouble: hide what may be hidden
            hidden = set(groups)
            break
        attacker.pattern(hidden)
        added = 0
        failing = []
        for s in todo:
            need = level.get(s, 2)
            spread, coef, constant = attacker.spread(s, need)
            if spread >= need - 1e-6:
                continue
            terms = {col[g]: c for g, c in coef.items() if g in col and c > 1e-9}
            rhs = need + constant  # the attacker's dual bound: range <= sum theta_g x_g - constant
            if not terms:
                raise Unprotectable(s)
            idx = np.array(sorted(terms), dtype=np.int32)
            master.addRow(rhs, INF, idx.size, idx, np.array([terms[i] for i in idx]))
            added += 1
            failing.append(s)
        cuts += added
        if not added:
            if len(todo) == len(primary):
                break
            todo = sorted(primary)  # a full pass proves the pattern (the cells left out may have lost)
            continue
        todo = failing
        master.run()
        if master.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            raise Unprotectable(min(primary))
        if master.getInfo().primal_solution_status != 2:  # pragma: no cover - no pattern within the limit
            return set(groups)
        x = np.asarray(master.getSolution().col_value)
        hidden = {g for g in groups if x[col[g]] > 0.5}
    part.stats.update(rounds=rounds, cuts=cuts, seconds=time.perf_counter() - started)
    return hidden


def hideable(part: Part, exact: Collection[int]) -> list[int]:
    """The groups a pattern may hide: all but the exact ones and those every reader knows are 0."""
    return [g for g, m in enumerate(part.members) if m.size and g not in exact]


def pinned(part: Part, primary: set[int], exact: set[int]) -> list[int]:
    """The primary groups whose range is under 2 even when every group but the exact ones is hidden."""
    if not primary:
        return []
    attacker = Attacker(part, float(max(part.values) + 10))
    attacker.pattern(set(hideable(part, exact)))
    return [s for s in sorted(primary) if attacker.spread(s, 2.0)[0] < 2 - 1e-6]


class Unprotectable(Exception):
    """No pattern of the part protects group ``args[0]`` (e.g. it is pinned by exact cells)."""
