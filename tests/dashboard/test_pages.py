"""The one registry of pages (``dashboard/pages.py``): files exist, names and URLs are unique and kept.

No other dashboard module spells a page's URL path or view file: they look the page up instead.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dashboard import pages
from dashboard.i18n import FOLDERS
from dashboard.pages import PAGES, Access
from pipelines.i18n import LANGUAGES, load_table

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
R, E, U, A = Access.READERS, Access.EVERYONE, Access.UPLOADERS, Access.ACCOUNTS
# Shared links and bookmarks name these URL paths: a change here breaks them (name: url, icon, access,
# reads a quarter range, presenter start slide), in the navigation's order.
KEPT = {
    "overview": ("yleiskatsaus", ":material/dashboard:", R, False, 0),
    "municipalities": ("kuntavertailu", ":material/location_city:", R, False, 1),
    "participations": ("osallistumiset", ":material/groups:", R, True, 2),
    "pathways": ("jatkopolut", ":material/alt_route:", R, False, 3),
    "projects": ("hankkeet", ":material/compare:", R, False, 6),
    "about": ("tietoa", ":material/info:", R, False, 0),
    "signin": ("kirjaudu", ":material/login:", E, False, 0),
    "upload": ("lataa", ":material/upload_file:", U, False, 0),
    "history": ("lataushistoria", ":material/history:", A, False, 0),
}


def test_the_pages_urls_and_order_are_kept() -> None:
    assert {p.name: (p.url, p.icon, p.access, p.is_range, p.start_slide) for p in PAGES} == KEPT
    assert [p.name for p in PAGES] == list(KEPT)  # the first (overview) is the default page


def test_the_dashboards_pages_come_before_the_accounts() -> None:
    accounts = [p.is_account for p in PAGES]
    assert accounts == sorted(accounts) and accounts.count(True) == 3


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_registered_file_exists_in_views(page: pages.Page) -> None:
    """In views/, not pages/ (see the module's docstring), named after the page."""
    assert (DASHBOARD / page.file).is_file()
    assert page.file == f"views/{page.name}.py"


def test_every_view_file_is_registered() -> None:
    assert sorted(f"views/{p.name}" for p in (DASHBOARD / "views").glob("*.py")) == sorted(
        p.file for p in PAGES
    )


def test_names_and_urls_are_unique() -> None:
    for field in ("name", "url", "file"):
        values = [getattr(p, field) for p in PAGES]
        assert len(set(values)) == len(values), field


def test_every_page_has_a_title_in_every_language() -> None:
    table = load_table(FOLDERS)
    missing = [
        f"page.{p.name} [{lang}]"
        for p in PAGES
        for lang in LANGUAGES
        if not str(table.get(f"page.{p.name}", {}).get(lang, "")).strip()
    ]
    assert not missing, missing


def test_lookups_by_name_and_url() -> None:
    assert pages.by_name("participations") is pages.by_url("osallistumiset") is PAGES[2]
    assert pages.by_url("lataa").name == "upload"
    with pytest.raises(KeyError, match="no page named 'tulokset'"):
        pages.by_name("tulokset")
    with pytest.raises(KeyError, match="no page at 'overview'"):
        pages.by_url("overview")


REGISTRY = DASHBOARD / "pages.py"
OTHERS = sorted(p for p in DASHBOARD.rglob("*.py") if p != REGISTRY)
URL = re.compile(rf"(?:^|/)(?:{'|'.join(re.escape(p.url) for p in PAGES)})(?:$|[?#/])")  # "/tietoa?lang=sv"
VIEW_FILE = re.compile(r"views/\w+\.py")


def page_literals(source: str) -> list[str]:
    """Return every string literal in Python ``source`` that is a page's URL path or names a view file."""
    nodes = ast.walk(ast.parse(source))
    texts = [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return [t for t in texts if URL.search(t) or VIEW_FILE.search(t)]


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_only_the_registry_spells_a_page_url_or_file(path: Path) -> None:
    assert page_literals(path.read_text(encoding="utf-8")) == []


def test_the_page_literal_scan_finds_each_spelling() -> None:
    source = (
        'st.page_link("views/overview.py", icon=":material/dashboard:")\n'
        'START = {"kuntavertailu": 1, "/hankkeet": 6}\n'
        'link = f"/jatkopolut?lang={lang}"\n'
        '"""Ammattilaisten osallistumiset: prose, no URL (tietoa, lataa)."""\n'
        'comment = 1  # "lataushistoria" in a comment\n'
        'word = "lataaja"\n'
    )
    found = sorted(page_literals(source))
    assert found == ["/hankkeet", "/jatkopolut?lang=", "kuntavertailu", "views/overview.py"]
    assert len(page_literals(REGISTRY.read_text(encoding="utf-8"))) == 2 * len(PAGES)  # a URL and a file each
