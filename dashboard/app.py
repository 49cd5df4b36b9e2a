"""Entry point (``streamlit run dashboard/app.py``): page setup, shared filters, navigation.

Every rerun pins the warehouse snapshot current at its start, resolves the filters (URL -> session ->
sidebar -> URL), shows the demo notice when the demo is loaded, and runs the chosen page.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import auth, db, presenter, settings, state, ui  # noqa: E402
from dashboard.builders.about import is_demo  # noqa: E402
from dashboard.export import buttons  # noqa: E402
from dashboard.i18n import I18n  # noqa: E402

# name, Finnish url path, file, icon; the first is the default. The page files live in views/, not
# pages/: Streamlit treats a folder named pages/ beside the main script as an old-style multipage app
# until the first st.navigation call, so a new server's very first request to a page's URL (a shared
# link) showed "Page not found" over the right page, and one to /<file name> ran that file alone.
PAGES = (
    ("overview", "yleiskatsaus", "views/overview.py", ":material/dashboard:"),
    ("municipalities", "kuntavertailu", "views/municipalities.py", ":material/location_city:"),
    ("participations", "osallistumiset", "views/participations.py", ":material/groups:"),
    ("pathways", "jatkopolut", "views/pathways.py", ":material/alt_route:"),
    ("projects", "hankkeet", "views/projects.py", ":material/compare:"),
    ("about", "tietoa", "views/about.py", ":material/info:"),
)
RANGE_PAGES = {"osallistumiset"}  # pages that read a quarter range instead of one quarter


def language() -> str:
    """Return the language for the page titles before the sidebar resolves the filters."""
    ss = st.session_state
    if state.WIDGET["lang"] in ss and ss[state.WIDGET["lang"]]:
        return ss[state.WIDGET["lang"]]
    if state.STATE in ss:
        return ss[state.STATE].lang
    return st.query_params.get("lang", "fi")


# The favicon is our own SVG, sent inline: a ":material/..." page icon makes the browser fetch it from
# Google's font host, which a closed network blocks and which learns every visitor's address.
FAVICON = Path(__file__).parent / "assets" / "favicon.svg"
st.set_page_config(page_title="Hankkeiden tulokset", page_icon=str(FAVICON), layout="wide")
tr = I18n(language(), settings.min_cell())
try:
    db.upgraded(settings.db_path())  # a warehouse written by an older version gets its migrations once
    db.pin()
except db.NoWarehouse:
    st.error(tr.t("app.no_warehouse", path=settings.db_path()))
    st.stop()

here = Path(__file__).parent
user = auth.current_user()
auth.apply_cookie()
readable = PAGES if auth.may_read(user) else ()  # the account pages follow: sign-in, upload, history
pages = [
    st.Page(here / file, title=tr.t(f"page.{name}"), icon=icon, url_path=url, default=(i == 0))
    for i, (name, url, file, icon) in enumerate((*readable, *auth.pages_for(user)))
]
# Signed in, the account pages are one menu named by the account, so the top bar fits at 1400 px;
# signed out, "sign in" stands beside the other pages.
navigation: list | dict = pages
if user is not None:
    menu = {"": pages[: len(readable)], tr.t("nav.account", user=user.name): pages[len(readable) :]}
    navigation = {label: group for label, group in menu.items() if group}
presenting = presenter.requested()  # None, or the slide asked for: read before the sidebar rewrites the URL
page = st.navigation(navigation, position="top" if presenting is None else "hidden")
if not readable:  # a closed deployment and nobody signed in: the sign-in page alone, no figures
    with st.sidebar:
        ui.skip_link(tr)
    page.run()
    st.stop()
try:
    view, replaced = state.sidebar(range_page=page.url_path in RANGE_PAGES)
except state.NoProjects:
    st.error(tr.t("app.no_projects"))
    st.stop()
tr = view.tr
st.set_page_config(page_title=f"{page.title} · {tr.t('app.title')}")
if is_demo() and presenting is None:  # a slide says so in its footer
    st.info(tr.t("app.demo_notice"), icon=":material/science:")
for r in replaced:
    st.warning(tr.t("app.invalid_param", param=r.param, value=ui.plain(r.value)), icon=":material/link_off:")
ui.set_view(view)
with st.sidebar:  # the skip link's script here: in the main area it would take a slide's room
    ui.skip_link(tr)
    auth.sidebar(user, tr)
    buttons.sidebar(view)
if presenting is not None:
    presenter.show(view, presenting, page.url_path)
    st.stop()
page.run()
st.divider()
st.caption(tr.t("app.footer", min_cell=view.min_cell))
