"""The matrix sample of ``make test``: first and last always, every covered value once, the same cases for
the same seed; with ``FULL_MATRIX=1`` every case, as ``make test-full`` runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, Case, matrix_sample

LANGS, PAGES = ["fi", "sv", "en"], ["overview", "municipalities", "pathways", "projects", "about"]
CASES = [Case(f"t[{p}-{lang}]", {"page": p, "lang": lang}) for p in PAGES for lang in LANGS]


def test_first_and_last_and_a_seeded_few() -> None:
    kept = matrix_sample(CASES, 4, "0")
    assert len(kept) == 4 and kept[0] == CASES[0] and kept[-1] == CASES[-1]
    assert kept == matrix_sample(CASES, 4, "0")  # the same seed, the same cases
    assert kept == [c for c in CASES if c in kept]  # in their order
    others = {tuple(c.id for c in matrix_sample(CASES, 4, str(seed))) for seed in range(20)}
    assert len(others) > 1  # another seed, another sample


def test_every_covered_value_is_in_the_sample() -> None:
    for seed in map(str, range(20)):
        kept = matrix_sample(CASES, 2, seed, cover=("page", "lang"))
        assert {c.params["page"] for c in kept} == set(PAGES)
        assert {c.params["lang"] for c in kept} == set(LANGS)
        assert len(kept) == len(PAGES)  # one case per page is enough for three languages


def test_a_small_matrix_runs_whole() -> None:
    assert matrix_sample(CASES[:3], 4, "0") == CASES[:3]


def test_full_matrix_runs_every_case_and_a_named_case_always_runs(tmp_path: Path) -> None:
    module = tmp_path / "test_m.py"
    module.write_text(
        "import pytest\n\n@pytest.mark.matrix(keep=2)\n@pytest.mark.parametrize('n', range(6))\n"
        "def test_n(n):\n    pass\n"
    )

    def collected(*args: str, **env: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "tests.conftest",
             "--rootdir", str(tmp_path), "-o", "markers=matrix", *args],
            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "FULL_MATRIX": "", **env},
        )  # fmt: skip
        return [line.split("::")[1] for line in done.stdout.splitlines() if "::" in line]

    assert collected(str(module)) == ["test_n[0]", "test_n[5]"]
    assert collected(str(module), FULL_MATRIX="1") == [f"test_n[{n}]" for n in range(6)]
    assert collected(f"{module}::test_n[3]") == ["test_n[3]"]
