"""Decisions computed once, off the page, and kept beside the warehouse (issue 15 item 8).

Protecting the union release of a project quarter (``release.release_tables``) takes minutes on the demo
(``benchmarks/privacy.py``), far longer than a page may take. So a page never computes it:
``decision`` (through ``decision_for``) returns the stored decision, or ``None`` after starting one
worker process that computes and stores it (the page then says that protection is being computed and
draws no count that depends on it).

A decision is stored as ``<warehouse>.d/privacy/<digest>.json``, the digest being ``engine.digest`` of
the atoms, the tables, ``min_cell`` and the cliques: an upload that leaves a quarter's atoms as they were
leaves its decision valid, and any change of the data or of what is declared gives a new file. Files are
JSON, never pickle (a file in the data folder must not be able to run code), written to a temporary name,
fsynced and renamed (``files``), so a reader sees a whole decision or none; one that does not parse is
ignored and computed again. ``python -m dashboard.privacy.store --db PATH --project P --quarter Q`` is
the worker.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from dashboard import db as reader
from dashboard import settings
from dashboard.filters import Filters, ProjectChoices
from dashboard.privacy import release
from dashboard.privacy.engine import Decision, Table, digest, normalise
from dashboard.privacy.files import chain_holds, fingerprint, keep, load
from pipelines import warehouse

_log = logging.getLogger(__name__)


def folder(db: Path) -> Path:
    """Where the decisions of warehouse ``db`` are kept (created owner-only, like the snapshots)."""
    out = warehouse.snapshot_dir(Path(db)) / "privacy"
    out.mkdir(mode=warehouse.DIR_MODE, parents=True, exist_ok=True)
    return out


def _running(lock: Path) -> bool:
    """Whether the worker that holds ``lock`` is alive (a stale lock is removed)."""
    try:
        pid = int(lock.read_text() or "0")
    except (OSError, ValueError):
        return False
    if pid > 0:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, 0)
            return True
    lock.unlink(missing_ok=True)
    return False


def decision_for(
    db: Path,
    snapshot: Path,
    project: str,
    quarter: str,
    min_cell: int,
    atoms: pl.DataFrame,
    tables: Sequence[Table],
    cliques: Sequence[frozenset[str]],
) -> Decision | None:
    """The stored decision of these atoms and tables, or ``None`` while a worker computes it."""
    key = digest(atoms, tables, min_cell, cliques)
    path = folder(db) / f"{key}.json"
    found = load(path)
    if found is not None and chain_holds(path.parent, found):
        return found
    lock = path.with_suffix(".lock")
    if lock.exists() and _running(lock):
        return None
    with contextlib.suppress(FileExistsError):
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, warehouse.FILE_MODE)
        args = [sys.executable, "-m", "dashboard.privacy.store", "--db", str(db), "--snapshot", str(snapshot)]
        args += ["--project", project, "--quarter", quarter, "--min-cell", str(min_cell), "--digest", key]
        with open(path.with_suffix(".log"), "ab") as log:
            worker = subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True)
        os.write(fd, str(worker.pid).encode())
        os.close(fd)
    return None


def compute(db: Path, snapshot: Path, project: str, quarter: str, min_cell: int) -> tuple[str, Decision]:
    """Protect the union release of ``project`` at ``quarter`` on ``snapshot``; store it; return both.

    Every earlier quarter's decision is computed (or read) and stored first: ``in_order``.
    """
    os.environ["DASHBOARD_DB"] = str(db)
    from dashboard.choices import choices_for

    reader.pin(Path(db))
    reader._pinned.snapshot = Path(snapshot)  # the snapshot the page read, even if a newer one is current
    home = folder(db)
    return in_order(
        project,
        quarter,
        choices_for(project),
        min_cell,
        lambda k: load(home / f"{k}.json"),
        lambda k, d: keep(home / f"{k}.json", d),
    )


def in_order(
    project: str,
    quarter: str,
    choices: ProjectChoices,
    min_cell: int,
    known: Callable[[str], Decision | None],
    store: Callable[[str, Decision], Decision],
) -> tuple[str, Decision]:
    """Decide the project's quarters in time order up to ``quarter``, each on the one before.

    A quarter's release shows every earlier quarter's cells again (trends, the previous quarter); they
    are decided as the earlier quarter's release decided them (``protect``'s ``fixed``: shown stays
    shown, hidden stays hidden), so a count has one pattern whichever quarter a reader opens, and each
    union has only its own quarter's cells to decide, its attacker chained over every quarter's cells
    that this release shows (``domain``'s chain; not the cells only an earlier quarter's own pages show:
    the issue's rule is one quarter's release, see docs/privacy.md). A quarter's atoms hold every
    quarter before it, so its digest covers theirs: an upload that rewrites an earlier quarter changes
    every later digest too. Quarters before the first with data have nothing to decide (their cells
    are zeros every reader knows).

    Each decision records the one it kept (``Decision.built_on``: its digest and ``fingerprint``); one
    stored on another is decided again, and ``store`` returns what is kept (``files.keep``: the first
    written wins). The master's time limit makes a decision depend on the machine's load, so the
    record, not the digest alone, ties a quarter to the one before.
    """
    from dashboard.privacy.engine import protect

    before: Decision | None = None
    found: tuple[str, Decision] | None = None
    for q in [p for p in choices.quarters if p < quarter] + [quarter]:
        atoms, _, tables = inputs(Filters(project=project, quarter=q), choices, min_cell)
        if not atoms.height and q != quarter:
            continue
        key = digest(atoms, tables, min_cell, release.CLIQUES)
        on = f"{found[0]}:{fingerprint(found[1])}" if found else ""
        d = known(key)
        if d is None or d.built_on != on:
            fixed = kept(before, atoms, tables)
            d = protect(atoms, tables, min_cell=min_cell, cliques=release.CLIQUES, fixed=fixed)
            d = store(key, replace(d, built_on=on))
        before, found = d, (key, d)
    assert found is not None
    return found


def kept(before: Decision | None, atoms: pl.DataFrame, tables: Sequence[Table]) -> dict[frozenset, bool]:
    """What a quarter's release keeps of earlier decisions: cell -> hidden (``protect``'s ``fixed``).

    The quarter before's decision covers every earlier cell it declared; a cell of a quarter without
    data is a zero shown.
    """
    out = {k: k in before.hidden for k in before.values} if before is not None else {}
    with_data = set(atoms["quarter"].unique().to_list()) if atoms.height else set()
    for t in tables:
        for dims in t.cells:
            q = dims.get("quarter")
            if isinstance(q, str) and q not in with_data:
                out.setdefault(normalise(dims), False)
    return out


def inputs(f: Filters, choices: ProjectChoices, min_cell: int):
    """The atoms, pathway groups and union tables of ``f``'s project quarter (what its digest covers)."""
    atoms = release.atoms(f.project, f.quarter)
    groups = release.pathway_groups(atoms, f.quarter, min_cell)
    whole = Filters(project=f.project, quarter=f.quarter)
    return atoms, groups, release.release_tables(whole, choices, groups)


_READY: dict[tuple, object] = {}  # decisions found in the store, per data version (they never change)


def decision(f: Filters, choices: ProjectChoices, min_cell: int) -> Decision | None:
    """The engine's ``Decision`` for every view of ``f``'s project quarter, or ``None`` while it is computed.

    The union takes minutes to protect, so it is computed by a worker process and kept beside the
    warehouse (``decision_for``); once found it is kept here per project data version.
    """
    snapshot = reader.pinned()
    key = (reader.version(snapshot, f.project), f.project, f.quarter, min_cell)
    if key not in _READY:
        atoms, _, tables = inputs(f, choices, min_cell)
        found = decision_for(
            settings.db_path(), snapshot, f.project, f.quarter, min_cell, atoms, tables, release.CLIQUES
        )
        if found is None:
            return None
        if len(_READY) > 64:
            _READY.clear()
        _READY[key] = found
    return _READY[key]


def view_decision(f: Filters, choices: ProjectChoices, min_cell: int) -> tuple[list[Table], object]:
    """The view's own tables (keys without the view tag) and the decision that covers them (``None``:
    still being computed, the page draws no count that depends on it)."""
    d = decision(f, choices, min_cell)
    tag = release.view_tag(f)
    groups = release.pathway_groups(release.atoms(f.project, f.quarter), f.quarter, min_cell)
    tables = release.view_tables(f, choices, groups)
    if d is None:
        return tables, None
    refused = {t.key for t in tables if f"{tag}|{t.key}" in d.refused}
    return tables, _ViewDecision(d, frozenset(refused))


@dataclass(frozen=True)
class _ViewDecision:
    """A decision seen from one view: the same cells, with the view's refused tables by their own key."""

    decision: object
    refused: frozenset[str]

    @property
    def min_cell(self) -> int:
        return self.decision.min_cell

    def value(self, dims: Mapping) -> int | None:
        return self.decision.value(dims)

    def is_hidden(self, dims: Mapping) -> bool:
        return self.decision.is_hidden(dims)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compute and store one project quarter's decision.")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--snapshot", type=Path, required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--quarter", required=True)
    parser.add_argument("--min-cell", type=int, required=True)
    parser.add_argument("--digest", help="the digest the page asked for (its lock is released at the end)")
    args = parser.parse_args(argv)
    try:
        key, _ = compute(args.db, args.snapshot, args.project, args.quarter, args.min_cell)
        if args.digest and key != args.digest:  # pragma: no cover - the page and the worker disagree
            _log.error("computed %s, asked for %s", key, args.digest)
            return 1
        return 0
    finally:
        if args.digest:
            (folder(args.db) / f"{args.digest}.lock").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
