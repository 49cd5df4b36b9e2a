"""Decisions kept beside the warehouse (``dashboard.privacy.store``): computed once by a worker process,
read back whole, never half; a page that asks before it is ready gets ``None``, not a wait."""

from __future__ import annotations

import time

from dashboard.privacy import release, store
from dashboard.privacy.engine import protect
from tests.dashboard.conftest import make_view, small_warehouse, use_db  # noqa: F401  (fixtures)
from tests.privacy.test_audit import grid_release


def test_a_decision_reads_back_as_it_was_written_and_a_torn_file_reads_as_none(tmp_path) -> None:
    atoms, table, _ = grid_release([[2, 20, 6, 1], [9, 30, 8, 3]])
    d = protect(atoms, [table])
    path = tmp_path / "d.json"
    store.save(path, d)
    back = store.load(path)
    assert back is not None
    assert (back.values, back.hidden, back.refused, back.min_cell) == (d.values, d.hidden, d.refused, 5)
    assert d.hidden and all(back.is_hidden(dict(k)) for k in d.hidden)
    path.write_text(path.read_text()[:100])  # cut short (the rename rules this out; a failing disk may not)
    assert store.load(path) is None
    assert store.load(tmp_path / "missing.json") is None


def test_the_page_gets_none_then_the_worker_s_decision_the_same_as_protecting_here(
    small_warehouse,  # noqa: F811
    make_view,  # noqa: F811
) -> None:
    view = make_view(small_warehouse, quarter="2023Q2")  # its first quarter of data: seconds, not minutes
    f = view.filters
    assert store.decision(f, view.choices, 5) is None  # the worker runs in its own process; no waiting
    deadline = time.monotonic() + 240
    found = None
    while found is None and time.monotonic() < deadline:
        time.sleep(0.5)
        found = store.decision(f, view.choices, 5)
    assert found is not None, sorted(p.name for p in store.folder(small_warehouse).iterdir())
    atoms, _, whole = store.inputs(f, view.choices, 5)
    here = protect(atoms, whole, min_cell=5, cliques=release.CLIQUES)
    assert (found.values, found.hidden, found.refused) == (here.values, here.hidden, here.refused)
    assert found.hidden  # a decision with something to hide, not a trivial one
    assert not list(store.folder(small_warehouse).glob("*.lock"))  # the worker let go of its lock
    tables, seen = store.view_decision(f, view.choices, 5)
    assert seen is not None and {t.key for t in tables} >= {"overview.headline", "pathways.sankey"}
