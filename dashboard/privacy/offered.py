"""Which breakdowns a view offers at all (issue 15 item 3: table redesign), by its filters alone.

A breakdown whose cells would be nearly all under five is not offered: it would be nearly all hidden,
and every cell of it that is shown narrows the cells of the views it links to. Each rule reads the
filters, never the counts, so that a table's absence tells a reader nothing about them. The pages say
why a breakdown is missing.
"""

from __future__ import annotations

from dashboard.filters import Filters


def details_offered(f: Filters) -> bool:
    """Whether a view breaks its clients down by status and pathway (issue 15 item 3: table redesign).

    An age group's or a municipality's gender holds few clients of each status and pathway: such tables
    would be nearly all hidden, and every shown one narrows the others, so these views show their
    headline, trend and outcome counts only and say why; pathways by age group are counted as found /
    not found, never per pathway. The rule depends on the filters alone, never on the counts, so that a
    table's absence tells a reader nothing about them (and it keeps the release within ``CLIQUES``).
    """
    return not (f.age_group or (f.municipality and f.gender))


def per_pathway(f: Filters, dim: str) -> bool:
    """Whether view ``f`` breaks its ``pathways.by_<dim>`` table down per pathway, not found / not found.

    Per pathway, such a table crosses the view's filters with ``dim`` and the pathway: an age group
    never (it would cross age with a pathway, outside ``CLIQUES``), a gender only for the whole project,
    a municipality only without a gender. Finer, its cells are mostly under five, so the table would be
    nearly all hidden and would cost the views it links to their shown cells (issue 15 item 3: table
    redesign). Like ``details_offered`` the rule reads the filters, never the counts.
    """
    if dim == "age_group":
        return False
    if dim == "gender":
        return not (f.region or f.municipality)
    return not f.gender


def flows_offered(f: Filters) -> bool:
    """Whether view ``f``'s Sankey draws flows (links) between its nodes, not only the nodes.

    One municipality's ended clients are a few dozen spread over 34 flows: nearly every flow is under
    five, and each shown one narrows its neighbours in the project's and the region's flows. A
    municipality's Sankey shows its nodes (entry and exit statuses, pathways: the status table's and
    pathway table's counts) and says why; the flows are drawn for regions and the whole project.
    """
    return not f.municipality


def municipality_rows(f: Filters) -> bool:
    """Whether the status table of view ``f`` has a row per municipality (not within a gender)."""
    return not f.gender
