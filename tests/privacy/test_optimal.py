"""Secondary suppression is optimal, not greedy: the engine hides no more clients than the cheapest safe
pattern found by trying every pattern of a small table, each checked by the independent SCIP attacker."""

from __future__ import annotations

from itertools import combinations

import pytest

from dashboard.privacy.engine import protect
from tests.privacy.test_audit import grid_release, leaks

# Hiding the 2 needs a partner in its column (only the 9) and in its row: the 6 is cheaper than the
# 20, and then the 8 under it. The cheapest safe pattern hides 2 + 6 + 9 + 8 = 25 clients; a greedy
# pick of the row's first or largest partner hides 2 + 20 + 9 + 30 = 61.
TABLES = [
    [[2, 20, 6], [9, 30, 8]],
    [[12, 3, 40, 7], [6, 25, 9, 30], [11, 14, 2, 50]],
]


def cheapest_interior_pattern(grid: list[list[int]], min_cell: int = 5) -> int:
    """The fewest clients hidden by any safe pattern that hides interior cells only (brute force)."""
    _, _, cells = grid_release(grid)
    n = len(grid) * len(grid[0])
    values = [sum(grid[j // len(grid[0])][j % len(grid[0])] for j in m) for m, _ in cells]
    primary = {i for i in range(n) if 1 <= values[i] < min_cell}
    others = [i for i in range(n) if i not in primary and values[i] > 0]
    best = None
    for k in range(len(others) + 1):
        for extra in combinations(others, k):
            hidden = primary | set(extra)
            cost = sum(values[i] for i in hidden)
            if best is not None and cost >= best:
                continue
            published = [
                (m, v, i not in hidden) for i, ((m, _), v) in enumerate(zip(cells, values, strict=True))
            ]
            if not leaks(n, published, min_cell):
                best = cost
    assert best is not None
    return best


@pytest.mark.parametrize("grid", TABLES)
def test_the_engine_hides_no_more_than_the_cheapest_safe_pattern(grid: list[list[int]]) -> None:
    atoms, table, cells = grid_release(grid)
    d = protect(atoms, [table])
    hidden = sum(d.values[d.key(dims)] for _, dims in cells if d.is_hidden(dims))
    assert not d.refused
    assert hidden <= cheapest_interior_pattern(grid)


@pytest.mark.parametrize("weight", [1.0, 0.5, 0.2])
def test_a_fractional_pattern_scales_what_the_complements_let_the_attacker_move(weight: float) -> None:
    """The master's LP relaxation (``optimal._relaxation``) hides groups by fractions: a complement
    hidden by ``w`` may move ``w`` times as far (Fischetti & Salazar's capacity constraints), and the cut
    of that pattern bounds the range at that weight too (``Attacker.rise`` checks strong duality)."""
    from dashboard.privacy import domain
    from dashboard.privacy.attacker import Attacker
    from dashboard.privacy.engine import normalise
    from dashboard.privacy.model import COUNT, matches

    # [[1, 7], [6, 9]] with margins: the 1 rises with the 9 and falls with the 7 and the 6: by 5 at most
    atoms, table, _ = grid_release([[1, 7], [6, 9]])
    keys = [normalise(c) for c in table.cells]
    values = [int(atoms[COUNT].to_numpy()[matches(atoms, k)].sum()) for k in keys]
    (part,) = domain.parts(atoms, keys, values)
    group = {c: g for g, cells in enumerate(part.cells) for c in cells}
    s, others = group[0], {group[c] for c in (1, 2, 3)}
    attacker = Attacker(part, 100.0)
    x = {s: 1.0} | dict.fromkeys(others, weight)  # the margins are shown (weight 0)
    attacker.pattern({s} | others, x)
    rise, coef, constant = attacker.rise(s)
    assert rise == pytest.approx(5 * weight)
    assert sum(c * x.get(g, 0.0) for g, c in coef.items()) - constant == pytest.approx(rise)


GRIDS = [
    [[2, 20, 6, 1], [9, 30, 8, 3], [4, 11, 7, 25]],
    [[12, 3, 40, 7, 1], [6, 25, 9, 30, 2], [11, 14, 2, 50, 6], [1, 8, 3, 9, 12]],
]


def suppressor_of(grid: list[list[int]]):
    """The master of a grid's one part, with its primaries (every cell of 1..4 and its zeros shown)."""
    from dashboard.privacy import domain, optimal
    from dashboard.privacy.engine import normalise
    from dashboard.privacy.model import COUNT, matches

    atoms, table, _ = grid_release(grid)
    keys = [normalise(c) for c in table.cells]
    values = [int(atoms[COUNT].to_numpy()[matches(atoms, k)].sum()) for k in keys]
    (part,) = domain.parts(atoms, keys, values)
    primary = {g for g, v in enumerate(part.values) if 1 <= v < 5}
    return part, primary, optimal.Suppressor(part, set())


@pytest.mark.parametrize("grid", GRIDS)
def test_checks_the_search_skips_still_hold_when_every_primary_is_checked_again(grid) -> None:
    """``Suppressor._cut`` skips a primary while its last witnesses stay feasible; a fresh attacker that
    checks every primary of the pattern found agrees that each can move by two."""
    from dashboard.privacy.attacker import Attacker

    part, primary, suppressor = suppressor_of(grid)
    hidden = suppressor.solve(set(primary), set(), {})
    fresh = Attacker(part, float(max(part.values) + 10))
    fresh.pattern(hidden)
    assert primary <= hidden
    assert all(fresh.spread(s, 2.0)[0] >= 2 - 1e-6 for s in primary)


@pytest.mark.parametrize("grid", GRIDS)
def test_the_stabilised_relaxation_reaches_the_plain_one_s_bound(grid, monkeypatch) -> None:
    """In-out separation (``IN_OUT``) changes where cuts are found, not the LP optimum they lead to."""
    from dashboard.privacy import optimal

    bounds = []
    for lam in (1.0, optimal.IN_OUT):
        monkeypatch.setattr(optimal, "IN_OUT", lam)
        _, primary, suppressor = suppressor_of(grid)
        suppressor.solve(set(primary), set(), {})
        bounds.append(suppressor.bound)
    assert bounds[0] > 0
    assert bounds[1] == pytest.approx(bounds[0], rel=1e-6)


@pytest.mark.parametrize("grid", GRIDS)
def test_a_search_that_stays_stuck_hides_more_and_the_audit_still_passes(grid, monkeypatch) -> None:
    """With no integer round to spare (``STUCK_ROUNDS`` 0) the engine hides what the cuts ask for, then
    refuses; either way the independent SCIP attacker finds no cell it can narrow to fewer than three."""
    from dashboard.privacy import optimal
    from tests.privacy.test_audit import audit_grid

    raised = []
    solve = optimal.Suppressor.solve

    def counting(self, *args):
        try:
            return solve(self, *args)
        except optimal.Stuck as e:
            raised.append(e.args[0])
            raise

    monkeypatch.setattr(optimal, "STUCK_ROUNDS", 0)
    monkeypatch.setattr(optimal, "LP_ROUNDS", 0)  # no relaxation: the integer rounds must find the cuts
    monkeypatch.setattr(optimal.Suppressor, "solve", counting)
    audit_grid(grid)
    assert raised


@pytest.mark.parametrize("grid", GRIDS)
def test_every_value_the_nearest_points_prove_is_one_the_scip_attacker_allows(grid) -> None:
    """``certify.Nearest`` proves values by integer points it checks itself; SCIP, told each value,
    must find the published table consistent with it."""
    import pyscipopt

    from dashboard.privacy.certify import Nearest

    part, primary, suppressor = suppressor_of(grid)
    hidden = suppressor.solve(set(primary), set(), {})
    nearest = Nearest(part, float(max(part.values) + 10))
    nearest.pattern(hidden)
    proven = 0
    for s in sorted(primary):
        for value in nearest.values(s, set()):
            m = pyscipopt.Model()
            m.hideOutput()
            y = [m.addVar(vtype="I", lb=0, ub=10**5) for _ in range(part.truth.size)]
            for g, members in enumerate(part.members):
                total = pyscipopt.quicksum(y[j] for j in members)
                if g in hidden:
                    m.addCons(total >= int(part.floor[g]))
                else:
                    m.addCons(total == part.values[g])
            m.addCons(pyscipopt.quicksum(y[j] for j in part.members[s]) == value)
            m.optimize()
            assert m.getStatus() == "optimal", (s, value)
            proven += 1
    assert proven >= 2 * len(primary)  # the truth and at least one more value each


@pytest.mark.parametrize("grid", GRIDS)
def test_tightened_bounds_change_no_range_under_any_pattern(grid) -> None:
    """``Attacker.tighten`` bounds how far each hidden group may rise by how far it can with everything
    hidden: no pattern lets it rise further, so every primary's range under random patterns is the same
    as with the loose bound, while the bounds themselves (the cuts' coefficients) come down."""
    import random

    from dashboard.privacy import optimal

    part, primary, _ = suppressor_of(grid)
    total = part.values.index(max(part.values))  # the grand total, exact (as the project's totals are)
    groups = optimal.hideable(part, {total})
    tight = same_ranges_tight_and_loose(part, groups, sorted(primary), random.Random(20261203), 12, 0.4)
    assert (tight.caps[groups] <= max(part.values) + 1e-6).all()  # at most the total, not "any count"


def same_ranges_tight_and_loose(part, groups, primary, rng, patterns: int, share: float):
    """Check that a tightened attacker gives every primary the loose one's range under random integer
    patterns (each group of ``groups`` hidden with probability ``share``); return the tightened one."""
    from dashboard.privacy.attacker import Attacker

    upper = float(max(part.values) + 10)
    loose, tight = Attacker(part, upper), Attacker(part, upper)
    tight.tighten(groups)
    for _ in range(patterns):
        hidden = set(primary) | {g for g in groups if rng.random() < share}
        loose.pattern(hidden)
        tight.pattern(hidden)
        for s in primary:
            assert tight.spread(s, 2.0)[0] == pytest.approx(loose.spread(s, 2.0)[0], abs=1e-6)
    return tight
