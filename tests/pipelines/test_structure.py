"""The pipeline modules stay short (the stop check's limit: 400 lines) and never import the dashboard.

``warehouse.py`` grew to 409 lines before the marts moved to ``marts.py``; this holds the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted([*(ROOT / "pipelines").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_short(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 400


def imported(path: Path) -> set[str]:
    """Return every module (and ``module.name``) that the Python file imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "pipelines").rglob("*.py")), ids=lambda p: p.name)
def test_pipelines_never_import_the_dashboard(path: Path) -> None:
    """The dashboard reads what pipelines compute (``figures`` re-exports ``counts``), never back."""
    assert not {n for n in imported(path) if n.split(".")[0] in ("dashboard", "streamlit")}


def test_the_headline_counting_is_pure() -> None:
    """``pipelines.counts`` counts a frame it is given: no database, so the pages and the summary share it."""
    assert not {n for n in imported(ROOT / "pipelines" / "counts.py") if n.split(".")[0] == "duckdb"}
