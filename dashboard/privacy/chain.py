"""Chaining consecutive quarters of a release (issue 15): the clients a list carries into the next one.

Cells of different quarters count different snapshots of the client lists, but not independent ones: a
list carried into the next quarter keeps its clients, so the clients of quarter p are the clients of
p + 1 that are not new there, each with the same stable attributes (area, age group, gender), active at p
exactly when active or ended in p + 1, and ended before p + 1 with the same exit. The attacker knows this
(the data contract: each list is the whole list as at the quarter's end), so ``domain.parts`` glues
consecutive quarters on that carried margin (``carry``, ``links``), exactly as the cliques of one quarter
are glued on their separators (``domain.decompose``). Without it a hidden ``ended(q)`` follows from
``active(q) = active(q-1) + new(q) - ended(q)``. A glue equation the data do not satisfy (a later list
rewrote history) is left out and counted (``glue_broken``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from dashboard.privacy.model import COUNT, ENDED
from pipelines import quarters

if TYPE_CHECKING:
    from dashboard.privacy.domain import Part

STABLE = (  # a client's attributes that a list carried into the next quarter keeps
    "municipality_code",
    "wellbeing_region_code",
    "age_group",
    "gender",
    "status_at_entry",
    "is_long_term_unemployed",
)
EXIT = ("status_at_exit", "pathway", "is_progressed")  # kept too once the client has ended
ACTIVE, NEW = "is_active", "is_new"


@dataclass(frozen=True)
class Side:
    """One quarter's side of the carried margin between two consecutive quarters."""

    attrs: frozenset[str]  # what ``key`` reads: all within one clique of the quarter
    key: Callable[[pl.DataFrame], np.ndarray]  # per combination its margin's value (None: on no equation)


NONE_CARRIED = frozenset({(NEW, False)})  # the first quarter's clients: every one of them new


def carries_none(frame: pl.DataFrame, tree: list[list[str]]) -> bool:
    """Whether the first quarter's clients all started in it (nothing carried from before the project).

    The attacker may know the project's start, so when the data say so the model does too: the
    first quarter's cells then tie to the later ones' without any client of unknown history.
    """
    if not any(NEW in c for c in tree) or NEW not in frame.columns:
        return False
    return int(frame.filter(~pl.col(NEW).fill_null(True))[COUNT].sum()) == 0


def consecutive(before: object, after: object) -> bool:
    return (
        isinstance(before, str)
        and isinstance(after, str)
        and quarters.is_quarter(before)
        and quarters.is_quarter(after)
        and quarters.following(before) == after
    )


def carry(earlier: list[list[str]], later: list[list[str]]) -> tuple[Side, Side] | None:
    """The carried margin of two consecutive quarters, as what the earlier and the later one count of it.

    Its value is a client's stable attributes that both quarters count and the client's state at the
    earlier quarter: active (the later one: not new, and active or ended there), or ended with the exit
    attributes both count. A quarter that does not count the needed lifecycle attributes carries only
    "there" (the later one: not new); a later quarter without ``is_new`` carries nothing (``None``).
    """
    e_all, l_all = set().union(*map(set, earlier)), set().union(*map(set, later))
    if NEW not in l_all:
        return None
    life = ACTIVE in e_all and {ACTIVE, ENDED} <= l_all
    stable = [a for a in STABLE if a in e_all and a in l_all]
    exits = [a for a in EXIT if a in e_all and a in l_all] if life else []
    e_attrs = frozenset([*stable, *exits, *([ACTIVE] if life else [])])
    l_attrs = frozenset([*stable, *exits, NEW, *([ACTIVE, ENDED] if life else [])])
    if not any(e_attrs <= set(c) for c in earlier) or not any(l_attrs <= set(c) for c in later):
        raise ValueError("the margin two quarters share lies in no clique of one of them")

    def text(names: Sequence[str]) -> list[pl.Expr]:
        return [pl.col(a).cast(pl.String).fill_null("-") for a in names]

    ended = pl.concat_str([pl.lit("ended"), *text(exits)], separator="|")
    active = pl.col(ACTIVE).fill_null(False) if life else None
    there = pl.when(active).then(pl.lit("active")).otherwise(ended) if life else pl.lit("")
    was = pl.col(ACTIVE).fill_null(False) | pl.col(ENDED).fill_null(False) if life else None
    later_state = (
        pl.when(pl.col(NEW).fill_null(False))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.when(was).then(pl.lit("active")).otherwise(ended) if life else pl.lit(""))
    )

    def keyed(state: pl.Expr) -> Callable[[pl.DataFrame], np.ndarray]:
        def key(combos: pl.DataFrame) -> np.ndarray:
            value = pl.concat_str([*text(stable), state], separator="|")  # null when the state is null
            return combos.select(value.alias("k"))["k"].to_numpy()

        return key

    return Side(e_attrs, keyed(there)), Side(l_attrs, keyed(later_state))


def links(run: Sequence[Part], offsets: np.ndarray, truth: np.ndarray) -> tuple[list, int]:
    """The glue equations of a run of consecutive quarters' parts, and how many the data break.

    Each quarter's carried margin (its ``glue["next"]``) equals the next quarter's (``glue["prev"]``),
    value by value; ``offsets`` place each part's variables in the run's, ``truth`` their true counts.
    """
    out, broken = [], 0
    for i in range(len(run) - 1):
        e_key, e_var = run[i].glue["next"]
        l_key, l_var = run[i + 1].glue["prev"]
        values = {k for k, v in zip(e_key, e_var, strict=True) if v >= 0 and k is not None}
        values |= {k for k, v in zip(l_key, l_var, strict=True) if v >= 0 and k is not None}
        for value in sorted(values):
            minus = np.unique(e_var[(e_key == value) & (e_var >= 0)]) + offsets[i]
            plus = np.unique(l_var[(l_key == value) & (l_var >= 0)]) + offsets[i + 1]
            if truth[plus].sum() != truth[minus].sum():  # a later list rewrote history here
                broken += 1
                continue
            out.append((plus, minus))
    return out, broken
