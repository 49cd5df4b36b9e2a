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

from dashboard import auth, db, presenter, settings, sidebar, ui  # noqa: E402
from dashboard.builders.about import is_demo  # noqa: E402
from dashboard.export import buttons  # noqa: E402
from dashboard.i18n import I18n  # noqa: E402


def language() -> str:
    """Return the language for the page titles before the sidebar resolves the filters."""
    ss = st.session_state
    if sidebar.WIDGET["lang"] in ss and ss[sidebar.WIDGET["lang"]]:
        return ss[sidebar.WIDGET["lang"]]
    if sidebar.STATE in ss:
        return ss[sidebar.STATE].lang
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
shown = auth.pages_for(user)  # the pages of dashboard.pages this visitor may open; the first is the default
nav = {
    p: st.Page(here / p.file, title=tr.t(f"page.{p.name}"), icon=p.icon, url_path=p.url, default=(i == 0))
    for i, p in enumerate(shown)
}
readable = [nav[p] for p in shown if not p.is_account]
account = [nav[p] for p in shown if p.is_account]  # sign-in, upload, history
# Signed in, the account pages are one menu named by the account, so the top bar fits at 1400 px;
# signed out, "sign in" stands beside the other pages.
navigation: list | dict = [*readable, *account]
if user is not None:
    menu = {"": readable, tr.t("nav.account", user=user.name): account}
    navigation = {label: group for label, group in menu.items() if group}
presenting = presenter.requested()  # None, or the slide asked for: read before the sidebar rewrites the URL
page = st.navigation(navigation, position="top" if presenting is None else "hidden")
chosen = next(p for p, st_page in nav.items() if st_page is page)  # st.navigation returns one of nav's
if not readable:  # a closed deployment and nobody signed in: the sign-in page alone, no figures
    with st.sidebar:
        ui.skip_link(tr)
    page.run()
    st.stop()
try:
    view, replaced = sidebar.sidebar(range_page=chosen.is_range)
except sidebar.NoProjects:
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
    presenter.show(view, presenting, chosen.start_slide)
    st.stop()
page.run()
st.divider()
st.caption(tr.t("app.footer", min_cell=view.min_cell))
