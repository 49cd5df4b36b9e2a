"""Who is using the app: a password sign-in against the warehouse's accounts, or OpenID Connect.

Accounts and roles come from ``pipelines.users`` (created with ``python -m pipelines users add``). The
session keeps only the account's name; every rerun reloads the account from the pinned snapshot, so a
removed account or a changed scope takes effect at once. When ``.streamlit/secrets.toml`` has an
``[auth]`` section, ``st.login`` replaces the password form and the identity provider's e-mail claim
names the account. Failed password attempts are throttled per (name, client address) and per client
for the whole process (``FailedSignIns`` in ``st.cache_resource``): the page says how long to wait, the
server never sleeps.

| variable                        | default | meaning                                                 |
|---------------------------------|---------|---------------------------------------------------------|
| ``DASHBOARD_ANONYMOUS_VIEWERS`` | ``1``   | ``0``: every page needs a signed-in account (any role)  |
| ``DASHBOARD_FORWARDED_FOR``     | ``0``   | ``1``: behind a reverse proxy, the client is the last   |
|                                 |         | ``X-Forwarded-For`` address (the one the proxy added)   |
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAuthError, StreamlitSecretNotFoundError

from dashboard import db, pages, sessions, ui
from dashboard.i18n import I18n
from dashboard.pages import Access, Page
from pipelines import users
from pipelines.users import FailedSignIns, User

SIGNED_IN = "_signed_in"  # session key: the account name after a password sign-in
TOKEN = "_session_token"  # session key: this sign-in's token (``dashboard.sessions``)
COOKIE_PENDING = "_session_cookie"  # session key: a token to set in the cookie, or None to clear it
UPLOADERS = ("coordinator", "admin")
OIDC_CLAIMS = ("email", "preferred_username")  # the first one the provider sends names the account


def anonymous_viewers() -> bool:
    """Tell whether people who have not signed in may read the dashboard (default: yes, as the demo)."""
    value = os.environ.get("DASHBOARD_ANONYMOUS_VIEWERS", "1").strip().lower()
    return value not in ("0", "false", "no", "off")


def oidc_configured() -> bool:
    """Tell whether the deployment configured OpenID Connect (an ``[auth]`` section in secrets.toml)."""
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:  # no secrets file at all
        return False


@st.cache_resource(show_spinner=False)
def throttle() -> FailedSignIns:
    """Return the failed sign-in counter shared by every session of this process."""
    return FailedSignIns()


def _load(name: str | None) -> User | None:
    if not name:
        return None
    with db.reading() as con:
        return users.load_user(con, name)


def oidc_identity() -> str | None:
    """Return the signed-in identity provider account (its e-mail claim), or None."""
    if not st.user.get("is_logged_in", False):
        return None
    return next((str(st.user[c]) for c in OIDC_CLAIMS if st.user.get(c)), None)


def current_user() -> User | None:
    """Return the signed-in account as it stands in the pinned snapshot, or None."""
    if oidc_configured():
        return _load(oidc_identity())
    name = st.session_state.get(SIGNED_IN)
    if name is None and (token := _cookie()) is not None:  # a reload: the browser's sign-in, if unexpired
        name = sessions.lookup(token)
        if name is not None:
            st.session_state[SIGNED_IN], st.session_state[TOKEN] = name, token
    user = _load(name)
    if user is None:  # never signed in, or the account was removed since
        st.session_state.pop(SIGNED_IN, None)
    return user


def _cookie() -> str | None:
    """Return this browser's session cookie, if any (AppTest's context holds no real cookies)."""
    value = st.context.cookies.get(sessions.COOKIE)
    return value if isinstance(value, str) and value else None


def apply_cookie() -> None:
    """Set or clear the session cookie the last sign-in or sign-out asked for (once)."""
    if COOKIE_PENDING in st.session_state:
        token = st.session_state.pop(COOKIE_PENDING)
        st.html(sessions.cookie_script(token), unsafe_allow_javascript=True, width="content")


def may_read(user: User | None) -> bool:
    """Tell whether the dashboard's pages are open to this visitor."""
    return user is not None or anonymous_viewers()


def may_upload(user: User | None) -> bool:
    """Tell whether this visitor may use the upload page (coordinators and admins)."""
    return user is not None and user.role in UPLOADERS


def may_open(user: User | None, page: Page) -> bool:
    """Tell whether this visitor may open ``page`` (its ``access``)."""
    return {
        Access.READERS: may_read(user),
        Access.EVERYONE: True,
        Access.UPLOADERS: may_upload(user),
        Access.ACCOUNTS: user is not None,
    }[page.access]


def pages_for(user: User | None) -> tuple[Page, ...]:
    """Return the pages this visitor may open, in the navigation's order (``pages.PAGES``)."""
    return tuple(p for p in pages.PAGES if may_open(user, p))


@dataclass(frozen=True)
class Attempt:
    """The outcome of one password sign-in: the account, or how many seconds to wait before the next try."""

    user: User | None
    wait: float = 0.0
    was_throttled: bool = False  # refused without checking the password


def client_address() -> str | None:
    """Return the address of this session's client (None on localhost), for the sign-in throttle.

    The TCP peer (``st.context.ip_address``); behind a reverse proxy that is the proxy, so with
    ``DASHBOARD_FORWARDED_FOR=1`` the last ``X-Forwarded-For`` entry (added by the proxy) is used instead.
    """
    if os.environ.get("DASHBOARD_FORWARDED_FOR", "0").strip().lower() in ("1", "true", "yes", "on"):
        forwarded = [a.strip() for a in (st.context.headers.get("X-Forwarded-For") or "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    address = st.context.ip_address
    return address if isinstance(address, str) else None  # AppTest's client is a stand-in object


def sign_in(name: str, password: str, client: str | None = None) -> Attempt:
    """Check a name and password; on success remember the account in this session."""
    name, limiter = name.strip(), throttle()
    wait = limiter.delay_for(name, client)
    if wait > 0:
        return Attempt(None, wait, was_throttled=True)
    with db.reading() as con:
        user = users.authenticate(con, name, password)
    if user is None:
        limiter.record_failure(name, client)
        return Attempt(None, limiter.delay_for(name, client))
    limiter.reset(name, client)
    token = sessions.create(user.name)
    st.session_state[SIGNED_IN], st.session_state[TOKEN] = user.name, token
    st.session_state[COOKIE_PENDING] = token
    return Attempt(user)


def sign_out() -> None:
    """Forget the signed-in account, end its session server-side (and the identity provider's), start over."""
    st.session_state.pop(SIGNED_IN, None)
    sessions.end(st.session_state.pop(TOKEN, None))
    st.session_state[COOKIE_PENDING] = None
    if oidc_configured() and st.user.get("is_logged_in", False):
        st.logout()
    st.rerun()


def translator() -> I18n:
    """Return this rerun's translator (the sidebar's language; the URL's before the sidebar is drawn)."""
    view = st.session_state.get(ui.VIEW)
    return view.tr if view is not None else I18n(st.query_params.get("lang", "fi"))


def describe(user: User, tr: I18n) -> str:
    """Say who is signed in: name, role and, for a coordinator, the projects and municipalities by name."""
    role = tr.t(f"signin.role.{user.role}")
    if user.role != "coordinator":
        return tr.t("signin.who", user=ui.plain(user.name), role=role)
    scopes: dict[str, list[str]] = {}
    projects = db.query("projects")
    project_names = dict(zip(projects["project_code"], projects["name"], strict=True))
    for project, municipality in sorted(user.scopes, key=lambda s: (s[0], s[1] or "")):
        names = db.municipality_names(project, tr) if project in project_names else {}
        shown = names.get(municipality, municipality) if municipality else tr.t("signin.whole_project")
        scopes.setdefault(project_names.get(project, project), []).append(shown)
    scope = "; ".join(f"{p}: {', '.join(m)}" for p, m in scopes.items())
    return tr.t("signin.who_scoped", user=ui.plain(user.name), role=role, scope=scope)


def password_form(tr: I18n) -> None:
    """Draw the sign-in form; on success rerun, so the navigation shows the account's pages."""
    with st.form("signin", enter_to_submit=True):
        name = st.text_input(tr.t("signin.name"), key="signin_name", autocomplete="username")
        password = st.text_input(
            tr.t("signin.password"), type="password", key="signin_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(tr.t("signin.submit"), type="primary", key="signin_submit")
    if not submitted:
        return
    attempt = sign_in(name, password, client_address())
    if attempt.user is not None:
        st.rerun()
    if not attempt.was_throttled:
        st.error(tr.t("signin.wrong"), icon=":material/error:")
    if attempt.wait > 0:
        st.warning(tr.t("signin.wait", seconds=math.ceil(attempt.wait)), icon=":material/timer:")


def oidc_form(tr: I18n) -> None:
    """Offer the organisation's sign-in (st.login); name an identity without an account."""
    identity = oidc_identity()
    if identity is None:
        if st.button(tr.t("signin.oidc"), type="primary", icon=":material/key:", key="signin_oidc"):
            try:
                st.login()
            except StreamlitAuthError:  # Authlib missing or an incomplete [auth] section: say so, no trace
                st.error(tr.t("signin.oidc_failed"), icon=":material/error:")
        return
    st.warning(tr.t("signin.no_account", identity=ui.plain(identity)), icon=":material/person_off:")
    if st.button(tr.t("signin.sign_out")):
        sign_out()


def sidebar(user: User | None, tr: I18n) -> None:
    """Show in the sidebar who is signed in, with a sign-out button, or a link to sign in."""
    st.divider()
    if user is None:
        signin = pages.by_name("signin")
        st.page_link(signin.file, label=tr.t("signin.link"), icon=signin.icon)
        return
    st.caption(describe(user, tr))
    if st.button(tr.t("signin.sign_out"), key="sidebar_sign_out", icon=":material/logout:"):
        sign_out()
