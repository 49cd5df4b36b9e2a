"""The one registry of pages (``dashboard/pages.py``): files exist, names and URLs are unique and kept."""

from __future__ import annotations

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
