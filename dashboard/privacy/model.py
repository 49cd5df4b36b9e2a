"""The attacker's model of a release: combinations of attribute values and the integer programs over them.

See ``engine`` for the model; ``Model.feasible_values`` solves it with HiGHS (``highspy``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import highspy
import numpy as np
import polars as pl

COUNT = "n_clients"
UNEMPLOYED = "unemployed"
ENDED = "is_ended_in_quarter"  # ended in the quarter: never an active client
BIG = 10**6  # an upper bound on any count: a range reaching it has far more than three values
_log = logging.getLogger(__name__)
NEAR = 1  # the first search for another value keeps every count within this of its true value
NEAR_SECONDS = 5.0  # per feasibility problem of that first search
MAX_COMBINATIONS = 200_000  # beyond this the model uses only the combinations the data hold (stronger)


def matches(frame: pl.DataFrame, key: frozenset) -> np.ndarray:
    mask = np.ones(frame.height, dtype=bool)
    for attr, v in key:
        if attr not in frame.columns:
            raise ValueError(f"dims use {attr!r}, which the atoms do not have")
        col = frame[attr]
        if isinstance(v, tuple):
            m = col.is_in([x for x in v if x is not None]).fill_null(False).to_numpy()
            if None in v:
                m = m | col.is_null().to_numpy()
        elif v is None:
            m = col.is_null().to_numpy()
        else:
            m = (col == v).fill_null(False).to_numpy()
        mask &= m
    return mask


def combinations(atoms: pl.DataFrame, attrs: list[str]) -> pl.DataFrame:
    """The attacker's cells: every structurally possible combination of the used attributes' values."""
    if not attrs:
        return pl.DataFrame({"__one": [1]})
    data = atoms.select(attrs).unique()
    groups: list[pl.DataFrame] = []
    rest = set(attrs)

    def take(names: list[str], frame: pl.DataFrame) -> None:
        groups.append(frame)
        rest.difference_update(names)

    geo = [a for a in ("municipality_code", "wellbeing_region_code") if a in rest]
    if len(geo) == 2:  # the region is a function of the municipality
        take(geo, data.select(geo).unique())
    exit_attrs = [a for a in ("is_active", "status_at_exit", "pathway", "is_progressed", ENDED) if a in rest]
    if len(exit_attrs) > 1 or exit_attrs in (["is_progressed"], [ENDED]):
        take(exit_attrs, _exit_group(data, exit_attrs))
    entry = [a for a in ("status_at_entry", "is_long_term_unemployed") if a in rest]
    if len(entry) == 2:
        ent = _product(data, entry)
        ent = ent.filter(
            pl.col("is_long_term_unemployed").is_null()
            | ~pl.col("is_long_term_unemployed")
            | (pl.col("status_at_entry") == UNEMPLOYED)
        )
        take(entry, ent)
    for a in sorted(rest):
        groups.append(data.select(a).unique())
    size = 1
    for g in groups:
        size *= g.height
    if size > MAX_COMBINATIONS:
        return data
    out = groups[0]
    for g in groups[1:]:
        out = out.join(g, how="cross")
    if {"is_new", "is_active", ENDED} <= set(attrs):  # a client new in the quarter that ended, ended in it
        out = out.filter(~(pl.col("is_new") & ~pl.col("is_active") & ~pl.col(ENDED)).fill_null(False))
    return out.select(attrs)


def _product(data: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    out = data.select(names[0]).unique()
    for n in names[1:]:
        out = out.join(data.select(n).unique(), how="cross")
    return out


def _non_null(data: pl.DataFrame, name: str) -> list:
    return [v for v in data[name].unique().to_list() if v is not None] if name in data.columns else []


def _exit_group(data: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Active <=> no exit status and no pathway; ended: both set; is_progressed follows the pathway."""
    exits = _non_null(data, "status_at_exit")
    paths = _non_null(data, "pathway")
    progressed: dict = {}
    if "pathway" in data.columns and "is_progressed" in data.columns:
        for p, g in data.select("pathway", "is_progressed").unique().iter_rows():
            progressed.setdefault(p, set()).add(g)
    prog_values = data["is_progressed"].unique().to_list() if "is_progressed" in data.columns else []
    rows = []
    has_exit, has_path = "status_at_exit" in names, "pathway" in names
    for active in (True, False):
        e_opts = [None] if active else (exits or [None])
        p_opts = [None] if active else (paths or [None])
        for e in e_opts if has_exit else [None]:
            for p in p_opts if has_path else [None]:
                if "is_progressed" in names:
                    if has_path:
                        g_opts = sorted(progressed.get(p, {None}), key=str)
                    else:
                        ended = [g for g in prog_values if g is not None]
                        g_opts = [None] if active else (ended or [None])
                else:
                    g_opts = [None]
                ended_in_q = [False] if active else _non_null(data, ENDED) or [None]
                for g in g_opts:
                    for q in ended_in_q if ENDED in names else [None]:
                        rows.append(
                            {
                                "is_active": active,
                                "status_at_exit": e,
                                "pathway": p,
                                "is_progressed": g,
                                ENDED: q,
                            }
                        )
    if not rows:
        return data.select(names).unique()
    frame = pl.DataFrame({n: [r[n] for r in rows] for n in names}, schema={n: data.schema[n] for n in names})
    return frame.unique(maintain_order=True)


def add_sums(h: highspy.Highs, lower, upper, starts: list[int], indices: list[int]) -> None:
    """Add rows ``lower <= sum of the variables listed <= upper`` (CSR: ``starts`` into ``indices``)."""
    if len(starts):
        h.addRows(
            len(starts),
            np.asarray(lower, dtype=float),
            np.asarray(upper, dtype=float),
            len(indices),
            np.array(starts, dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.ones(len(indices)),
        )


def add_links(h: highspy.Highs, links: Sequence[tuple[np.ndarray, np.ndarray]], rhs: float = 0.0) -> None:
    """Add rows ``sum(y[plus]) - sum(y[minus]) == 0``: a clique's margin equals its parent's."""
    for plus, minus in links:
        idx = np.concatenate([plus, minus]).astype(np.int32)
        coef = np.concatenate([np.ones(plus.size), -np.ones(minus.size)])
        h.addRow(rhs, rhs, idx.size, idx, coef)


def links_hold(z: np.ndarray, links: Sequence[tuple[np.ndarray, np.ndarray]]) -> bool:
    """Whether the counts ``z`` agree on every clique link."""
    return all(int(z[plus].sum()) == int(z[minus].sum()) for plus, minus in links)


class Model:
    """The attacker's integer program over the combinations, for one set of cells."""

    @classmethod
    def of(
        cls,
        members: Sequence[np.ndarray],
        values: Sequence[int],
        n_vars: int,
        floor: Sequence[int],
        truth: np.ndarray | None = None,
        links: Sequence[tuple[np.ndarray, np.ndarray]] = (),
    ) -> Model:
        """A model over variables already reduced (``domain.parts``): each cell's members and value.

        ``floor``: per cell, the least it may be to the attacker when hidden (1 when its zero is shown);
        ``truth``: each variable's true count, where known (the search starts near it); ``links``: the
        equations that tie cliques' margins (``domain.decompose``).
        """
        self = cls()
        self.links = list(links)
        self.members, self.values, self.n_vars, self.floor = list(members), list(values), n_vars, list(floor)
        self.truth = truth
        return self

    def overlaps(self, a: int, b: int) -> bool:
        return bool(np.intersect1d(self.members[a], self.members[b], assume_unique=True).size)

    def contains(self, a: int, b: int) -> bool:
        return bool(np.isin(self.members[b], self.members[a], assume_unique=True).all())

    def _highs(self, hidden: set[int], objective: int | None = None) -> highspy.Highs:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        n = self.n_vars
        h.addVars(n, np.zeros(n), np.full(n, float(BIG)))
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
        lower, upper, starts, indices = [], [], [], []
        self.rows: dict[int, int] = {}
        for c, (m, v) in enumerate(zip(self.members, self.values, strict=True)):
            if m.size == 0:
                continue
            self.rows[c] = len(lower)
            lower.append(float(self.floor[c]) if c in hidden else float(v))
            upper.append(highspy.kHighsInf if c in hidden else float(v))
            starts.append(len(indices))
            indices.extend(m.tolist())
        add_sums(h, lower, upper, starts, indices)
        add_links(h, self.links)
        return h

    def feasible_values(self, hidden: set[int], cells: Sequence[int]) -> dict[int, int]:
        """How many values (capped at 3) each of ``cells`` can take, given which cells are hidden.

        Feasibility problems only (no objective: HiGHS stops at the first solution): the true value ``v``
        is feasible; look for a value below it and one above it, and, when only one side has one, for a
        second value on that side (beyond the one found, or between it and ``v``). When the true counts
        are known (``truth``), every cell is tried first near them (each count within ``NEAR`` of its
        true value, ``NEAR_SECONDS`` per problem): a solution there is a solution, and these small
        problems solve about ten times faster (measured on the demo); only the cells still short of
        three values are tried again without the box.
        """
        h = self._highs(hidden)
        n = self.n_vars
        everyone = np.arange(n, dtype=np.int32)
        h.changeColsCost(n, everyone, np.zeros(n))
        out: dict[int, int] = {}
        todo = list(cells)
        if self.truth is not None and todo:
            z = self.truth.astype(float)
            h.setOptionValue("time_limit", NEAR_SECONDS)
            h.changeColsBounds(n, everyone, np.maximum(0.0, z - NEAR), z + NEAR)
            out.update({c: self._values(h, c, near=True) for c in todo})
            todo = [c for c in todo if out[c] < 3]
            _log.debug("integer re-proof: %d cells left after the search near the truth", len(todo))
            h.changeColsBounds(n, everyone, np.zeros(n), np.full(n, float(BIG)))
            h.setOptionValue("time_limit", highspy.kHighsInf)
        out.update({c: self._values(h, c, near=False) for c in todo})
        return out

    def _values(self, h: highspy.Highs, c: int, near: bool) -> int:
        row, v, m = self.rows[c], self.values[c], self.members[c]

        def find(lo: float, hi: float) -> int | None:
            if lo > hi:
                return None
            h.changeRowBounds(row, lo, hi)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kInfeasible:
                return None
            if near and status == highspy.HighsModelStatus.kTimeLimit:
                return None  # not found near the truth: the search without the box decides
            if status != highspy.HighsModelStatus.kOptimal:
                raise RuntimeError(f"attacker model not solved: {h.modelStatusToString(status)}")
            return round(float(np.asarray(h.getSolution().col_value)[m].sum()))

        seen = {v}
        below, above = find(self.floor[c], v - 1), find(v + 1, highspy.kHighsInf)
        seen |= {x for x in (below, above) if x is not None}
        if len(seen) < 3 and above is not None:
            more = find(above + 1, highspy.kHighsInf)
            if more is None:
                more = find(v + 1, above - 1)
            seen |= {more} if more is not None else set()
        if len(seen) < 3 and below is not None:
            more = find(self.floor[c], below - 1)
            if more is None:
                more = find(below + 1, v - 1)
            seen |= {more} if more is not None else set()
        h.changeRowBounds(row, float(self.floor[c]), highspy.kHighsInf)
        return min(len(seen), 3)
