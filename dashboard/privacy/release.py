"""What each view publishes: every client-count cell of its pages, slides and exports, as absolute dims.

A view is a project quarter and its filters (region, municipality, age group, gender). ``view_tables``
declares, for one view, one ``Table`` per shown table (``<page>.<table>``) whose cells are the attribute
conditions each shown count counts, the view's filters included (contract, CONTRACT.md). A link can open
any view of a project quarter, and an attacker may combine them, so the release protected together is the
union of the views a link can open (``release_views``): the whole project, each region, each municipality,
each age group, each gender, and each municipality x age group and x gender. ``release`` protects that
union in one ``protect`` call and caches the decision per project data version (like ``db.query``).

Every cell carries the ``quarter`` it counts (the atoms hold each quarter up to the view's); the JSON
export leaves it out for the view's own quarter, as the issue's format says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import polars as pl

from dashboard import db, figures
from dashboard.filters import Filters, ProjectChoices
from dashboard.privacy.engine import Table
from dashboard.privacy.offered import details_offered, flows_offered, municipality_rows, per_pathway
from pipelines import codes

STATUSES = figures.STATUSES
PATHWAYS = figures.PATHWAYS
BY = {
    "municipality_code": "pathways.by_municipality",
    "age_group": "pathways.by_age_group",
    "gender": "pathways.by_gender",
}


DETAILS = ("municipalities.status", "pathways.sankey", "pathways.table", *BY.values(), "pathways.indicators")


# The attacker's domain in two cliques (``domain.decompose``, exactly as strong as one table): who a
# client is and when, where the client went; no cell crosses age group with a status or a pathway.
WHO = frozenset({"age_group", "is_new", "is_ended_in_quarter"})
WHERE = frozenset({"status_at_entry", "is_long_term_unemployed", "status_at_exit", "pathway"})
SHARED = frozenset({"municipality_code", "wellbeing_region_code", "gender", "is_active", "is_progressed"})
CLIQUES = (WHO | SHARED, WHERE | SHARED)


def base_dims(f: Filters) -> dict[str, object]:
    """The view's filters as dims (a municipality view's cells carry its municipality code)."""
    dims: dict[str, object] = {}
    if f.region:
        dims["wellbeing_region_code"] = f.region
    if f.municipality:
        dims["municipality_code"] = f.municipality
    if f.age_group:
        dims["age_group"] = f.age_group
    if f.gender:
        dims["gender"] = f.gender
    return dims


def atoms(project: str, quarter: str) -> pl.DataFrame:
    """The microdata of every count of a project up to ``quarter`` (ended clients' unknown exit as a code)."""
    df = db.query("release_atoms", project=project, quarter=quarter)
    return df.with_columns(
        pl.when(~pl.col("is_active"))
        .then(pl.col("status_at_exit").fill_null("unknown"))
        .otherwise(pl.col("status_at_exit"))
        .alias("status_at_exit"),
        pl.col("status_at_entry").fill_null("unknown"),
    )


def previous_quarter(choices: ProjectChoices, quarter: str) -> str | None:
    quarters = list(choices.quarters)
    i = quarters.index(quarter) if quarter in quarters else 0
    return quarters[i - 1] if i > 0 else None


def _munis_in_view(f: Filters, choices: ProjectChoices) -> list[str]:
    codes = sorted(choices.municipalities)
    if f.region:
        codes = [c for c in codes if choices.municipalities[c] == f.region]
    if f.municipality:
        codes = [c for c in codes if c == f.municipality]
    return codes


def _table(key: str, cells: Sequence[Mapping], exact: bool = False) -> Table:
    return Table(key, key, tuple(dict(c) for c in cells), exact)


Groups = Sequence[tuple[str, ...]]
EACH = tuple((p,) for p in PATHWAYS)  # every pathway on its own


def pathway_groups(atoms: pl.DataFrame, quarter: str, min_cell: int) -> Groups:
    """The pathways as a project's breakdowns count them (issue 15 item 3: grouping rare categories).

    A pathway whose whole-project count is 1 to ``min_cell - 1`` cannot be broken down at all: the
    project's pathway table publishes that count exactly, so its parts by municipality, gender or exit
    status are pinned (a 3 over two municipalities is 1 + 2 or 2 + 1). Every breakdown (the Sankey,
    and every view but the whole project's pathway table) counts it together with the smallest
    pathways of its side (found or not found a pathway) until the group holds ``min_cell``. The rule
    reads only counts the project publishes exactly, so it gives nothing away.
    """
    ended = atoms.filter((pl.col("quarter") == quarter) & pl.col("pathway").is_not_null())
    counts = dict(ended.group_by("pathway").agg(pl.col("n_clients").sum()).iter_rows())
    out: list[tuple[str, ...]] = []

    def size(g: list[str]) -> int:
        return sum(counts.get(p, 0) for p in g)

    def order(g: list[str]) -> tuple[int, int]:
        return size(g), PATHWAYS.index(g[0])

    for side in (figures.PROGRESSED, tuple(p for p in PATHWAYS if p not in figures.PROGRESSED)):
        groups = [[p] for p in side]
        while True:
            rare = sorted((g for g in groups if 0 < size(g) < min_cell), key=order)
            partners = sorted((g for g in groups if size(g) > 0 and rare and g is not rare[0]), key=order)
            if not rare or not partners:  # a zero is 0 in every breakdown: it would not help
                break
            groups.remove(rare[0])
            groups.remove(partners[0])
            groups.append(sorted(rare[0] + partners[0], key=PATHWAYS.index))
        out += [tuple(g) for g in groups]
    return tuple(sorted(out, key=lambda g: PATHWAYS.index(g[0])))


def _pathway(group: tuple[str, ...]) -> str | tuple[str, ...]:
    return group[0] if len(group) == 1 else group  # a tuple is "any of them" (CONTRACT.md)


def view_tables(f: Filters, choices: ProjectChoices, groups: Groups = EACH) -> list[Table]:
    """Declare every client-count cell the pages, slides and exports of view ``f`` show (absolute dims).

    ``groups``: the pathways as breakdowns count them (``pathway_groups``); the whole project's pathway
    table counts each pathway on its own.
    """
    q = {"quarter": f.quarter}
    base = base_dims(f) | q
    exact = not f.is_breakdown  # whole-project published categories stay exact (issue 15, item 5)
    ended = base | {"is_active": False}
    tables = []

    headline = [
        base,
        base | {"is_active": True},
        base | {"is_progressed": True},
        base | {"is_progressed": False},
    ]
    before = previous_quarter(choices, f.quarter)
    if before:  # the headline's change since the previous quarter gives its counts away
        prev = base_dims(f) | {"quarter": before}
        headline += [
            prev,
            prev | {"is_active": True},
            prev | {"is_progressed": True},
            prev | {"is_progressed": False},
        ]
    tables.append(_table("overview.headline", headline, exact))

    quarters = [x for x in choices.quarters if x <= f.quarter]
    trend = [
        base_dims(f) | {"quarter": x, k: True}
        for x in quarters
        for k in ("is_active", "is_new", "is_ended_in_quarter")
    ]
    tables.append(_table("overview.trend", trend))

    munis = _munis_in_view(f, choices)
    regions = sorted({choices.municipalities[m] for m in munis})
    outcome_cells = []
    for m in munis:
        at = base | {"municipality_code": m, "wellbeing_region_code": choices.municipalities[m]}
        outcome_cells += [
            at,
            at | {"is_progressed": True},
            at | {"is_progressed": False},
            at | {"is_active": True},
        ]
    for r in regions:
        if sum(choices.municipalities[m] == r for m in munis) >= 2:
            at = base | {"wellbeing_region_code": r}
            outcome_cells += [
                at,
                at | {"is_progressed": True},
                at | {"is_progressed": False},
                at | {"is_active": True},
            ]
    if len(munis) > 1:
        outcome_cells += [
            base,
            base | {"is_progressed": True},
            base | {"is_progressed": False},
            base | {"is_active": True},
        ]
    tables.append(_table("municipalities.outcomes", outcome_cells))

    if not details_offered(f):
        return tables
    areas = [ended] + (
        [ended | {"municipality_code": m, "wellbeing_region_code": choices.municipalities[m]} for m in munis]
        if len(munis) > 1 and municipality_rows(f)
        else []
    )
    status = [a | {col: s} for a in areas for s in STATUSES for col in ("status_at_entry", "status_at_exit")]
    tables.append(_table("municipalities.status", status))

    nodes = [ended | {c: s} for c in ("status_at_entry", "status_at_exit") for s in STATUSES]
    paths = [_pathway(g) for g in groups]
    nodes += [ended | {"pathway": p} for p in paths]
    links = [ended | {"status_at_entry": a, "status_at_exit": b} for a in STATUSES for b in STATUSES]
    links += [ended | {"status_at_exit": b, "pathway": p} for b in STATUSES for p in paths]
    tables.append(_table("pathways.sankey", nodes + (links if flows_offered(f) else [])))

    own = EACH if exact else groups  # the published per-pathway counts; a breakdown's groups
    path = [base | {"is_progressed": True}] + [
        base | {"pathway": _pathway(g)} for g in own if g[0] in figures.PROGRESSED
    ]
    path += [base | {"is_progressed": False}] + [
        base | {"pathway": _pathway(g)} for g in own if g[0] not in figures.PROGRESSED
    ]
    path += [base | {"is_active": True}, base]
    tables.append(_table("pathways.table", path, exact))

    values = {
        "municipality_code": munis,
        "age_group": [f.age_group] if f.age_group else list(codes.AGE_GROUP),
        "gender": [f.gender] if f.gender else list(codes.GENDER),
    }
    for dim, key in BY.items():
        by = []
        for v in values[dim]:
            at = base | {dim: v}
            if dim == "municipality_code":
                at["wellbeing_region_code"] = choices.municipalities[v]
            by += [at, at | {"is_progressed": True}, at | {"is_progressed": False}]
            if per_pathway(f, dim):
                by += [at | {"pathway": p} for p in paths]
        tables.append(_table(key, by))

    indicators = [
        base | {"status_at_entry": "unemployed"},
        base | {"status_at_entry": "unemployed", "is_long_term_unemployed": True},
        ended | {"status_at_exit": "unemployed"},
        ended | {"status_at_exit": "in_education"},
        ended | {"status_at_exit": "employed"},
        base,
        ended,
    ]
    tables.append(_table("pathways.indicators", indicators))
    return tables


def release_views(f: Filters, choices: ProjectChoices) -> list[Filters]:
    """Every view a link can open for the project quarter of ``f`` (protected together, issue 15 item 3)."""
    whole = replace(f, region=None, municipality=None, age_group=None, gender=None)
    views = [whole]
    views += [replace(whole, region=r) for r in choices.regions]
    views += [replace(whole, age_group=a) for a in codes.AGE_GROUP]
    views += [replace(whole, gender=g) for g in codes.GENDER]
    for m in sorted(choices.municipalities):
        at = replace(whole, municipality=m, region=None)
        views.append(at)
        views += [replace(at, age_group=a) for a in codes.AGE_GROUP]
        views += [replace(at, gender=g) for g in codes.GENDER]
    return views


def release_tables(f: Filters, choices: ProjectChoices, groups: Groups = EACH) -> list[Table]:
    """The union release: every view's tables, keyed ``<view>|<page>.<table>`` so that each stays a table.

    The whole project's tables show their zeros; every breakdown's zeros may be hidden as complements
    (``Table.hide_zeros``): shown, they would place the project's one- and two-client flows so that its
    exact totals pin them, and with every zero hideable the attacker's domain is too large to solve.
    """
    out = []
    for v in release_views(f, choices):
        tag = view_tag(v)
        coarse = tag == "project"  # the whole project shows its zeros; a breakdown's may be complements
        out += [
            replace(t, key=f"{tag}|{t.key}", hide_zeros=not coarse) for t in view_tables(v, choices, groups)
        ]
    return out


def view_tag(f: Filters) -> str:
    parts = [
        f"{k}={getattr(f, k)}" for k in ("region", "municipality", "age_group", "gender") if getattr(f, k)
    ]
    return ",".join(parts) or "project"
