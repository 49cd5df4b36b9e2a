"""Shared by every test folder: the demo warehouse, built once by the real CLI, and the sample of each
parametrised matrix that `make test` runs (`make test-full` runs every case)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pandera.config import ValidationDepth

from pipelines import schemas

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def full_staging_checks() -> Iterator[None]:
    """Check every file a test loads in this process against the staging schema's value checks too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schemas, "STAGING_DEPTH", ValidationDepth.SCHEMA_AND_DATA)
        yield


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The VALPAS 2 demo warehouse, built by ``python -m pipelines demo`` as `make demo` does. Read only."""
    path = tmp_path_factory.mktemp("demo_warehouse") / "warehouse.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "demo", "--db", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"demo build failed:\n{done.stdout}\n{done.stderr}"
    assert path.exists()
    return path


# ---- parametrised matrices: a fixed sample in `make test`, every case in `make test-full` ----

FULL_MATRIX = os.environ.get("FULL_MATRIX", "").strip().lower() in ("1", "true", "yes", "on")
MATRIX_SEED = os.environ.get("MATRIX_SEED", "0").strip() or "0"


@dataclass(frozen=True)
class Case:
    """One case of a matrix: its test id and its parameters' values (as text)."""

    id: str
    params: dict[str, str] = field(hash=False)


def matrix_sample(cases: list[Case], keep: int, seed: str, cover: tuple[str, ...] = ()) -> list[Case]:
    """Return the cases to run, in their order: the first and the last; then, while some value of a
    parameter named in ``cover`` is in no chosen case, the case holding most such values; then the best
    ranked others up to ``keep`` cases in all.

    A case's rank is the SHA-256 of the seed and its id, so it depends on nothing else: the same seed runs
    the same cases, and a case added to a matrix displaces at most one other.
    """
    if len(cases) <= max(keep, 2):
        return cases
    ranked = sorted(cases[1:-1], key=lambda c: hashlib.sha256(f"{seed}:{c.id}".encode()).hexdigest())
    chosen = [cases[0], cases[-1]]
    missing = {(name, case.params[name]) for case in cases for name in cover} - {
        (name, case.params[name]) for case in chosen for name in cover
    }
    while missing:
        best = max(ranked, key=lambda c: len(missing & {(n, c.params[n]) for n in cover}))  # first of ties
        chosen.append(best)
        ranked.remove(best)
        missing -= {(name, best.params[name]) for name in cover}
    chosen += ranked[: max(keep - len(chosen), 0)]
    return [case for case in cases if case in chosen]


def pytest_report_header(config: pytest.Config) -> str:
    if FULL_MATRIX:
        return "matrix: every case (FULL_MATRIX=1)"
    return f"matrix: a sample of each matrix-marked test (MATRIX_SEED={MATRIX_SEED}; FULL_MATRIX=1: all)"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the cases of each ``@pytest.mark.matrix(keep=N, cover=(param, ...))`` test outside its
    sample (``matrix_sample``).

    A case named on the command line (``path::test[case]``) always runs.
    """
    if FULL_MATRIX:
        return
    named = {arg.split("::", 1)[1] for arg in config.args if "[" in arg and "::" in arg}
    groups: dict[str, list[pytest.Function]] = {}
    for item in items:
        if isinstance(item, pytest.Function) and item.get_closest_marker("matrix") is not None:
            groups.setdefault(item.nodeid.split("[", 1)[0], []).append(item)
    dropped: list[pytest.Item] = []
    for group in groups.values():
        mark = group[0].get_closest_marker("matrix")
        cases = [Case(i.nodeid, {k: str(v) for k, v in i.callspec.params.items()}) for i in group]
        kept = {
            c.id
            for c in matrix_sample(
                cases, mark.kwargs.get("keep", 2), MATRIX_SEED, mark.kwargs.get("cover", ())
            )
        }
        dropped += [i for i in group if i.nodeid not in kept and i.nodeid.split("::", 1)[1] not in named]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = {id(item) for item in dropped}
        items[:] = [item for item in items if id(item) not in gone]
