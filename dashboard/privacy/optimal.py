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
MIP_GAP = 0.01  # a pattern within 1 % of the fewest clients hidden is taken
INF = highspy.kHighsInf
STUCK_ROUNDS = 30  # integer rounds that still find cuts before the engine hides more for them
_log = logging.getLogger(__name__)
LP_ROUNDS = 100  # cut rounds on the master's LP relaxation before the integer rounds
IN_OUT = 0.5  # where between the master's optimum and a protecting pattern cuts are separated
RELAX_GAIN = 0.002  # a relaxation round that raises the LP bound less than this is a flat one
ZERO_COST = 1.0  # hiding a zero loses no client but some information: it costs as much as one client


class Suppressor:
    """The master program of one part, kept with its cuts between the engine's calls (``solve``).

    The engine calls ``solve`` again when a pattern fails the integer re-proof (a primary's level rises)
    or a table is refused (more groups forced hidden); every cut added so far stays valid, so the LP
    relaxation's rounds are paid once. A primary's check is skipped when the witnesses of its last
    range move only groups the new pattern still hides (``Attacker.spread``'s ``moved``).
    """

    def __init__(self, part: Part, exact: set[int]) -> None:
        self.part = part
        self.groups = hideable(part, exact)
        self.col = {g: i for i, g in enumerate(self.groups)}
        self.attacker = Attacker(part, float(max(part.values, default=0) + 10))
        self.tight = False  # ``Attacker.tighten`` at the first solve with primaries (one LP per group)
        master = highspy.Highs()
        master.setOptionValue("output_flag", False)
        master.setOptionValue("threads", 1)
        master.setOptionValue("time_limit", MASTER_SECONDS)
        master.setOptionValue("mip_rel_gap", MIP_GAP)
        k = len(self.groups)
        master.addVars(k, np.zeros(k), np.ones(k))
        cost = np.array([float(part.values[g]) or ZERO_COST for g in self.groups])
        master.changeColsCost(k, np.arange(k, dtype=np.int32), cost)
        self.master, self.cost = master, cost
        self.rows_of: dict[int, list[int]] = {}  # the cut rows of each primary
        self.support: dict[int, set[int]] = {}  # the groups whose hiding its latest cut rewards
        self.proven: dict[int, tuple[float, tuple]] = {}  # primary -> range, (group, weight) it moved
        self.relaxed = False
        self.rounds = self.cuts = 0
        self.bound = 0.0  # the relaxation's last LP bound on the clients hidden

    def drop(self, s: int) -> None:
        """Forget primary ``s`` (its tables are refused): its cuts no longer bind the master."""
        for r in self.rows_of.pop(s, []):
            self.master.changeRowBounds(r, -INF, INF)
        self.proven.pop(s, None)

    def solve(self, primary: set[int], forced: set[int], level: dict[int, int]) -> set[int]:
        """The hidden groups of an optimal pattern (``forced`` hidden too), by cut generation.

        Raises ``Unprotectable`` when no pattern protects a primary, and ``Stuck`` with the primaries
        still failing after ``STUCK_ROUNDS`` integer rounds (the engine hides more for them).
        """
        if not primary:
            return set(forced)
        if not self.tight:
            self.attacker.tighten(self.groups)
            self.tight = True
        started = time.perf_counter()
        must = set(primary) | set(forced)
        lower = np.array([1.0 if g in must else 0.0 for g in self.groups])
        k = len(self.groups)
        self.master.changeColsBounds(k, np.arange(k, dtype=np.int32), lower, np.ones(k))
        if not self.relaxed:
            self.cuts += self._relaxation(lower, primary, level)
            integer = np.full(k, highspy.HighsVarType.kInteger)
            self.master.changeColsIntegrality(k, np.arange(k, dtype=np.int32), integer)
            self.relaxed = True
        hidden = self._master(primary) if self.cuts else set(must)
        todo, stuck = sorted(primary), 0
        while True:
            self.rounds += 1
            self.attacker.pattern(hidden)
            failing = self._cut(todo, level)
            self.cuts += len(failing)
            _log.debug("integer round %d: %d of %d checked cut", self.rounds, len(failing), len(todo))
            if not failing:
                if len(todo) == len(primary):
                    break
                todo = sorted(primary)  # a full pass proves the pattern (the cells left out may have lost)
                continue
            stuck += 1
            if stuck > STUCK_ROUNDS:
                raise Stuck(failing)
            todo = failing
            hidden = self._master(primary)
        self.part.stats.update(
            rounds=float(self.rounds),
            cuts=float(self.cuts),
            seconds=time.perf_counter() - started,
            lp_bound=self.bound,  # the relaxation's bound on the clients hidden (the pattern's gap to it)
        )
        return hidden

    def _master(self, primary: set[int]) -> set[int]:
        self.master.run()
        info = self.master.getInfo()
        _log.debug(
            "master: %s, %.0f clients hidden, gap %.1f %%",
            self.master.modelStatusToString(self.master.getModelStatus()),
            info.objective_function_value,
            100 * info.mip_gap,
        )
        if self.master.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            raise Unprotectable(min(primary))
        if self.master.getInfo().primal_solution_status != 2:  # pragma: no cover - none within the limit
            return set(self.groups)
        x = np.asarray(self.master.getSolution().col_value)
        return {g for g in self.groups if x[self.col[g]] > 0.5}

    def _relaxation(self, lower: np.ndarray, primary: set[int], level: dict) -> int:
        """Cut rounds on the master's LP relaxation, stabilised in-out; returns the cuts added.

        A relaxation round re-solves an LP master in milliseconds, against up to ``MASTER_SECONDS`` for
        the integer one, and the cuts of a fractional pattern hold for every pattern (``Attacker.pattern``'s
        weights), so most of the integer program's cuts are found here first, as in Fischetti & Salazar.
        Cuts are separated at a point between the master's optimum and a pattern known to protect (every
        hideable group hidden), which tames Benders' tailing off (Ben-Ameur & Neto 2007; Fischetti,
        Ljubic & Sinnl 2017): when that point needs no cut it becomes the new inner point.
        """
        inner = np.ones(len(self.groups))
        out = lower.copy()
        total, flat, bound, at_out, stalled = 0, 0, -1.0, False, False
        for _ in range(LP_ROUNDS):
            lam = 1.0 if at_out or stalled else IN_OUT
            point = lam * out + (1 - lam) * inner
            if lam < 1.0:  # slivers of bounds trouble the simplex; cuts found anywhere are valid
                point[point < 1e-3] = 0.0
            x = {g: float(point[i]) for i, g in enumerate(self.groups)}
            self.attacker.pattern({g for g, v in x.items() if v > 1e-9}, x)
            added = len(self._cut(sorted(primary), level))
            total += added
            _log.debug("relaxation round (lambda %.2f): %d cuts", lam, added)
            if not added:
                if lam >= 1.0:
                    break  # the master's optimum needs no cut: the relaxation is solved
                inner = point  # the point protects: it is the new inner point
                at_out = float(np.abs(out - inner).max(initial=0.0)) < 0.02  # close: check the optimum
                continue
            at_out = False
            self.master.run()
            if self.master.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
                raise Unprotectable(min(primary))
            out = np.clip(np.asarray(self.master.getSolution().col_value), 0.0, 1.0)
            value = float(self.cost @ out)
            flat = flat + 1 if value < bound * (1 + RELAX_GAIN) else 0
            bound = max(bound, value)
            stalled = stalled or flat >= 5
        self.bound = bound
        return total

    def _cut(self, todo: list[int], level: dict) -> list[int]:
        """Add a cut for each group of ``todo`` whose range under the pattern is short; return them.

        A primary is not checked again while its last witnesses still prove it: they stay feasible,
        scaled by ``t``, under a pattern that hides each group they move at least ``t`` times as much
        as when they were found (``Attacker.pattern``'s weights), so its range is at least ``t`` times
        the range found then.
        """
        failing = []
        weight = self.attacker.weight
        for s in todo:
            need = level.get(s, 2)
            if s in self.proven:
                spread, moved = self.proven[s]
                t = min((weight.get(g, 0.0) / x for g, x in moved), default=1.0)
                if min(t, 1.0) * spread >= need - 1e-6:
                    continue
            spread, coef, constant = self.attacker.spread(s, need)
            moved = tuple((g, weight[g]) for g in self.attacker.moved if weight.get(g, 0.0) > 1e-9)
            self.proven[s] = (spread, moved)  # a row at weight 0 cannot move: its activity is noise
            if spread >= need - 1e-6:
                continue
            # rhs > 0 (the pattern violates the cut); a binary's coefficient past rhs adds nothing
            rhs = need + constant
            if rhs <= 1e-9:  # within the duality check's tolerance of a range that reaches ``need``
                continue
            terms = {self.col[g]: min(c, rhs) for g, c in coef.items() if g in self.col and c > 1e-9}
            if sum(terms.values()) < rhs - 1e-6:
                raise Unprotectable(s)  # not even hiding every group raises it far enough
            idx = np.array(sorted(terms), dtype=np.int32)
            # the attacker's dual bound: range <= sum theta_g x_g - constant, which must reach ``need``
            self.master.addRow(rhs, INF, idx.size, idx, np.array([terms[i] for i in idx]))
            self.rows_of.setdefault(s, []).append(self.master.getNumRow() - 1)
            self.support[s] = {self.groups[i] for i in idx}  # its latest cut: what it lacks now
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


class Stuck(Exception):
    """The primaries ``args[0]`` still fail after ``STUCK_ROUNDS`` integer rounds."""
