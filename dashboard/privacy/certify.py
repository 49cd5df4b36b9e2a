"""Integer certificates of the values a hidden cell can take, from the attacker's LP vertices (issue 15).

Where the published cells form a totally unimodular system (a two-way table with its margins, for
instance) every vertex of the attacker's LP is integral, so an integer point proving a value costs one LP;
``engine`` keeps integer programs (``model.Model.feasible_values``) for the cells no vertex proves.
"""

from __future__ import annotations

import highspy
import numpy as np

from dashboard.privacy.attacker import Attacker
from dashboard.privacy.model import links_hold


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
