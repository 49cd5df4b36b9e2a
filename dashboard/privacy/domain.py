"""The attacker's domain of a release (issue 15): its parts, each reduced without loss.

The release is split by quarter (``parts``): cells of different quarters count different snapshots of
the client lists. Consecutive quarters are tied by the clients a list carries, so they are *chained* into
one part (``chain``); a release spanning quarters in one cell is one part.

Each part's attacker domain (every structurally possible combination of the attribute values,
``model.combinations``, per clique of ``decompose``) is reduced without loss: a combination inside a shown
zero is 0, and combinations that lie in exactly the same cells are one variable (their sum is all any
cell sees). Cells that then count the same variables are the same count, so they are decided together
(a *group*).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from dashboard.privacy import chain
from dashboard.privacy.model import COUNT, combinations

_MISSING = object()
PART = "quarter"  # an attribute every cell of a release fixes: each value counts one snapshot of the lists


@dataclass
class Part:
    """One part of a release, independent of the others: its groups of cells over merged variables."""

    cells: list[list[int]]  # the release's cell indices of each group
    members: list[np.ndarray]  # merged variables each group counts
    values: list[int]  # each group's true count
    truth: np.ndarray  # each merged variable's true count
    floor: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # per group, the least it may be when hidden: 1 when its zero would be shown, else 0
    stats: dict[str, float] = field(default_factory=dict)
    links: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    # equations sum(y[plus]) == sum(y[minus]): one clique's margin on a separator value equals its parent's,
    # or a quarter's carried margin the next quarter's (``_glue``)
    glue: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    # while parts are built: per side ("prev", "next"), each combination's carried-margin value and variable


def parts(
    atoms: pl.DataFrame,
    keys: Sequence[frozenset],
    values: Sequence[int],
    zeros_shown: Collection[int] | None = None,
    cliques: Sequence[frozenset[str]] | None = None,
) -> list[Part]:
    """Split the release into parts and reduce each part's attacker domain (see the module docstring).

    ``zeros_shown`` are the cells whose zero is always shown (``None``: every cell): their zeros fix
    their combinations at 0 whatever the pattern, and hidden they are at least 1. The other cells'
    zeros may be complements, so hidden they are only at least 0.

    ``cliques`` (``None``: one, every attribute) decompose the domain (``decompose``): each cell must
    lie within one of them.
    """
    by_part: dict[object, list[int]] = {}
    for c, k in enumerate(keys):
        fixed = dict(k).get(PART, _MISSING)
        by_part.setdefault(fixed if not isinstance(fixed, tuple) else _MISSING, []).append(c)
    if _MISSING in by_part and len(by_part) > 1:  # some cell spans parts: one part for all
        by_part = {_MISSING: list(range(len(keys)))}
    order = sorted(by_part.items(), key=lambda kv: str(kv[0]))
    part_keys = [
        [k if p is _MISSING else frozenset(kv for kv in k if kv[0] != PART) for k in (keys[c] for c in cells)]
        for p, cells in order
    ]
    trees = [decompose(k, cliques) for k in part_keys]
    sides: list[dict[str, chain.Side]] = [{} for _ in order]
    chained = []
    for i in range(1, len(order)):
        (before, _), (after, _) = order[i - 1], order[i]
        carry = chain.carry(trees[i - 1], trees[i]) if chain.consecutive(before, after) else None
        chained.append(carry is not None)
        if carry:
            sides[i - 1]["next"], sides[i]["prev"] = carry
    built = []
    for i, ((p, cells), k, side) in enumerate(zip(order, part_keys, sides, strict=True)):
        frame = atoms if p is _MISSING else atoms.filter(pl.col(PART) == p)
        shows = [zeros_shown is None or c in zeros_shown for c in cells]
        zero = [values[c] == 0 and z for c, z in zip(cells, shows, strict=True)]
        first = i == 0 and p is not _MISSING and chain.carries_none(frame, trees[i])
        known = [chain.NONE_CARRIED] if first else []
        part = _reduce(frame, cells, k, [values[c] for c in cells], zero, cliques, side, known)
        index = {c: i for i, c in enumerate(cells)}
        part.floor = np.array([int(any(shows[index[c]] for c in g)) for g in part.cells], dtype=np.int64)
        built.append(part)
    out, run = [], built[:1]
    for part, glued in zip(built[1:], chained, strict=True):
        if not glued:
            out.append(_glue(run))
            run = []
        run.append(part)
    return [*out, _glue(run)] if run else out


def _glue(run: list[Part]) -> Part:
    """One part of consecutive quarters' parts: each quarter's carried margin equals the next one's."""
    if len(run) == 1 and not run[0].glue:
        return run[0]
    out = Part([], [], [], np.concatenate([p.truth for p in run]))
    out.floor = np.concatenate([p.floor for p in run])
    offsets = np.cumsum([0, *(p.truth.size for p in run)])
    for part, offset in zip(run, offsets, strict=False):
        out.cells += part.cells
        out.members += [m + offset for m in part.members]
        out.values += part.values
        out.links += [(a + offset, b + offset) for a, b in part.links]
        for name, v in part.stats.items():
            out.stats[name] = out.stats.get(name, 0.0) + v
    glued, broken = chain.links(run, offsets, out.truth)
    out.links += glued
    out.stats["glue_broken"] = float(broken)
    out.stats["quarters_chained"] = float(len(run))
    return out


def decompose(keys: Sequence[frozenset], cliques: Sequence[frozenset[str]] | None) -> list[list[str]]:
    """The attribute lists of the cliques the domain is split into (the attributes the cells use).

    A release whose cells' attribute sets lie within cliques ``C1, C2, ...`` that form a junction tree
    (each clique meets the ones before it only in its *separator*, which lies within its parent, the
    first earlier clique holding it) needs no cross-classification of all its attributes: one table per
    clique, each clique's margin on its separator equal to its parent's. That is exact, not a weaker
    attacker: given such tables, a joint table with those margins exists (for each separator value a
    transportation problem with equal integer totals, which has integer solutions), so every value the
    clique tables allow the full cross-classification allows too, provided no structural rule of the
    contract ties attributes of two cliques beyond their separator (``model.combinations``: the region
    follows the municipality, the exit group follows ``is_active`` / ``is_progressed``).
    """
    used = sorted({a for k in keys for a, _ in k})
    if not cliques:
        return [used]
    out = [sorted(set(c) & set(used)) for c in cliques]
    for k in keys:
        if not any({a for a, _ in k} <= set(c) for c in out):
            raise ValueError(f"a cell uses {sorted(a for a, _ in k)}, which no clique holds")
    for j in range(1, len(out)):
        before = set().union(*map(set, out[:j]))
        if not any(set(out[j]) & before <= set(out[i]) for i in range(j)):
            raise ValueError("the cliques do not form a junction tree")
    return out


def _reduce(
    atoms: pl.DataFrame,
    cells: list[int],
    keys: list[frozenset],
    values: list[int],
    zero: list[bool],
    cliques: Sequence[frozenset[str]] | None = None,
    sides: Mapping[str, chain.Side] | None = None,
    known_zero: Sequence[frozenset] = (),
) -> Part:
    """Reduce one quarter's domain (module docstring); ``known_zero``: dims every reader knows count 0."""
    tree = decompose(keys, cliques)
    sides = sides or {}
    side_home = {n: next(i for i, c in enumerate(tree) if side.attrs <= set(c)) for n, side in sides.items()}
    glue_keys: dict[str, np.ndarray] = {}
    home = [next(i for i, c in enumerate(tree) if {a for a, _ in k} <= set(c)) for k in keys]
    parent = [-1] + [
        next(i for i in range(j) if set(tree[j]) & set().union(*map(set, tree[:j])) <= set(tree[i]))
        for j in range(1, len(tree))
    ]
    rng = np.random.default_rng(20261202)
    offset = 0
    var_of: list[np.ndarray] = []
    members_of: dict[int, np.ndarray] = {}
    truth_parts, combos_n, seps = [], 0, []
    for i, attrs in enumerate(tree):
        combos = combinations(atoms, attrs).with_row_index("__combo")
        n = combos.height
        combos_n += n
        masks: dict[tuple[str, object], np.ndarray] = {}
        inside = {c: _inside(combos, keys[c], masks) for c in range(len(keys)) if home[c] == i}
        dead = np.zeros(n, dtype=bool)
        for c, m in inside.items():
            if zero[c]:
                dead |= m
        for k in known_zero:
            if {a for a, _ in k} <= set(attrs):
                dead |= _inside(combos, k, masks)
        signature = np.zeros(n, dtype=np.uint64)
        for c, m in inside.items():
            if not zero[c]:
                signature[m] += rng.integers(1, 2**63, dtype=np.uint64)
        sep_ids = {}
        for j in range(len(tree)):  # a variable stays on one value of each separator it lies on
            if j != i and (parent[j] == i or parent[i] == j):
                sep = sorted(set(tree[i]) & set(tree[j]))
                if sep:
                    sep_ids[j] = combos.select(pl.struct(sep).hash(7))[:, 0].to_numpy()
        for name, home_i in side_home.items():  # a variable stays on one value of the carried margin
            if home_i == i:
                glue_keys[name] = sides[name].key(combos)
                codes = np.unique(glue_keys[name].astype(str), return_inverse=True)[1].reshape(-1)
                sep_ids[f"glue:{name}"] = codes.astype(np.uint64)
        live = np.flatnonzero(~dead)
        key = np.stack([signature, *sep_ids.values()], axis=1)[live] if live.size else np.zeros((0, 1))
        _, var_of_live = np.unique(key, axis=0, return_inverse=True)
        var_of_live = var_of_live.reshape(-1)
        var = np.full(n, -1)
        var[live] = var_of_live + offset
        n_vars = int(var_of_live.max()) + 1 if live.size else 0
        truth = np.zeros(n_vars, dtype=np.int64)
        live_atoms = atoms.filter(pl.col(COUNT) > 0)
        if live_atoms.height and n_vars:
            joined = (
                live_atoms.join(combos, on=attrs, how="left", nulls_equal=True)
                if attrs
                else live_atoms.with_columns(__combo=0)
            )
            at = joined["__combo"].to_numpy()
            if np.isnan(at.astype(float)).any() or (var[at.astype(int)] < 0).any():  # pragma: no cover
                raise AssertionError("a microdata row fell outside the attacker's domain")
            np.add.at(truth, var[at.astype(int)] - offset, joined[COUNT].to_numpy())
        for c, m in inside.items():
            members_of[c] = np.unique(var[m & ~dead])  # empty: a cell every reader knows is 0
        truth_parts.append(truth)
        var_of.append(var)
        seps.append(sep_ids)
        offset += n_vars
    links = []
    for j in range(1, len(tree)):
        i = parent[j]
        if j not in seps[i]:
            continue
        a_ids, a_var = seps[i][j], var_of[i]
        b_ids, b_var = seps[j][i], var_of[j]
        for value in np.union1d(a_ids, b_ids):
            plus = np.unique(b_var[(b_ids == value) & (b_var >= 0)])
            minus = np.unique(a_var[(a_ids == value) & (a_var >= 0)])
            if plus.size or minus.size:
                links.append((plus, minus))
    truth = np.concatenate(truth_parts) if truth_parts else np.zeros(0, dtype=np.int64)
    groups: dict[bytes, int] = {}
    out = Part([], [], [], truth, stats={"combinations": float(combos_n), "variables": float(truth.size)})
    out.links = links
    out.glue = {name: (glue_keys[name], var_of[home_i]) for name, home_i in side_home.items()}
    for position, (c, v) in enumerate(zip(cells, values, strict=True)):
        members = members_of[position]
        key = members.tobytes()
        if key not in groups:
            groups[key] = len(out.cells)
            out.cells.append([])
            out.members.append(members)
            out.values.append(v)
        out.cells[groups[key]].append(c)
    return out


def _inside(combos: pl.DataFrame, key: frozenset, masks: dict) -> np.ndarray:
    """Which combinations lie in the cell ``key`` (``masks`` caches each condition's)."""
    m = np.ones(combos.height, dtype=bool)
    for attr, v in key:
        if (attr, v) not in masks:
            col = combos[attr]
            if isinstance(v, tuple):
                hit = col.is_in([x for x in v if x is not None]).fill_null(False).to_numpy()
                masks[(attr, v)] = hit | col.is_null().to_numpy() if None in v else hit
            else:
                masks[(attr, v)] = (
                    col.is_null().to_numpy() if v is None else (col == v).fill_null(False).to_numpy()
                )
        m &= masks[(attr, v)]
    return m
