"""The layers stay apart: only db.py talks to DuckDB, charts stay pure, pages only arrange, modules short.

Queries read marts and reference data, never staging; only the export modules write PPTX, PDF and images,
and of them only export/buttons.py draws; one home for municipality and region names and for the text colour;
no new comparison with min_cell outside privacy/ (the builders' are issue 15's debt).
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from dashboard import db

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
MODULES = sorted(p for p in DASHBOARD.rglob("*.py"))


def imports(path: Path) -> set[str]:
    return imported(path.read_text(encoding="utf-8"))


def imported(source: str) -> set[str]:
    """Return every module (and ``module.name``) that Python ``source`` imports."""
    tree = ast.parse(source)
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


@pytest.mark.parametrize("name", ["charts.py", "figures.py", "filters.py", "theme.py", "i18n.py", "pages.py"])
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


# Building a code -> name map of municipalities or wellbeing regions: reading the language's name column
# (``tr.region_name_col()``, "name_sv"), the regions' reference query, or a dict made of ``places``.
NAME_MAP = re.compile(
    r"\b(?:municipality|region)_name_col\b"
    r"|[\"'](?:region_)?name_(?:fi|sv|en)[\"']"
    r"|[\"']wellbeing_regions[\"']"
    r"|\bdict\((?:zip\()?[^\n]*\bplaces\("
)
NAME_HOMES = ("db.py", "i18n.py")  # i18n.py says which column is the language's


def name_maps(source: str) -> list[str]:
    """Return every place where ``source`` builds a municipality or region name map itself."""
    return [m.group(0) for m in NAME_MAP.finditer(source)]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_municipality_and_region_names_have_one_home(path: Path) -> None:
    """Code -> name maps come from ``db.places``, ``db.municipality_names`` and ``db.region_names`` only."""
    if str(path.relative_to(DASHBOARD)) not in NAME_HOMES:
        assert name_maps(path.read_text(encoding="utf-8")) == []


def test_the_name_map_scan_finds_each_way_it_was_built() -> None:
    """The five (six) ways issue 14 found, and the two of the regions, each caught."""
    ways = [
        'dict(zip(table["municipality_code"], table[tr.municipality_name_col()], strict=True))',
        'pl.col(view.tr.region_name_col()).alias("region")',
        'dict(places(view).select("municipality_code", "municipality").iter_rows())',
        'dict(zip(places(view)["municipality_code"], places(view)["municipality"], strict=True))',
        'ref = db.query("wellbeing_regions")',
        'dict(db.places(f.project, tr).select("wellbeing_region_code", "region").iter_rows())',
        "ref.select('municipality_code', 'name_sv')",
    ]
    assert [len(name_maps(way)) for way in ways] == [1, 1, 1, 1, 1, 1, 1]
    assert name_maps("\n".join(ways)) == [
        "municipality_name_col",
        "region_name_col",
        "dict(places(",
        'dict(zip(places(view)["municipality_code"], places(',
        '"wellbeing_regions"',
        "dict(db.places(",
        "'name_sv'",
    ]
    readers = "names = db.municipality_names(project, tr)\nref = places(view)\nnames = db.region_names(tr)"
    assert name_maps(readers) == []
    assert name_maps((DASHBOARD / "db.py").read_text(encoding="utf-8")) != []  # the home itself builds them


HEX = re.compile(r"#([0-9A-Fa-f]{6})\b|[\"']([0-9A-Fa-f]{6})[\"']")  # "#111318" in code or CSS, "111318"
SHORT_HEX = re.compile(r"#([0-9A-Fa-f]{3})\b")  # CSS shorthand: "#111" is "#111111"
RGB = re.compile(r"\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)")  # (17, 17, 17)


def near_black(text: str) -> list[str]:
    """Return every colour in ``text`` dark enough to be a text colour (each channel below 0x40)."""
    found = [a or b for a, b in HEX.findall(text)]
    found += ["".join(c * 2 for c in h) for h in SHORT_HEX.findall(text)]
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
    found = near_black("(17, 17, 17) '111111' #111111; #1f2430 #005A8C (85, 85, 85) #222; #fff #1234")
    assert found == ["111111", "111111", "1f2430", "222222", "(17, 17, 17)"]


STAGING = re.compile(r'(?<!\w)"?staging"?\s*\.\s*"?(\w+)', re.IGNORECASE)  # staging.x, "staging"."x"


def staging_reads(sql: str) -> list[str]:
    """Return every staging table ``sql`` names outside its ``--`` comments."""
    return STAGING.findall(re.sub(r"--[^\n]*", "", sql))


@pytest.mark.parametrize("path", sorted(db.query_files().values()), ids=lambda p: p.name)
def test_queries_read_marts_and_reference_data_never_staging(path: Path) -> None:
    """Staging is the pipeline's (typed uploads as loaded); what the dashboard reads is built into marts."""
    assert staging_reads(path.read_text(encoding="utf-8")) == []


def test_the_staging_scan_finds_each_spelling() -> None:
    sql = 'select * from staging.client_snapshots s join "staging"."events" e using (project_code)\n'
    assert staging_reads(sql + "join STAGING . attendance a using (event_id)") == [
        "client_snapshots",
        "events",
        "attendance",
    ]
    assert staging_reads("-- was staging.events\nselect * from marts.events -- not staging.x") == []


EXPORT = DASHBOARD / "export"
EXPORTS = sorted(EXPORT.glob("*.py"))
BUTTONS = EXPORT / "buttons.py"  # the download buttons and the deck's progress bar
WRITERS = ("pptx", "fpdf", "kaleido")


def file_writers_outside_export(path: Path, source: str) -> list[str]:
    """Return the PPTX, PDF and chart-image libraries ``source`` imports, unless it is in export/."""
    if path.is_relative_to(EXPORT):
        return []
    return sorted(n for n in imported(source) if n.split(".")[0] in WRITERS)


def drawing_in_export(path: Path, source: str) -> list[str]:
    """Return what Streamlit ``source`` imports or uses (``st.``), if it is in export/ but not buttons.py."""
    if not path.is_relative_to(EXPORT) or path == BUTTONS:
        return []
    return sorted(n for n in imported(source) if n.split(".")[0] == "streamlit") + streamlit_calls(source)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_only_the_export_modules_import_the_file_writers(path: Path) -> None:
    assert file_writers_outside_export(path, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", EXPORTS, ids=lambda p: p.name)
def test_export_modules_draw_nothing_but_the_buttons_module(path: Path) -> None:
    """The files are made the same way by the CLI and the page: only buttons.py imports Streamlit."""
    assert drawing_in_export(path, path.read_text(encoding="utf-8")) == []


def test_the_export_rules_catch_a_violation() -> None:
    writer = "import kaleido\nfrom pptx.util import Inches\nfrom fpdf import FPDF\n"
    assert file_writers_outside_export(DASHBOARD / "charts.py", writer) == [
        "fpdf",
        "fpdf.FPDF",
        "kaleido",
        "pptx.util",
        "pptx.util.Inches",
    ]
    assert file_writers_outside_export(EXPORT / "deck.py", writer) == []
    drawing = "from streamlit import logger\nimport streamlit as st\nst.write(1)\n"
    assert drawing_in_export(EXPORT / "pdf.py", drawing) == ["streamlit", "streamlit.logger", "write"]
    assert drawing_in_export(EXPORT / "pdf.py", "def f(st):\n    st.progress(0.5)\n") == ["progress"]
    assert drawing_in_export(BUTTONS, drawing) == []
    assert drawing_in_export(DASHBOARD / "presenter.py", drawing) == []


def test_the_buttons_module_is_the_one_that_draws() -> None:
    assert BUTTONS in EXPORTS and "download_button" in streamlit_calls(BUTTONS.read_text(encoding="utf-8"))


def streamlit_calls(source: str) -> list[str]:
    """Return every ``st.<name>`` that ``source`` uses (``import streamlit as st``)."""
    tree = ast.parse(source)
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)]
    return [n.attr for n in nodes if n.value.id == "st"]


def module_file(name: str) -> Path | None:
    """Return the file of dashboard module ``name`` (``dashboard.export.stamp``), None if it is not one."""
    path = DASHBOARD.parent.joinpath(*name.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def reached(start: str) -> set[str]:
    """Return every dashboard module ``start`` imports, directly or through others (also inside functions)."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        path = module_file(name)
        if name in seen or path is None:  # ``dashboard.export.summary`` is a name in a module, not a module
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # a package runs its __init__ first
        todo += [n for n in imports(path) if n.split(".")[0] == "dashboard"]
    return seen


def test_the_export_command_reaches_no_module_that_draws() -> None:
    """``python -m dashboard.export`` runs without a page: not the sidebar, and Streamlit only as a cache.

    ``db`` caches its queries with ``st.cache_data`` (and ``settings`` quiets that cache's notices), so
    Streamlit is imported, but nothing the command reaches draws, and the sidebar is not among them.
    """
    modules = reached("dashboard.export.__main__")
    assert {"dashboard.choices", "dashboard.filters", "dashboard.export.stamp"} <= modules
    assert "dashboard.sidebar" not in modules and "dashboard.export.buttons" not in modules
    users = {m for m in modules if any(n.split(".")[0] == "streamlit" for n in imports(module_file(m)))}
    assert users == {"dashboard.db", "dashboard.settings"}
    calls = {c for m in users for c in streamlit_calls(module_file(m).read_text(encoding="utf-8"))}
    assert calls <= {"cache_data", "cache_resource"}


def test_the_reach_follows_imports_inside_functions() -> None:
    assert "dashboard.sidebar" in reached("dashboard.app")
    assert "dashboard.choices" in reached("dashboard.privacy.store")  # imported inside ``compute``


PRIVACY = DASHBOARD / "privacy"
PIPELINES = DASHBOARD.parent / "pipelines"
# Issue 14 asks that only privacy/ compares a count with min_cell: outside it a module asks a named rule
# (``privacy.is_hidden``, ``hide_count``, ``small_cells``, ``may_show_median``, ...; issue 15, item 1).


ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _names_min_cell(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id in ("min_cell", "MIN_CELL"))
        or (isinstance(n, ast.Attribute) and n.attr in ("min_cell", "MIN_CELL"))
        for n in ast.walk(node)
    )


def min_cell_comparisons(source: str) -> int:
    """Count the orderings of a value against ``min_cell`` (``n < v.min_cell``, ``is_between(1, m - 1)``)."""
    count = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and all(isinstance(op, ORDER) for op in node.ops):
            count += any(_names_min_cell(x) for x in (node.left, *node.comparators))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            compares = node.func.attr in ("is_between", "lt", "le", "gt", "ge", "clip")
            count += compares and any(
                _names_min_cell(a) for a in [*node.args, *(k.value for k in node.keywords)]
            )
    return count


OUTSIDE_PRIVACY = sorted(p for p in [*MODULES, *PIPELINES.rglob("*.py")] if not p.is_relative_to(PRIVACY))


@pytest.mark.parametrize("path", OUTSIDE_PRIVACY, ids=lambda p: str(p.relative_to(DASHBOARD.parent)))
def test_no_min_cell_comparison_outside_privacy(path: Path) -> None:
    name = str(path.relative_to(DASHBOARD)) if path.is_relative_to(DASHBOARD) else str(path)
    found = min_cell_comparisons(path.read_text(encoding="utf-8"))
    assert found == 0, f"{name}: {found} comparisons with min_cell outside privacy/ (ask a privacy rule)"


def test_the_min_cell_scan_finds_each_way_a_count_is_compared() -> None:
    source = (
        "a = 0 < n < view.min_cell\n"
        "b = pl.col('n').is_between(1, min_cell - 1)\n"
        "c = (pl.col('n') > 0) & (pl.col('n') < settings.min_cell())\n"
        "d = n >= privacy.MIN_CELL\n"
        "e = pl.col('n').lt(view.min_cell)\n"
    )
    assert min_cell_comparisons(source) == 5
    unrelated = "caption = tr.t('x', min_cell=view.min_cell)\nn = view.min_cell * 2\nt in f(view.min_cell)\n"
    assert min_cell_comparisons(unrelated) == 0
