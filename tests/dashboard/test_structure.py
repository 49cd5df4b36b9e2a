"""The layers stay apart: only db.py talks to DuckDB, charts stay pure, pages only arrange, modules short.

Queries read marts and reference data, never staging; only the export modules write PPTX, PDF and images,
and of them only export/buttons.py draws; one home for municipality names and for the text colour.
"""

from __future__ import annotations

import ast
import re
import tomllib
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


HEX = re.compile(r"#([0-9A-Fa-f]{6})\b|[\"']([0-9A-Fa-f]{6})[\"']")  # "#111318" in code or CSS, "111318"
RGB = re.compile(r"\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)")  # (17, 17, 17)


def near_black(text: str) -> list[str]:
    """Return every colour in ``text`` dark enough to be a text colour (each channel below 0x40)."""
    found = [a or b for a, b in HEX.findall(text)]
    dark = [h for h in found if all(int(h[i : i + 2], 16) < 0x40 for i in (0, 2, 4))]
    return dark + [f"({r}, {g}, {b})" for r, g, b in RGB.findall(text) if max(int(r), int(g), int(b)) < 0x40]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_only_theme_spells_the_text_colour(path: Path) -> None:
    """Pages, charts, presenter CSS, images, PPTX and PDF all take their near-black from ``theme.TEXT``."""
    if path.name != "theme.py":
        assert near_black(path.read_text(encoding="utf-8")) == []


def test_the_streamlit_theme_has_the_same_text_colour() -> None:
    from dashboard import theme

    config = tomllib.loads((DASHBOARD.parent / "streamlit_config.toml").read_text(encoding="utf-8"))
    assert config["theme"]["textColor"] == theme.TEXT and config["theme"]["primaryColor"] == theme.PRIMARY


def test_the_colour_scan_finds_each_spelling() -> None:
    found = near_black("(17, 17, 17) '111111' #111111; #1f2430 #005A8C (85, 85, 85)")
    assert found == ["111111", "111111", "1f2430", "(17, 17, 17)"]


@pytest.mark.parametrize("path", sorted((DASHBOARD / "queries").glob("*.sql")), ids=lambda p: p.name)
def test_queries_read_marts_and_reference_data_never_staging(path: Path) -> None:
    """Staging is the pipeline's (typed uploads as loaded); what the dashboard reads is built into marts."""
    assert "staging." not in path.read_text(encoding="utf-8").lower()


EXPORTS = sorted((DASHBOARD / "export").glob("*.py"))
BUTTONS = DASHBOARD / "export" / "buttons.py"  # the download buttons and the deck's progress bar


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_only_the_export_modules_import_the_file_writers(path: Path) -> None:
    writers = {n for n in imports(path) if n.split(".")[0] in ("pptx", "fpdf", "kaleido")}
    assert path in EXPORTS or not writers, sorted(writers)


@pytest.mark.parametrize("path", [p for p in EXPORTS if p != BUTTONS], ids=lambda p: p.name)
def test_export_modules_draw_nothing_but_the_buttons_module(path: Path) -> None:
    """The files are made the same way by the CLI and the page: only buttons.py draws (``st.``)."""
    assert streamlit_calls(path) == [], path.name


def test_the_buttons_module_is_the_one_that_draws() -> None:
    assert BUTTONS in EXPORTS and "download_button" in streamlit_calls(BUTTONS)


def streamlit_calls(path: Path) -> list[str]:
    """Return every ``st.<name>`` the module uses (``import streamlit as st``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)]
    return [n.attr for n in nodes if n.value.id == "st"]
