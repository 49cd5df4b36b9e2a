"""Optimal secondary suppression of a release (issue 15, item 2): Fischetti & Salazar's model, with HiGHS.

Each independent part of a release and its reduced attacker domain come from ``domain`` (``parts``);
its cells that count the same variables are one *group*, decided together.

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

import logging
import time
from collections.abc import Collection

import highspy
import numpy as np

from dashboard.privacy.attacker import Attacker
from dashboard.privacy.domain import Part

MASTER_SECONDS = 30.0  # per master solve; the pattern found is re-proven whatever its optimality gap
INF = highspy.kHighsInf
MAX_ROUNDS = 300
_log = logging.getLogger(__name__)
LP_ROUNDS = 100  # cut rounds on the master's LP relaxation before the integer rounds
ZERO_COST = 1.0  # hiding a zero loses no client but some information: it costs as much as one client


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
    hidden = set(primary) | set(forced)
    started, rounds, cuts = time.perf_counter(), 0, 0
    cuts += _relaxation(attacker, master, groups, col, lower, primary, level)
    master.changeColsIntegrality(k, np.arange(k, dtype=np.int32), np.full(k, highspy.HighsVarType.kInteger))
    if cuts:  # the integer master with the relaxation's cuts: the first pattern to check
        master.run()
        if master.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            raise Unprotectable(min(primary))
        if master.getInfo().primal_solution_status == 2:
            x = np.asarray(master.getSolution().col_value)
            hidden = {g for g in groups if x[col[g]] > 0.5}
    todo = sorted(primary)
    while True:
        rounds += 1
        if rounds > MAX_ROUNDS:  # pragma: no cover - numerical trouble: hide what may be hidden
            hidden = set(groups)
            break
        attacker.pattern(hidden)
        failing = _cut(attacker, master, col, todo, level)
        added = len(failing)
        cuts += added
        _log.debug("integer round %d: %d of %d checked cut", rounds, added, len(todo))
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


def _relaxation(attacker, master, groups, col, lower, primary, level) -> int:
    """Cut rounds on the master's LP relaxation; returns the cuts added.

    A relaxation round re-solves an LP master in milliseconds, against up to ``MASTER_SECONDS`` for the
    integer one, and the cuts of a fractional pattern hold for every pattern (``Attacker.pattern``'s
    weights), so most of the integer program's cuts are found here first, as in Fischetti & Salazar.
    """
    x = dict(zip(groups, lower, strict=True))
    total = 0
    for _ in range(LP_ROUNDS):
        attacker.pattern({g for g, v in x.items() if v > 1e-9}, x)
        added = len(_cut(attacker, master, col, sorted(primary), level))
        total += added
        _log.debug("relaxation round: %d cuts", added)
        if not added:
            break
        master.run()
        if master.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            raise Unprotectable(min(primary))
        sol = np.asarray(master.getSolution().col_value)
        x = {g: float(min(1.0, max(0.0, sol[col[g]]))) for g in groups}
    return total


def _cut(attacker: Attacker, master: highspy.Highs, col: dict, todo: list[int], level: dict) -> list[int]:
    """Add a cut for each group of ``todo`` whose range under the attacker's pattern is short; return them."""
    failing = []
    for s in todo:
        need = level.get(s, 2)
        spread, coef, constant = attacker.spread(s, need)
        if spread >= need - 1e-6:
            continue
        terms = {col[g]: c for g, c in coef.items() if g in col and c > 1e-9}
        if not terms:
            raise Unprotectable(s)
        idx = np.array(sorted(terms), dtype=np.int32)
        # the attacker's dual bound: range <= sum theta_g x_g - constant, which must reach ``need``
        master.addRow(need + constant, INF, idx.size, idx, np.array([terms[i] for i in idx]))
        failing.append(s)
    return failing


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
