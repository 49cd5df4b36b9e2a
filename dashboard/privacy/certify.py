"""Integer certificates of the values a hidden cell can take, from the attacker's LP vertices (issue 15).

Where the published cells form a totally unimodular system (a two-way table with its margins, for
instance) every vertex of the attacker's LP is integral, so an integer point proving a value costs one LP;
``engine`` keeps integer programs (``model.Model.feasible_values``) for the cells no vertex proves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import highspy
import numpy as np

from dashboard.privacy.attacker import Attacker
from dashboard.privacy.model import add_links, add_sums, links_hold

if TYPE_CHECKING:
    from dashboard.privacy.domain import Part

INF = highspy.kHighsInf


def certified(attacker: Attacker, s: int) -> set[int]:
    """Values of group ``s`` proven possible by integer points (the attacker's LP vertices, checked exactly).

    Tries the LP's highest and lowest values of ``s`` and, if fewer than three values are proven, the
    values one and two away from the truth; a vertex is kept only when it is integral and, rounded,
    satisfies every published equation and ">= floor" exactly. The engine falls back to integer programs
    for the cells this cannot prove.
    """
    h, v = attacker.h, attacker.part.values[s]
    found = {v}
    row = attacker.rows[s]
    floor = attacker.part.floor[s]
    lo, hi = (floor - v, attacker.upper)
    for sense in (-1.0, 1.0):
        attacker.set_cost(attacker.part.members[s], sense)
        h.run()
        found |= _integral(attacker, s)
    attacker.set_cost(attacker.part.members[s], 0.0)
    for step in (1, -1, 2, -2):
        if len(found) >= 3:
            break
        if v + step < floor or v + step in found:
            continue
        h.changeRowBounds(row, float(step), float(step))
        h.run()
        found |= _integral(attacker, s)
    h.changeRowBounds(row, lo, hi)
    return found


def _integral(attacker: Attacker, s: int) -> set[int]:
    if attacker.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return set()
    delta = np.asarray(attacker.h.getSolution().col_value)
    if np.abs(delta - np.round(delta)).max(initial=0.0) > 1e-7:
        return set()
    z = attacker.part.truth + np.round(delta).astype(np.int64)
    if (z < 0).any():
        return set()
    sums = np.add.reduceat(z[attacker._index], attacker._starts) if attacker._starts.size else np.zeros(0)
    values = np.array([attacker.part.values[g] for g in attacker._groups])
    hidden = np.array([g in attacker.hidden for g in attacker._groups], dtype=bool)
    if not (
        links_hold(z, attacker.part.links)
        and np.all(sums[~hidden] == values[~hidden])
        and np.all(sums[hidden] >= attacker.part.floor[attacker._groups][hidden])
    ):
        return set()
    return {int(z[attacker.part.members[s]].sum())}


class Nearest:
    """Integer points that move the fewest clients: the L1-nearest point where group ``s`` is ``v + step``.

    A vertex that maximises a group spreads its change over many counts and is rarely integral here (the
    cliques' links make the system far from unimodular: on the demo's whole-project view no primary was
    proven by those vertices). The vertex that moves the fewest clients to reach ``v + step`` is most often
    a short cycle of swaps, which is integral; later tries perturb the costs, so that ties are broken
    another way. Every point is checked exactly before it counts (on the same demo view this proved 63 of
    66 primaries with linear programs only, against none).
    """

    def __init__(self, part: Part, upper: float, tries: int = 4) -> None:
        self.part, self.upper, self.tries = part, upper, tries
        n = self.n = part.truth.size
        truth = part.truth.astype(float)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.addVars(n, -truth, np.full(n, upper))  # d: each count's change
        h.addVars(n, np.zeros(n), np.full(n, upper + truth.max(initial=0.0)))  # t >= |d|
        h.changeColsCost(n, np.arange(n, 2 * n, dtype=np.int32), np.ones(n))
        j = np.arange(n, dtype=np.int32)
        index = np.column_stack([j, j + n]).ravel()
        for sign in (-1.0, 1.0):  # t - d >= 0 and t + d >= 0
            coef = np.column_stack([np.full(n, sign), np.ones(n)]).ravel()
            h.addRows(
                n, np.zeros(n), np.full(n, INF), 2 * n, np.arange(0, 2 * n, 2, dtype=np.int32), index, coef
            )
        self.rows: dict[int, int] = {}
        starts, flat = [], []
        for g, m in enumerate(part.members):
            if m.size:
                self.rows[g] = 2 * n + len(starts)
                starts.append(len(flat))
                flat.extend(m.tolist())
        add_sums(h, np.zeros(len(starts)), np.zeros(len(starts)), starts, flat)
        add_links(h, part.links)
        self._index, self._starts = np.array(flat, dtype=np.int64), np.array(starts, dtype=np.int64)
        self._groups = np.array(list(self.rows), dtype=np.int64)
        self.h, self.hidden = h, set()

    def pattern(self, hidden: set[int]) -> None:
        self.hidden = hidden
        for g, r in self.rows.items():
            if g in hidden:
                self.h.changeRowBounds(r, float(self.part.floor[g] - self.part.values[g]), self.upper)
            else:
                self.h.changeRowBounds(r, 0.0, 0.0)

    def values(self, s: int, found: set[int]) -> set[int]:
        """``found`` and the values of ``s`` proven by nearest integer points, until there are three."""
        v, floor, row = self.part.values[s], self.part.floor[s], self.rows[s]
        found = set(found)
        rng = np.random.default_rng(s)
        n, h = self.n, self.h
        for attempt in range(self.tries):
            if len(found) >= 3:
                break
            if attempt:  # break ties another way
                h.changeColsCost(n, np.arange(n, 2 * n, dtype=np.int32), 1.0 + rng.random(n))
            for step in (1, -1, 2, -2):
                if len(found) >= 3 or v + step < floor or v + step in found:
                    continue
                h.changeRowBounds(row, float(step), float(step))
                h.run()
                if h.getModelStatus() == highspy.HighsModelStatus.kOptimal and self._holds(
                    np.asarray(h.getSolution().col_value)[:n]
                ):
                    found.add(v + step)
        h.changeColsCost(n, np.arange(n, 2 * n, dtype=np.int32), np.ones(n))
        h.changeRowBounds(row, float(floor - v), self.upper)
        return found

    def _holds(self, delta: np.ndarray) -> bool:
        """Whether ``truth + delta`` is an integer point every published count and mark allows."""
        if np.abs(delta - np.round(delta)).max(initial=0.0) > 1e-7:
            return False
        z = self.part.truth + np.round(delta).astype(np.int64)
        if (z < 0).any():
            return False
        sums = np.add.reduceat(z[self._index], self._starts) if self._starts.size else np.zeros(0)
        values = np.array([self.part.values[g] for g in self._groups])
        hidden = np.array([g in self.hidden for g in self._groups], dtype=bool)
        floor = self.part.floor[self._groups]
        return bool(
            links_hold(z, self.part.links)
            and np.all(sums[~hidden] == values[~hidden])
            and np.all(sums[hidden] >= floor[hidden])
        )
