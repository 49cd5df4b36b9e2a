"""The attacker's domain split into cliques (``domain.decompose``) is exactly as strong as the full one.

A release whose cells lie within cliques {a, b} and {b, c} needs no a x b x c cross-classification: a
table on each clique with equal margins on b always glues into a joint table. These tests hold that on
random releases: the same LP range for every cell under the same pattern, the same integer verdicts,
and a pattern decided with cliques passes the independent SCIP audit over the full domain.
"""

from __future__ import annotations

import itertools
import random

import polars as pl
import pytest

from dashboard.privacy import domain
from dashboard.privacy.attacker import Attacker
from dashboard.privacy.engine import Table, normalise, protect
from dashboard.privacy.model import COUNT, Model, matches
from tests.privacy.test_audit import leaks

A, B, C = ("a0", "a1", "a2"), ("b0", "b1"), ("c0", "c1", "c2")
CLIQUES = (frozenset({"age_group", "gender"}), frozenset({"gender", "pathway"}))


def release(seed: int) -> tuple[pl.DataFrame, list[dict]]:
    """Random counts over a x b x c (many zeros and small cells) and the cells of both clique tables."""
    rnd = random.Random(seed)
    rows = [(a, b, c, rnd.choice([0, 0, 1, 2, 3, 4, 6, 9])) for a, b, c in itertools.product(A, B, C)]
    atoms = pl.DataFrame(rows, schema=["age_group", "gender", "pathway", COUNT], orient="row")
    cells: list[dict] = [{"age_group": a, "gender": b} for a in A for b in B]
    cells += [{"gender": b, "pathway": c} for b in B for c in C]
    cells += [{"age_group": a} for a in A] + [{"gender": b} for b in B] + [{"pathway": c} for c in C]
    return atoms, [*cells, {}]


def part_of(atoms: pl.DataFrame, cells: list[dict], cliques, zeros_shown: bool) -> domain.Part:
    keys = [normalise(c) for c in cells]
    values = [int(atoms[COUNT].to_numpy()[matches(atoms, k)].sum()) for k in keys]
    shown = set(range(len(keys))) if zeros_shown else set()
    (part,) = domain.parts(atoms, keys, values, shown, cliques)
    return part


def ranges(part: domain.Part, hidden_cells: set[int]) -> dict[int, tuple[float, float]]:
    """Each hidden cell's LP rise and fall under the pattern that hides ``hidden_cells``."""
    group = {c: g for g, cells in enumerate(part.cells) for c in cells}
    hidden = {group[c] for c in hidden_cells}
    attacker = Attacker(part, float(max(part.values) + 10))
    attacker.pattern(hidden)
    out = {}
    for c in sorted(hidden_cells):
        g = group[c]
        if part.members[g].size:
            out[c] = (attacker.rise(g)[0], attacker.rise(g, -1.0)[0])
    return out


def closed(part: domain.Part, cells: set[int]) -> set[int]:
    """The cells hidden when a pattern hides ``cells``: every cell of the same group is the same count."""
    return {c for g in part.cells if set(g) & cells for c in g}


@pytest.mark.parametrize("zeros_shown", [True, False])
@pytest.mark.parametrize("seed", range(12))
def test_the_split_domain_gives_every_cell_the_full_domain_s_lp_range(seed: int, zeros_shown: bool) -> None:
    atoms, cells = release(seed)
    full = part_of(atoms, cells, None, zeros_shown)
    split = part_of(atoms, cells, CLIQUES, zeros_shown)
    assert split.truth.size < full.truth.size or full.truth.size <= 6  # it is smaller, or tiny already
    assert split.links, "the two cliques must be tied on their separator"
    rnd = random.Random(1000 + seed)
    for _ in range(4):
        hidden = closed(full, {c for c in range(len(cells)) if rnd.random() < 0.5})
        want, got = ranges(full, hidden), ranges(split, closed(split, hidden))
        assert set(got) == set(want)
        for c in want:
            assert got[c] == pytest.approx(want[c], abs=1e-6), (cells[c], hidden)


@pytest.mark.parametrize("seed", range(8))
def test_the_split_domain_allows_the_same_integer_values(seed: int) -> None:
    atoms, cells = release(seed)
    verdicts = []
    for cliques in (None, CLIQUES):
        part = part_of(atoms, cells, cliques, zeros_shown=True)
        group = {c: g for g, cs in enumerate(part.cells) for c in cs}
        hidden_cells = closed(part, {c for c in range(len(cells)) if len(cells[c]) == 2})
        hidden = {group[c] for c in hidden_cells}
        model = Model.of(part.members, part.values, part.truth.size, part.floor, part.truth, part.links)
        todo = sorted({group[c] for c in hidden_cells if part.members[group[c]].size})
        found = model.feasible_values(hidden, todo)
        verdicts.append({c: found[group[c]] for c in hidden_cells if group[c] in found})
    shared = set(verdicts[0]) & set(verdicts[1])
    assert shared
    assert {c: verdicts[0][c] for c in shared} == {c: verdicts[1][c] for c in shared}


def full_domain(atoms: pl.DataFrame, cells: list[dict]) -> tuple[int, list[tuple[list[int], int]]]:
    """The audit's view: one variable per a x b x c combination, each cell its variables and value."""
    combos = list(itertools.product(A, B, C))
    names = ("age_group", "gender", "pathway")
    out = []
    for cell in cells:
        members = [
            i for i, t in enumerate(combos) if all(cell.get(n, v) == v for n, v in zip(names, t, strict=True))
        ]
        value = int(atoms[COUNT].to_numpy()[matches(atoms, normalise(cell))].sum())
        out.append((members, value))
    return len(combos), out


@pytest.mark.parametrize("seed", range(6))
def test_a_pattern_decided_on_the_split_domain_passes_the_full_domain_audit(seed: int) -> None:
    atoms, cells = release(seed)
    decision = protect(atoms, [Table("t", "t", tuple(cells))], cliques=CLIQUES)
    n, plain = full_domain(atoms, cells)
    audited = [(m, v, not decision.is_hidden(c)) for (m, v), c in zip(plain, cells, strict=True)]
    assert not leaks(n, audited, decision.min_cell, floor=1)


def test_a_cell_outside_every_clique_or_cliques_without_a_junction_tree_are_refused() -> None:
    keys = [normalise({"age_group": "a0", "pathway": "c0"})]
    with pytest.raises(ValueError, match="no clique"):
        domain.decompose(keys, CLIQUES)
    tree = [frozenset({"a", "b"}), frozenset({"c", "d"}), frozenset({"a", "c"}), frozenset({"b", "d"})]
    keys = [normalise({x: 1 for x in c}) for c in tree]
    with pytest.raises(ValueError, match="junction tree"):
        domain.decompose(keys, tree)
