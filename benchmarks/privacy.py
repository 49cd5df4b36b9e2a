"""Cost and information loss of disclosure control (issue 15, item 8): ``python -m benchmarks.privacy``.

Two parts, side by side in one run:
1. Random two-way tables with row, column and grand totals (seeded): clients hidden / clients in the
   breakdowns under today's legacy table-by-table rules and under ``engine.protect``, and the time.
2. The whole-project view of a warehouse (``--scale 1`` the demo, ``--scale 1000`` the 1000x one of
   ``_warehouses``): ``protect`` on every table of the view's pages, cold and cached; with ``--union``
   also the union of every view a link opens (``release.release_tables``), as the pages would need it,
   decided quarter by quarter as the store's worker does (``store.in_order``; cold: every quarter up to
   the last; stored: what a page pays to find the worker's decision).
Reports, never gates.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from dataclasses import replace

import polars as pl

from benchmarks._warehouses import warehouse_for
from dashboard.privacy.engine import Table, digest, protect
from dashboard.privacy.legacy import suppress_table, suppressed_flag


def grid_tables(seed: int, rows: int = 5, cols: int = 8) -> tuple[pl.DataFrame, Table, list[list[int]]]:
    rnd = random.Random(seed)
    grid = [[rnd.choice([0, 1, 2, 3, 4, *range(5, 40)]) for _ in range(cols)] for _ in range(rows)]
    atoms = pl.DataFrame(
        {
            "municipality_code": [f"m{r}" for r in range(rows) for _ in range(cols)],
            "age_group": [f"a{c}" for _ in range(rows) for c in range(cols)],
            "n_clients": [grid[r][c] for r in range(rows) for c in range(cols)],
        }
    )
    cells = [{"municipality_code": f"m{r}", "age_group": f"a{c}"} for r in range(rows) for c in range(cols)]
    cells += [{"municipality_code": f"m{r}"} for r in range(rows)] + [
        {"age_group": f"a{c}"} for c in range(cols)
    ]
    return atoms, Table("grid.t", "grid", (*cells, {})), grid


def random_tables(n: int = 10) -> None:
    legacy_hidden = engine_hidden = total = 0
    seconds = 0.0
    for seed in range(n):
        atoms, table, grid = grid_tables(seed)
        inner = sum(map(sum, grid))
        legacy = suppress_table(atoms, "municipality_code", "age_group")
        legacy_hidden += int(atoms.filter(legacy[suppressed_flag("n_clients")])["n_clients"].sum())
        start = time.perf_counter()
        d = protect(atoms, [table])
        seconds += time.perf_counter() - start
        engine_hidden += sum(v for k, v in d.values.items() if k in d.hidden and len(k) == 2)
        total += inner
    print(f"random 5 x 8 tables with margins ({n}): interior clients {total}")
    print(f"  legacy hides {legacy_hidden} ({legacy_hidden / total:.1%}); engine hides {engine_hidden}")
    print(
        f"  ({engine_hidden / total:.1%}; ratio engine/legacy {engine_hidden / max(legacy_hidden, 1):.2f});"
    )
    print(
        f"  engine {seconds / n * 1000:.0f} ms per table cold (legacy leaks: see tests/privacy/test_audit.py)"
    )


def whole_project(scale: int, union: bool = False) -> None:
    built = warehouse_for(scale)
    os.environ["DASHBOARD_DB"] = str(built.db)
    from dashboard import db
    from dashboard.choices import choices_for
    from dashboard.filters import Filters
    from dashboard.privacy import release

    db.pin(built.db)
    choices = choices_for("VALPAS2")
    f = Filters(
        lang="fi", project="VALPAS2", quarter=choices.default_quarter, quarter_from=choices.quarters[0]
    )
    atoms = release.atoms(f.project, f.quarter)
    groups = release.pathway_groups(atoms, f.quarter, 5)
    tables = release.release_tables(f, choices, groups) if union else release.view_tables(f, choices, groups)
    start = time.perf_counter()
    if union:  # as the store's worker computes it: every quarter in order, each on the one before
        from dashboard.privacy import store

        kept: dict = {}
        _, d = store.in_order(f.project, f.quarter, choices, 5, kept.get, kept.__setitem__)
    else:
        d = protect(atoms, tables, cliques=release.CLIQUES)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    if union:  # what a page pays once the worker has stored it: the digest of its inputs, one lookup
        kept.get(digest(*store.inputs(f, choices, 5)[::2], 5, release.CLIQUES))
    else:
        protect(atoms, tables, cliques=release.CLIQUES)
    cached = time.perf_counter() - start
    s = d.stats
    what = "union of the views a link opens" if union else "whole-project view"
    print(f"{scale}x {what}: {len(tables)} tables, {int(s['cells'])} cells, {atoms.height} atoms")
    again = "stored" if union else "cached"
    print(f"  cold {cold:.1f} s, {again} {cached * 1000:.0f} ms; hidden {int(s['clients_hidden'])} of")
    print(f"  {int(s['clients_in_breakdowns'])} clients in breakdowns; {len(d.refused)} tables refused")
    tag = "project|" if union else ""  # the whole project's own tables, as its pages show them
    refused = frozenset(k.removeprefix(tag) for k in d.refused if k.startswith(tag))
    print(f"  the whole project's refused tables: {sorted(refused)}")
    own = {t.key.removeprefix(tag): t for t in tables if t.key.startswith(tag)}
    readable(replace(d, refused=refused), own)


def readable(d, tables: dict[str, Table]) -> None:
    """The issue's readability figures (item 5): Sankey flows drawn, municipality status table hidden."""

    def share(cells, hidden: bool) -> str:
        total = sum(d.values[d.key(c)] for c in cells)
        part = sum(d.values[d.key(c)] for c in cells if d.is_hidden(c) == hidden)
        return f"{part} of {total} ({part / max(total, 1):.0%})"

    sankey = tables["pathways.sankey"].cells
    drawn = "pathways.sankey" not in d.refused
    for stage, pair in (("entry -> exit", ("status_at_entry", "status_at_exit")),
                        ("exit -> pathway", ("status_at_exit", "pathway"))):  # fmt: skip
        links = [c for c in sankey if all(k in c for k in pair)]
        print(f"  Sankey {stage}: visible flows carry {share(links, False) if drawn else 'nothing (refused)'}"
              " of the ended clients (target 75 % / 60 %)")  # fmt: skip
    status = [c for c in tables["municipalities.status"].cells if "municipality_code" in c]
    hidden = "all (refused)" if "municipalities.status" in d.refused else share(status, True)
    print(f"  municipality status table: hidden {hidden} clients (target at most 30 %)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, action="append", help="warehouse scale(s), default 1")
    parser.add_argument("--union", action="store_true", help="also the union of every view a link opens")
    args = parser.parse_args(argv or [])
    random_tables()
    for scale in args.scale or [1]:
        whole_project(scale)
        if args.union:
            whole_project(scale, union=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
