"""The attacker's linear program over one part of a release (``domain.Part``), with its Benders cuts.

``optimal.suppress`` asks it how far a hidden group can move under a pattern and for the cut that
bounds that range for every pattern; ``certify`` reads integer points off its vertices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import highspy
import numpy as np

from dashboard.privacy.model import add_links, add_sums

if TYPE_CHECKING:
    from dashboard.privacy.domain import Part


class Attacker:
    """The attacker's linear program over one part, kept warm between targets and patterns."""

    def __init__(self, part: Part, upper: float) -> None:
        self.part, self.upper = part, upper
        self.caps = np.full(len(part.members), upper)  # how far each hidden group may rise (``tighten``)
        n = part.truth.size
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4)  # primal: a new objective keeps the basis primal feasible
        h.setOptionValue("presolve", "off")
        h.addVars(n, -part.truth.astype(float), np.full(n, upper))
        self.rows: dict[int, int] = {}
        starts, index = [], []
        for g, m in enumerate(part.members):
            if m.size:
                self.rows[g] = len(starts)
                starts.append(len(index))
                index.extend(m.tolist())
        k = len(starts)
        self._index, self._starts = np.array(index, dtype=np.int64), np.array(starts, dtype=np.int64)
        self._groups = np.array(list(self.rows), dtype=np.int64)
        add_sums(h, np.zeros(k), np.zeros(k), starts, index)
        add_links(h, part.links)  # the cliques' margins agree (bound 0 whatever the pattern: no cut term)
        self.h, self.cost = h, np.zeros(n)

    def pattern(self, hidden: set[int], weight: dict[int, float] | None = None) -> None:
        """Hide ``hidden``; with ``weight`` (the master's LP relaxation) a group's bounds are scaled by it.

        A hidden group's row may move from its value down to its floor and up to ``upper``; a weight
        ``x`` in (0, 1) allows ``x`` times that (Fischetti & Salazar's capacity constraints), so the
        cuts of a fractional pattern are valid for every pattern too.
        """
        self.hidden = hidden
        self.weight = weight if weight is not None else dict.fromkeys(hidden, 1.0)
        for g, r in self.rows.items():
            x = self.weight.get(g, 0.0)
            self.h.changeRowBounds(r, x * (self.part.floor[g] - self.part.values[g]), x * self.caps[g])

    def tighten(self, hideable: list[int]) -> None:
        """Let each hidden group rise only as far as it can with every group of ``hideable`` hidden.

        No pattern lets a group rise further (it hides a subset: the attacker knows at least as much), so
        the bound changes no range; it only makes the cuts' coefficients (each dual times how far its
        group may move) tight, where ``upper`` (any count) made one cut hold for any group with a
        nonzero dual, however little hiding it helps.
        """
        self.pattern(set(hideable))
        caps = self.caps.copy()
        for g in hideable:
            if g in self.rows:
                caps[g] = min(self.upper, self.rise(g)[0] + 1e-6)
        self.caps = caps

    def set_cost(self, members: np.ndarray, weight: float) -> None:
        """Make the objective ``weight`` times the sum of ``members`` (only the changed costs are sent)."""
        cost = np.zeros(self.part.truth.size)
        cost[members] = weight
        changed = np.flatnonzero(cost != self.cost)
        self.h.changeColsCost(changed.size, changed.astype(np.int32), cost[changed])
        self.cost = cost

    def spread(self, s: int, need: float) -> tuple[float, dict[int, float], float]:
        """How far group ``s`` can rise plus how far it can fall (its LP range), and the range's cut.

        The rule asks for three possible values, so the range must be at least 2 whichever way it
        lies (a 1 may become 0 or 2; a 4 may become 2 or 3). Each side's dual bound holds for every
        pattern, so their sum bounds the range: ``range <= sum(coef[g] * x_g) - constant``.
        Afterwards ``moved`` holds the groups the witnesses of that range move: the same range stays
        possible under any pattern that hides them all (``optimal.Suppressor`` skips such checks).
        """
        rise, coef, constant = self.rise(s)
        if rise >= need - 1e-6:
            return rise, coef, constant
        moved = self.moved
        fall, coef2, constant2 = self.rise(s, -1.0)
        self.moved |= moved
        for g, c in coef2.items():
            coef[g] = coef.get(g, 0.0) + c
        return rise + fall, coef, constant + constant2

    def rise(self, s: int, sense: float = 1.0) -> tuple[float, dict[int, float], float]:
        """How far group ``s`` can rise (``sense`` -1: fall); the cut: coefficients per group, constant."""
        members = self.part.members[s]
        self.set_cost(members, -sense)
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # numerical trouble: start afresh
            self.h.clearSolver()
            self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            # HiGHS 1.15's primal simplex gives up ("Unknown") on some small degenerate LPs cold (a
            # three-quarter release of 16 variables, tests/privacy/test_carried.py): the dual one solves them
            self.h.setOptionValue("simplex_strategy", 1)
            self.h.clearSolver()
            self.h.run()
            self.h.setOptionValue("simplex_strategy", 4)
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # pragma: no cover
            raise RuntimeError("attacker LP not solved")
        sol = self.h.getSolution()
        rise = -self.h.getInfo().objective_function_value
        lb = -self.part.truth.astype(float)
        col = np.asarray(sol.col_dual)
        constant = float(np.where(col > 0, col * lb, col * self.upper).sum())
        coef: dict[int, float] = {}
        duals = np.asarray(sol.row_dual)
        for g, r in self.rows.items():
            d = duals[r]
            if abs(d) > 1e-9:  # the row's bound at x_g = 1, times its dual; 0 when shown (x_g = 0)
                coef[g] = -(d * (self.part.floor[g] - self.part.values[g]) if d > 0 else d * self.caps[g])
        activity = np.asarray(sol.row_value)[: self._groups.size]
        self.moved = frozenset(self._groups[np.abs(activity) > 1e-9].tolist())  # the witness's groups
        bound = sum(c * self.weight.get(g, 0.0) for g, c in coef.items()) - constant  # strong duality
        if abs(bound - rise) > 1e-2 * max(
            1.0, abs(rise)
        ):  # pragma: no cover - a wrong cut formula, not noise
            raise AssertionError(f"attacker dual bound {bound} != rise {rise}")
        return rise, coef, constant
