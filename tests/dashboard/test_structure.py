"""The layers stay apart: only db.py talks to DuckDB, charts stay pure, pages only arrange, modules short."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
MODULES = sorted(p for p in DASHBOARD.rglob("*.py"))


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_module_is_short(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 300


def test_only_db_imports_duckdb() -> None:
    users = [p.name for p in MODULES if any(n.split(".")[0] == "duckdb" for n in imports(p))]
    assert users == ["db.py"]


@pytest.mark.parametrize("name", ["charts.py", "figures.py", "filters.py", "theme.py", "i18n.py"])
def test_pure_modules_use_neither_streamlit_nor_the_database(name: str) -> None:
    used = imports(DASHBOARD / name)
    assert not any(n.split(".")[0] == "streamlit" for n in used)
    assert not any(n.startswith(("dashboard.db", "dashboard.builders")) for n in used)


def test_builders_never_call_streamlit() -> None:
    for path in (DASHBOARD / "builders").glob("*.py"):
        assert not any(n.split(".")[0] == "streamlit" for n in imports(path)), path.name


@pytest.mark.parametrize("path", sorted((DASHBOARD / "views").glob("*.py")), ids=lambda p: p.name)
def test_pages_only_arrange(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "db.query" not in text and "select " not in text.lower()
    assert not any(n.startswith(("dashboard.db", "polars", "duckdb")) for n in imports(path))
    assert len(text.splitlines()) <= 40


def test_sql_lives_in_query_files() -> None:
    for path in MODULES:
        text = path.read_text(encoding="utf-8").lower()
        assert " from marts." not in text and " from ref." not in text, path.name


def test_municipality_names_have_one_home() -> None:
    """Code -> name maps of municipalities come from ``db.places`` / ``db.municipality_names`` only."""
    readers = [p.relative_to(DASHBOARD) for p in MODULES if "municipality_name_col" in p.read_text("utf-8")]
    assert [str(p) for p in readers] == ["db.py", "i18n.py"]
