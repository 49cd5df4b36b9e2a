"""Decisions kept beside the warehouse (``dashboard.privacy.store``): computed once by a worker process,
read back whole, never half; a page that asks before it is ready gets ``None``, not a wait."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from dashboard.privacy import files, store
from dashboard.privacy.engine import protect
from tests.dashboard.conftest import make_view, small_warehouse, use_db  # noqa: F401  (fixtures)
from tests.privacy.test_audit import grid_release


def test_a_decision_reads_back_as_it_was_written_and_a_torn_file_reads_as_none(tmp_path) -> None:
    atoms, table, _ = grid_release([[2, 20, 6, 1], [9, 30, 8, 3]])
    d = protect(atoms, [table])
    path = tmp_path / "d.json"
    files.save(path, d)
    back = files.load(path)
    assert back is not None
    assert (back.values, back.hidden, back.refused, back.min_cell) == (d.values, d.hidden, d.refused, 5)
    assert d.hidden and all(back.is_hidden(dict(k)) for k in d.hidden)
    path.write_text(path.read_text()[:100])  # cut short (the rename rules this out; a failing disk may not)
    assert files.load(path) is None
    assert files.load(tmp_path / "missing.json") is None


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
    _, here = store.in_order(f.project, f.quarter, view.choices, 5, lambda key: None, lambda key, d: d)
    assert (found.values, found.hidden, found.refused) == (here.values, here.hidden, here.refused)
    assert found.hidden  # a decision with something to hide, not a trivial one
    assert not list(store.folder(small_warehouse).glob("*.lock"))  # the worker let go of its lock
    tables, seen = store.view_decision(f, view.choices, 5)
    assert seen is not None and {t.key for t in tables} >= {"overview.headline", "pathways.sankey"}


def test_each_quarter_is_decided_on_the_one_before_and_kept(
    small_warehouse,  # noqa: F811
    make_view,  # noqa: F811
    monkeypatch,
) -> None:
    """``store.in_order``: the last quarter's union is decided on the first's (every cell both show is
    hidden or shown alike), the first's is stored too, and a second call only reads. The small
    warehouse's last quarter refuses no table: before the tight cuts (each group's own bound,
    ``Attacker.tighten``, and coefficients capped at the cut's right-hand side) the same union refused 83
    tables, each cut met by hiding any cheap group with a nonzero dual."""
    view = make_view(small_warehouse, quarter="2023Q3")
    stored: dict[str, object] = {}
    key, last = store.in_order("VALPAS2", "2023Q3", view.choices, 5, stored.get, stored.setdefault)
    assert set(stored) - {key} and stored[key] is last  # the quarters before any data are not stored
    ((first_key, first),) = [(k, d) for k, d in stored.items() if k != key]  # 2023Q2, the first with data
    shared = set(first.values) & set(last.values)
    assert first.hidden & shared  # something the first quarter hid is shown again in the last's trends
    assert all((k in first.hidden) == (k in last.hidden) for k in shared)
    assert not last.refused and last.hidden
    monkeypatch.setattr("dashboard.privacy.engine.protect", lambda *a, **k: pytest.fail("computed again"))
    assert store.in_order("VALPAS2", "2023Q3", view.choices, 5, stored.get, stored.setdefault) == (key, last)
    assert last.built_on == f"{first_key}:{files.fingerprint(first)}"

    # 2023Q2 decided again differently (a worker under another load, a file lost): 2023Q3 was built on
    # the old one, so it is decided again, and a page no longer takes the stored one as valid
    calls = []
    monkeypatch.setattr("dashboard.privacy.engine.protect", lambda *a, **k: calls.append(1) or first)
    stored[first_key] = replace(first, hidden=first.hidden - {next(iter(first.hidden & shared))})
    again = store.in_order(
        "VALPAS2", "2023Q3", view.choices, 5, stored.get, lambda k, d: stored.update({k: d}) or d
    )
    assert calls == [1] and again[1].built_on == f"{first_key}:{files.fingerprint(stored[first_key])}"


def test_the_first_decision_written_is_kept_and_a_chain_with_a_decision_replaced_does_not_hold(
    tmp_path,
) -> None:
    """``files.keep``: two workers deciding one quarter both go on from the decision stored first;
    ``files.chain_holds``: a later quarter's decision is valid only while the one it kept is stored."""
    atoms, table, _ = grid_release([[2, 20, 6, 1], [9, 30, 8, 3]])
    d = protect(atoms, [table])
    other = replace(d, hidden=d.hidden - {next(iter(d.hidden))})
    path = tmp_path / "a.json"
    assert files.keep(path, d) == d
    assert files.keep(path, other) == d  # the same predecessor (none): the stored one wins
    later = replace(d, built_on=f"a:{files.fingerprint(d)}")
    assert files.chain_holds(tmp_path, later) and files.chain_holds(tmp_path, d)
    files.keep(path, replace(other, built_on="x:y"))  # built on another: replaced
    assert not files.chain_holds(tmp_path, later)
    assert not files.chain_holds(tmp_path, replace(d, built_on="missing:0"))
    assert files.fingerprint(files.load(path)) == files.fingerprint(replace(other, built_on="x:y"))
