"""The app's pages (sivut), one registry: name, URL path, file, icon, quarter range, start slide, access.

``app.py`` builds the navigation from ``PAGES`` in this order (the first a visitor may open is the
default), ``auth.may_open`` reads ``access``, the presenter mode opens at ``start_slide``, and every
``st.page_link`` takes its file and icon from here. The URL paths are Finnish and differ from the file
names; shared links depend on them, so they do not change.

The files live in views/, not pages/: Streamlit treats a folder named pages/ beside the main script as an
old-style multipage app until the first st.navigation call, so a new server's very first request to a
page's URL (a shared link) showed "Page not found" over the right page, and one to /<file name> ran that
file alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Access(Enum):
    """Who may open a page (``auth.may_open`` applies it)."""

    READERS = "readers"  # whoever may read the dashboard: anyone, or only accounts when it is closed
    EVERYONE = "everyone"
    UPLOADERS = "uploaders"  # coordinators and admins
    ACCOUNTS = "accounts"  # any signed-in account


@dataclass(frozen=True)
class Page:
    """One page of the app: what the navigation, the links and the presenter mode need to know of it."""

    name: str  # the code's name for it; its title is the translation key ``page.<name>``
    url: str  # the Finnish URL path
    file: str  # relative to dashboard/
    icon: str
    access: Access = Access.READERS
    is_range: bool = False  # reads a quarter range instead of one quarter
    start_slide: int = 0  # the slide (from 0) its presenter mode opens at, clamped to the last

    @property
    def is_account(self) -> bool:
        """Tell whether the page is one of the account's (sign-in, upload, history), not the dashboard's."""
        return self.access is not Access.READERS


PAGES = (
    Page("overview", "yleiskatsaus", "views/overview.py", ":material/dashboard:"),
    Page("municipalities", "kuntavertailu", "views/municipalities.py", ":material/location_city:",
         start_slide=1),
    Page("participations", "osallistumiset", "views/participations.py", ":material/groups:",
         is_range=True, start_slide=2),
    Page("pathways", "jatkopolut", "views/pathways.py", ":material/alt_route:", start_slide=3),
    Page("projects", "hankkeet", "views/projects.py", ":material/compare:", start_slide=6),
    Page("about", "tietoa", "views/about.py", ":material/info:"),
    Page("signin", "kirjaudu", "views/signin.py", ":material/login:", access=Access.EVERYONE),
    Page("upload", "lataa", "views/upload.py", ":material/upload_file:", access=Access.UPLOADERS),
    Page("history", "lataushistoria", "views/history.py", ":material/history:", access=Access.ACCOUNTS),
)  # fmt: skip


def by_name(name: str) -> Page:
    """Return the page named ``name`` (``"overview"``, ``"signin"``...)."""
    try:
        return next(p for p in PAGES if p.name == name)
    except StopIteration:
        raise KeyError(f"no page named {name!r}") from None


def by_url(url: str) -> Page:
    """Return the page at URL path ``url`` (``"kuntavertailu"``...)."""
    try:
        return next(p for p in PAGES if p.url == url)
    except StopIteration:
        raise KeyError(f"no page at {url!r}") from None
