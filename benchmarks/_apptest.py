"""Run one page of the dashboard once under Streamlit's AppTest and time it (for pages.py and upload.py).

Each call is a new AppTest session on ``dashboard/app.py`` that opens the page directly (by the hash of
its ``url_path``, as a browser opening ``/kuntavertailu`` would) and runs the whole script once: snapshot
pin, sidebar filters, navigation, the page, the footer. ``st.cache_data`` / ``st.cache_resource`` live in
the process, so after the first run of a page its queries come from the cache (*warm*); ``cache_cold``
clears both first, which is what the first viewer after a newly published snapshot pays.
"""

from __future__ import annotations

import contextlib
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
EMPTY_SCRIPT = "import streamlit as st\n\nst.write('tyhjä sivu')\n"


@dataclass(frozen=True)
class Page:
    """A page as a reader opens it: key, url path in app.PAGES, its Finnish title, query parameters."""

    key: str
    url: str
    title: str
    query: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        extra = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.key}" + (f" ?{extra}" if extra else "")


PAGES = (  # dashboard/app.py PAGES: the url paths, and the titles the tests expect
    Page("overview", "yleiskatsaus", "Yleiskatsaus"),
    Page("municipalities", "kuntavertailu", "Kuntavertailu"),
    Page("participations", "osallistumiset", "Ammattilaisten osallistumiset"),
    Page("pathways", "jatkopolut", "Jatkopolut"),
    Page("about", "tietoa", "Tietoa aineistosta"),
)


@dataclass(frozen=True)
class Run:
    """One timed script run: wall seconds, and the page's first exception (None when it rendered)."""

    seconds: float
    error: str | None = None


def _quiet() -> None:
    """Silence Streamlit's bare-mode warnings; page exceptions are collected from AppTest instead."""
    from streamlit import config, logger

    config.get_option("client.showErrorDetails")  # parse the project's config first, then override it
    config.set_option("client.showErrorDetails", "full")  # the page's own error, not a redaction
    logger.set_log_level("CRITICAL")


def peak_rss_mib() -> float:
    """Return this process's peak resident set size in MiB: ``VmHWM``, else ``getrusage``'s ``ru_maxrss``.

    A spawned process is forked, then exec'd, and Linux keeps ``ru_maxrss`` across exec, so getrusage
    would report at least the parent's size at the fork; ``VmHWM`` is the high-water mark of this
    process's own memory since exec.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_page(db: str, page: Page, *, cache_cold: bool = False) -> Run:
    """Open ``page`` in a new session on the warehouse ``db`` and time the one script run."""
    _quiet()
    os.environ["DASHBOARD_DB"] = db  # dashboard.settings reads it on every use
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    if cache_cold:
        st.cache_data.clear()
        st.cache_resource.clear()
    at = AppTest.from_file(str(APP), default_timeout=300)
    at._page_hash = calc_hash(page.url)  # what a browser at /<url_path> asks for (st.Page hashes url_path)
    at.query_params.update(dict(page.query))
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        return Run(seconds, " ".join(at.exception[0].value.split())[:160])
    titles = [t.value for t in at.title]
    if page.title not in titles:  # a wrong page would time the wrong thing
        raise RuntimeError(f"{page.url}: expected title {page.title!r}, got {titles}")
    return Run(seconds)


def run_empty() -> Run:
    """Time AppTest running a script that only writes one line: the floor of any page run."""
    _quiet()
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(EMPTY_SCRIPT, default_timeout=300)
    start = time.perf_counter()
    at.run()
    return Run(time.perf_counter() - start)
