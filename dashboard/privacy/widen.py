"""What a refused table's cells still need (issue 15): ``engine`` calls ``widen`` once a pattern is proven.

A table the engine refuses because it gave up on a cell (not because the cell is pinned) is not drawn,
but its counts follow from the drawn tables as much as ever; ``widen`` says what to hide next so that
each of them keeps three values too (``tests/privacy/test_carried.py``, seed 7 with no round to spare).
"""

from __future__ import annotations

import logging

import numpy as np

from dashboard.privacy import optimal

_log = logging.getLogger("dashboard.privacy.engine")  # its warnings are the engine's


def widen(part, model, hidden, refused, pinned, given_up, exact_g, min_cell) -> set[int]:
    """What to hide next so that no cell of a refused table stays narrowed (empty: none is).

    A table refused because the engine gave up on a cell (not pinned: some pattern protects it) is not
    drawn, but its counts follow from the drawn tables as much as ever. Each cell of 1..min_cell-1 of
    it must keep three values too: first every group sharing its clients is hidden, then, if that is
    not enough, every group that may be, unless even that leaves it short: then the exact cells pin it
    (as ``optimal.pinned``, but in integers), hiding more gains nothing, and ``stats["widen_pinned"]``
    counts it. (The attacker here still reads its marks: stronger than a reader of a table not drawn.)
    """
    small = [g for g in sorted(refused - pinned) if g in hidden and 1 <= part.values[g] < min_cell]
    small = [g for g in small if given_up.get(g, 0) < 3]
    short = [g for g, k in model.feasible_values(hidden, small).items() if k < 3] if small else []
    net: set[int] = set()
    for g in short:
        given_up[g] = given_up.get(g, 0) + 1
        if given_up[g] == 1:
            near = {h for h, m in enumerate(part.members) if np.intersect1d(m, part.members[g]).size}
            if (near - exact_g) - hidden:
                net |= near
                continue
            given_up[g] = 2
        every = set(optimal.hideable(part, exact_g)) | hidden
        if given_up[g] == 2 and model.feasible_values(every, [g])[g] >= 3:
            net |= every
        else:  # short with everything hidden, or again after it: the exact cells pin it
            given_up[g] = 3
            part.stats["widen_pinned"] = part.stats.get("widen_pinned", 0.0) + 1
            _log.warning("a refused table's cell is pinned by the exact cells (%d clients)", part.values[g])
    return (net - exact_g) - hidden
