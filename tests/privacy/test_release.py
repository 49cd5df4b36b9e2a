"""What a view publishes (dashboard.privacy.release): the declared cells count what the pages count."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
import pytest

from dashboard import db, figures
from dashboard.privacy import release
from tests.dashboard.conftest import make_view, small_warehouse, use_db  # noqa: F401  (fixtures)

KEYS = {
    "municipality_code",
    "wellbeing_region_code",
    "age_group",
    "gender",
    "status_at_entry",
    "status_at_exit",
    "pathway",
    "is_progressed",
    "is_active",
    "is_new",
    "is_ended_in_quarter",
    "is_long_term_unemployed",
    "quarter",
}
RESULT_STATUSES = ("unemployed", "in_education", "employed")  # the release's upon-leaving indicator cells


def count(df: pl.DataFrame, dims: Mapping[str, object]) -> int:
    """The count of ``dims`` in ``df`` (a reference independent of the engine)."""
    expr = pl.lit(True)
    for k, v in dims.items():
        if v is None:
            expr &= pl.col(k).is_null()
        elif isinstance(v, (tuple, list)):
            expr &= pl.col(k).is_in(list(v))
        else:
            expr &= pl.col(k) == v
    return int(df.filter(expr)["n_clients"].sum())


VIEWS = [
    {},
    {"municipality": "678"},
    {"region": "*"},
    {"gender": "woman"},
    {"region": "*", "age_group": "25-29"},
]


@pytest.fixture(
    params=VIEWS,
    ids=lambda v: release.view_tag(
        type("F", (), {k: v.get(k) for k in ("region", "municipality", "age_group", "gender")})()
    ),
)
def view(request, small_warehouse, make_view):  # noqa: F811
    values = dict(request.param)
    if values.get("region") == "*":  # a region with two municipalities
        values["region"] = make_view(small_warehouse).choices.regions[0]
    return make_view(small_warehouse, **values)


def test_every_table_the_issue_names_is_declared_with_contract_keys(view) -> None:
    tables = release.view_tables(view.filters, view.choices)
    keys = [t.key for t in tables]
    named = ["overview.headline", "municipalities.outcomes"]
    if release.details_offered(view.filters):
        named += [
            "municipalities.status",
            "pathways.sankey",
            "pathways.table",
            "pathways.by_municipality",
            "pathways.by_age_group",
            "pathways.by_gender",
            "pathways.indicators",
        ]
    for key in named:
        assert key in keys
    base = release.base_dims(view.filters)
    for t in tables:
        assert t.cells, t.key
        for cell in t.cells:
            assert set(cell) <= KEYS, (t.key, cell)
            assert {k: cell[k] for k in base if k in cell} == base, (t.key, cell)  # dims are absolute


def test_declared_cells_count_what_the_builders_count(view) -> None:
    f = view.filters
    atoms = release.atoms(f.project, f.quarter)
    tables = {t.key: t for t in release.view_tables(f, view.choices)}
    profile = db.query("client_profiles", **f.client_params(), quarter=f.quarter)
    q = {"quarter": f.quarter}
    base = release.base_dims(f) | q
    # headline and pathway table
    totals = db.query("client_totals_by_quarter", **f.client_params()).filter(pl.col("quarter") == f.quarter)
    head = [count(atoms, c) for c in tables["overview.headline"].cells[:4]]
    assert head == [totals[c][0] for c in ("n_clients", "n_active", "n_progressed", "n_not_progressed")]
    if not release.details_offered(f):  # an age group: headline, trend and outcomes only
        assert set(tables) == {"overview.headline", "overview.trend", "municipalities.outcomes"}
        return
    paths = figures.pathway_counts(profile)
    for p, n in paths.select("pathway", "n_clients").iter_rows():
        assert count(atoms, base | {"pathway": p}) == n, p
    # the Sankey's links sum to its nodes, and the nodes to the ended clients
    ended = int(profile.filter(~pl.col("is_active"))["n_clients"].sum())
    sankey = tables["pathways.sankey"].cells
    entry = [c for c in sankey if "status_at_entry" in c and "status_at_exit" not in c]
    assert sum(count(atoms, c) for c in entry) == ended
    links = [c for c in sankey if "status_at_entry" in c and "status_at_exit" in c]
    if release.flows_offered(f):
        assert sum(count(atoms, c) for c in links) == ended
    else:  # a municipality's Sankey declares its nodes only
        assert links == [] and all("pathway" not in c or "status_at_exit" not in c for c in sankey)
    # status table rows of the selection equal figures.status_counts
    status = figures.status_counts(profile)
    for s, n_in, n_out in status.select("status", "n_at_entry", "n_at_exit").iter_rows():
        cell = base | {"is_active": False}
        assert count(atoms, cell | {"status_at_entry": s}) == n_in
        assert count(atoms, cell | {"status_at_exit": s}) == n_out
    # the indicator cells the release declares: a status at entry, or upon leaving (of the ended clients)
    leavers = profile.filter(~pl.col("is_active"))
    at_entry = pl.col("status_at_entry") == "unemployed"
    esf = [
        int(profile.filter(at_entry)["n_clients"].sum()),
        int(profile.filter(at_entry & pl.col("is_long_term_unemployed"))["n_clients"].sum()),
        *(int(leavers.filter(pl.col("status_at_exit") == s)["n_clients"].sum()) for s in RESULT_STATUSES),
    ]
    assert [count(atoms, c) for c in tables["pathways.indicators"].cells[:5]] == esf
    # by municipality: each municipality's total
    if not release.municipality_rows(f):
        return
    by = figures.outcomes(profile, ["municipality_code"])
    for m, n in by.select("municipality_code", "n_clients").iter_rows():
        cell = base | {"municipality_code": m, "wellbeing_region_code": view.choices.municipalities[m]}
        assert count(atoms, cell) == n


def test_a_municipality_s_age_group_or_gender_shows_no_status_or_pathway_tables(
    small_warehouse,  # noqa: F811
    make_view,  # noqa: F811
) -> None:
    """A handful of clients bears no status or pathway breakdown (issue 15 item 3): the view declares its
    headline, trend and outcomes only, whatever its counts (the rule reads the filters alone). An age
    group never gets one (it would cross age with statuses and pathways, outside ``CLIQUES``); a gender
    of the whole project does."""
    for filters in (
        {"municipality": "261", "age_group": "25-29"},
        {"municipality": "678", "gender": "man"},
        {"age_group": "18-24"},
    ):
        view = make_view(small_warehouse, **filters)
        keys = {t.key for t in release.view_tables(view.filters, view.choices)}
        assert keys == {"overview.headline", "overview.trend", "municipalities.outcomes"}
        assert not release.details_offered(view.filters)
    for filters in ({"municipality": "261"}, {"gender": "woman"}, {}):
        whole = make_view(small_warehouse, **filters)
        assert set(release.DETAILS) <= {t.key for t in release.view_tables(whole.filters, whole.choices)}


def test_pathways_by_age_group_are_found_or_not_never_per_pathway(small_warehouse, make_view) -> None:  # noqa: F811
    view = make_view(small_warehouse)
    tables = {t.key: t for t in release.view_tables(view.filters, view.choices)}
    by_age = tables["pathways.by_age_group"]
    assert by_age.cells and all("pathway" not in c for c in by_age.cells)
    assert {c.get("is_progressed") for c in by_age.cells} == {None, True, False}


def test_every_cell_of_the_union_lies_within_the_cliques(small_warehouse, make_view) -> None:  # noqa: F811
    """The union release is decomposable: each cell's attributes lie within one of ``release.CLIQUES``."""
    from dashboard.privacy import domain
    from dashboard.privacy.engine import normalise

    view = make_view(small_warehouse)
    keys = [normalise(c) for t in release.release_tables(view.filters, view.choices) for c in t.cells]
    strip = [frozenset(kv for kv in k if kv[0] != "quarter") for k in keys]
    tree = domain.decompose(strip, release.CLIQUES)  # raises for a cell outside every clique
    assert len(tree) == 2 and set(tree[0]) & set(tree[1]) <= release.SHARED


def test_the_union_release_covers_every_view_a_link_opens(small_warehouse, make_view) -> None:  # noqa: F811
    view = make_view(small_warehouse)
    views = release.release_views(view.filters, view.choices)
    tags = {release.view_tag(v) for v in views}
    assert "project" in tags and len(tags) == len(views)
    for m in view.choices.municipalities:
        assert f"municipality={m}" in tags
        assert f"municipality={m},gender=woman" in tags
    tables = release.release_tables(view.filters, view.choices)
    assert len({t.key for t in tables}) == len(tables)
    # whole-project published categories are exact; nothing below the whole project is
    exact = {t.key for t in tables if t.exact}
    assert exact == {"project|overview.headline", "project|pathways.table"}
    # the whole project shows its zeros; a breakdown's zeros may be complements
    assert {t.key for t in tables if not t.hide_zeros} == {
        t.key for t in tables if t.key.startswith("project|")
    }


def test_the_finest_breakdowns_are_not_offered_where_they_would_be_nearly_all_hidden(
    small_warehouse,  # noqa: F811
    make_view,  # noqa: F811
) -> None:
    """Table redesign (issue 15 item 3), by the filters alone: a municipality's Sankey shows its nodes,
    not its flows; pathways by gender are per pathway for the whole project only, by municipality not
    within a gender; a gender's status table has no municipality rows."""

    def tables(**filters):
        view = make_view(small_warehouse, **filters)
        return view, {t.key: t for t in release.view_tables(view.filters, view.choices)}

    def per_pathway(table) -> bool:
        return any("pathway" in c for c in table.cells)

    def has_flows(table) -> bool:
        return any(len({"status_at_entry", "status_at_exit", "pathway"} & set(c)) == 2 for c in table.cells)

    _, whole = tables()
    assert has_flows(whole["pathways.sankey"])
    assert per_pathway(whole["pathways.by_gender"]) and per_pathway(whole["pathways.by_municipality"])
    assert any("municipality_code" in c for c in whole["municipalities.status"].cells)
    _, one = tables(municipality="678")
    assert not has_flows(one["pathways.sankey"]) and one["pathways.sankey"].cells
    assert not per_pathway(one["pathways.by_gender"])
    region = make_view(small_warehouse).choices.regions[0]
    _, area = tables(region=region)
    assert has_flows(area["pathways.sankey"]) and not per_pathway(area["pathways.by_gender"])
    _, woman = tables(gender="woman")
    assert has_flows(woman["pathways.sankey"]) and not per_pathway(woman["pathways.by_municipality"])
    assert not any("municipality_code" in c for c in woman["municipalities.status"].cells)


def test_a_rare_pathway_is_counted_with_the_smallest_of_its_side_in_every_breakdown() -> None:
    """Grouping rare categories (issue 15 item 3): a pathway under ``min_cell`` in the whole project's
    exact count joins the smallest pathways of its side until the group holds ``min_cell``."""
    import polars as pl

    counts = {"other_pathway": 3, "work_trial": 7, "supported_work": 7, "education": 15, "dropped_out": 2}
    atoms = pl.DataFrame(
        {
            "quarter": ["2023Q3"] * len(counts),
            "pathway": list(counts),
            "n_clients": list(counts.values()),
        }
    )
    groups = release.pathway_groups(atoms, "2023Q3", 5)
    assert sorted(p for g in groups for p in g) == sorted(release.PATHWAYS)  # a partition
    by = {p: g for g in groups for p in g}
    assert by["other_pathway"] == tuple(sorted(("other_pathway", "work_trial"), key=release.PATHWAYS.index))
    not_found = [p for p in release.PATHWAYS if p not in figures.PROGRESSED]
    assert "dropped_out" in not_found and by["dropped_out"] == ("dropped_out",)  # no partner but zeros
    assert all(len(by[p]) == 1 for p in release.PATHWAYS if p not in ("other_pathway", "work_trial"))
    assert release.pathway_groups(atoms, "2023Q3", 2) == release.EACH  # nothing under 2 but zeros
