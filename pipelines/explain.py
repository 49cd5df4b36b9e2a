"""Problems said the way a coordinator can act on them, after the contract's rules have run.

A file of another municipality is told once, first ("you may upload for Kittilä (261) only; this file is
for Posio"), not row by row; a well-written date that does not exist is called so; a misspelt
municipality gets "did you mean ...?".
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import replace

import polars as pl

from pipelines import codes
from pipelines.problems import Problem
from pipelines.transform import FINNISH_DATE, ISO_DATE, Context

SCOPE_CODES = frozenset({"out_of_scope", "event_owned_elsewhere", "event_out_of_scope"})


def file_municipality(parsed: pl.DataFrame, kind: str, ctx: Context) -> str | None:
    """Return the municipality of the project a file is for: the one most rows name, first on a tie."""
    if kind == "attendance":
        ids = parsed["event_id"].drop_nulls().to_list()
        named = [m for m in map(ctx.event_municipality, ids) if m is not None]
    else:
        named = parsed["municipality_code"].drop_nulls().to_list()
    named = [m for m in named if m in ctx.project_municipalities]
    if not named:
        return None
    counts = {m: named.count(m) for m in dict.fromkeys(named)}
    return max(counts, key=counts.__getitem__)


def _names(ctx: Context, municipalities: list[str]) -> dict[str, str]:
    """Name municipalities in each language as ``Kittilä (261)`` (English uses the Finnish names)."""
    fi, sv = ({m: ctx.municipality_names.get(m, (m, m))[i] for m in municipalities} for i in (0, 1))
    return {
        "fi": ", ".join(f"{fi[m]} ({m})" for m in municipalities),
        "sv": ", ".join(f"{sv[m]} ({m})" for m in municipalities),
        "en": ", ".join(f"{fi[m]} ({m})" for m in municipalities),
    }


def with_scope(found: list[Problem], parsed: pl.DataFrame, kind: str, ctx: Context) -> list[Problem]:
    """Say once, first, that a file of another municipality is outside the scope, not row by row."""
    allowed = ctx.allowed_municipalities
    if not allowed:  # None: the whole project; empty: nothing to name (the page offers no such project)
        return found
    theirs = file_municipality(parsed, kind, ctx)
    if theirs is None or theirs in allowed:
        return found
    names = _names(ctx, [theirs])
    problem = Problem(
        "file_out_of_scope",
        params={"allowed": _names(ctx, sorted(allowed)), "file": {k: v for k, v in names.items()}},
    )
    return [problem, *(p for p in found if p.code not in SCOPE_CODES)]


def explained(problem: Problem, ctx: Context) -> Problem:
    """Say what is wrong where the rule's sentence would not: 31.2.2020 is well written but no date."""
    value = (problem.value or "").strip()
    if problem.code == "invalid_date" and re.search(f"{FINNISH_DATE}|{ISO_DATE}", value):
        return replace(problem, code="date_does_not_exist")
    if problem.code == "unknown_municipality" and value:
        code = _closest(codes.normalise(value), tuple(ctx.municipality_names.items()))
        if code is not None:
            fi, sv = ctx.municipality_names[code]
            params = {"code": code, "name_fi": fi, "name_sv": sv}
            return replace(problem, code="unknown_municipality_close", params=params)
    return problem


@functools.lru_cache(maxsize=4096)
def _closest(value: str, names: tuple[tuple[str, tuple[str, str]], ...]) -> str | None:
    """Return the code of the municipality whose name ``value`` is a misspelling of, if one is close.

    Cached: a file repeats its misspelling on every row, and each look-up compares it with 600 names
    (a 200 000-row list, every other row "Kitilä", took 195 s to check, 7 ms a row).
    """
    by_name = _by_name(names)
    close = difflib.get_close_matches(value, list(by_name), n=1, cutoff=0.8)
    return by_name[close[0]] if close else None


@functools.lru_cache(maxsize=8)
def _by_name(names: tuple[tuple[str, tuple[str, str]], ...]) -> dict[str, str]:
    return {codes.normalise(name): code for code, both in names for name in both}
