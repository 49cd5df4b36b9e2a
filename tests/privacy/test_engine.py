"""The engine's decisions on small hand-made releases (the audit module re-checks them independently)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from dashboard.privacy.engine import Decision, Table, protect
from tests.privacy.test_audit import leaks


def two_way(values: dict[tuple[str, str], int]) -> tuple[pl.DataFrame, Table]:
    atoms = pl.DataFrame(
        {
            "municipality_code": [m for m, _ in values],
            "gender": [g for _, g in values],
            "n_clients": list(values.values()),
        }
    )
    ms = sorted({m for m, _ in values})
    gs = sorted({g for _, g in values})
    cells = (
        [{"municipality_code": m, "gender": g} for m in ms for g in gs]
        + [{"municipality_code": m} for m in ms]
        + [{"gender": g} for g in gs]
        + [{}]
    )
    return atoms, Table("t.t", "t", tuple(cells))


def test_small_cells_are_hidden_with_complements_and_zeros_shown() -> None:
    atoms, table = two_way({("a", "f"): 3, ("a", "m"): 10, ("b", "f"): 7, ("b", "m"): 0, ("c", "f"): 12})
    d = protect(atoms, [table])
    assert isinstance(d, Decision)
    assert d.is_hidden({"municipality_code": "a", "gender": "f"})
    assert d.value({"municipality_code": "b", "gender": "m"}) == 0
    assert d.value({"municipality_code": "c", "gender": "m"}) == 0
    assert len(d.hidden) >= 3  # one hidden cell alone is given away by its totals
    with pytest.raises(KeyError):
        d.value({"municipality_code": "zz"})


def test_with_hide_zeros_a_zero_is_the_cheapest_complement() -> None:
    atoms, table = two_way({("a", "f"): 3, ("a", "m"): 10, ("b", "f"): 7, ("b", "m"): 0, ("c", "f"): 12})
    shown_zeros = protect(atoms, [table])
    d = protect(atoms, [replace(table, hide_zeros=True)])
    assert d.is_hidden({"municipality_code": "a", "gender": "f"})
    assert d.value({"municipality_code": "a", "gender": "f"}) is None
    # The 3 needs a partner in its row (the 10) and its column (the 7 or the 12), and the rectangle is
    # closed by b/m or c/m: zeros, which cost one client each, instead of a second count.
    assert d.is_hidden({"municipality_code": "b", "gender": "m"}) != d.is_hidden(
        {"municipality_code": "c", "gender": "m"}
    )
    assert d.stats["clients_hidden"] in (20.0, 25.0)  # 3 + 10 + 7 (or 12) + a zero
    assert d.stats["clients_hidden"] < shown_zeros.stats["clients_hidden"]
    assert len(d.hidden) == 4  # one hidden cell alone is given away by its totals


def test_same_input_same_decision_and_lists_are_any_of() -> None:
    atoms, table = two_way({("a", "f"): 3, ("a", "m"): 10, ("b", "f"): 7, ("b", "m"): 8})
    first = protect(atoms, [table])
    atoms2, table2 = two_way({("a", "f"): 3, ("a", "m"): 10, ("b", "f"): 7, ("b", "m"): 8})
    assert protect(atoms2, [table2]).hidden == first.hidden
    both = Table("t.any", "t", ({"gender": ["m", "f"]},))
    d = protect(atoms, [table, both])
    assert d.values[d.key({"gender": ("f", "m")})] == 28


def test_exact_cells_are_never_hidden_and_an_unprotectable_table_is_refused() -> None:
    atoms, _ = two_way({("a", "f"): 1, ("a", "m"): 2})
    total = Table("t.total", "total", ({},), exact=True)
    breakdown = Table("t.gender", "gender", ({"gender": "f"}, {"gender": "m"}))
    d = protect(atoms, [total, breakdown])
    assert d.value({}) == 3
    assert d.refused == frozenset({"t.gender"})  # f + m = 3, each >= 1: only 1 or 2
    d = protect(atoms, [total, replace(breakdown, hide_zeros=True)])
    assert d.refused == frozenset()  # zeros may be hidden: f may be 0, 1, 2 or 3
    assert d.is_hidden({"gender": "f"}) and d.is_hidden({"gender": "m"})
    atoms, _ = two_way({("a", "f"): 1, ("a", "m"): 0})
    d = protect(atoms, [total, replace(breakdown, hide_zeros=True)])
    assert d.value({}) == 1
    assert d.refused == frozenset({"t.gender"})  # f + m = 1: f is 0 or 1 whatever is hidden


def test_a_cell_counting_the_same_clients_as_an_exact_cell_is_shown_like_it() -> None:
    atoms = pl.DataFrame(
        {
            "gender": ["f", "m"],
            "is_active": [False, True],
            "pathway": ["education", None],
            "n_clients": [3, 40],
        }
    )
    exact = Table("t.exact", "pathways", ({"pathway": "education"},), exact=True)
    node = Table("t.node", "node", ({"pathway": "education", "is_active": False}, {"is_active": True}))
    d = protect(atoms, [exact, node])
    assert d.value({"pathway": "education", "is_active": False}) == 3  # an ended client: the same 3
    assert d.refused == frozenset()


def test_zeros_are_shown_in_one_table_and_complements_in_another() -> None:
    """The whole project's table shows its zeros; a breakdown's may be complements (``Table.hide_zeros``).
    The independent SCIP attacker takes the first's hidden cells as >= 1 and the second's as >= 0."""
    grid = {("a", "f"): 3, ("a", "m"): 10, ("b", "f"): 7, ("b", "m"): 0, ("c", "f"): 12, ("c", "m"): 0}
    atoms, table = two_way(grid)
    shown_zero = {"municipality_code": "c", "gender": "m"}
    by_gender = Table("t.gender", "by gender", ({"gender": "f"}, {"gender": "m"}, {}, shown_zero))
    breakdown = Table("t.t", "t", table.cells, hide_zeros=True)
    d = protect(atoms, [by_gender, breakdown])
    assert d.is_hidden({"municipality_code": "a", "gender": "f"})
    assert d.value(shown_zero) == 0  # its zero is shown in by_gender, so never a complement
    assert d.is_hidden({"municipality_code": "b", "gender": "m"})  # the other zero is the cheap one
    order = sorted({m for m, _ in grid}), ["f", "m"]
    var = {key: i for i, key in enumerate(grid)}
    cells, floors = [], []
    for t in (by_gender, breakdown):
        for dims in t.cells:
            members = [
                var[(m, g)]
                for m in order[0]
                for g in order[1]
                if dims.get("municipality_code", m) == m and dims.get("gender", g) == g
            ]
            cells.append((members, d.values[d.key(dims)], not d.is_hidden(dims)))
            floors.append(0 if t.hide_zeros and not any(dims == c for c in by_gender.cells) else 1)
    assert leaks(len(var), cells, 5, floors) == []
