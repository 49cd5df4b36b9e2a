"""Sign-in (AppTest on the real app): right and wrong passwords, the throttle, OIDC, closed deployments."""

from __future__ import annotations

import importlib.util

import pytest

from dashboard import auth, ui
from pipelines import users
from pipelines import warehouse as wh
from pipelines.users import FailedSignIns, User
from tests.dashboard import upload_support
from tests.dashboard.upload_support import PASSWORD, nav_paths, sign_in, signed_in

OIDC = {  # shape of a real [auth] section; nothing is contacted unless the button is clicked
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "dashboard",
    "client_secret": "x",
    "server_metadata_url": "https://login.example.fi/.well-known/openid-configuration",
}

cheap_hashes, upload_db = upload_support.cheap_hashes, upload_support.upload_db  # fixtures


def test_right_password_signs_in_and_opens_the_upload_pages(app, upload_db) -> None:
    at = app(upload_db, "views/signin.py")
    assert {"lataa", "lataushistoria"}.isdisjoint(nav_paths(at))
    sign_in(at, "anna")
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "Kirjautuneena: **anna** (koordinaattori; VALPAS 2: Kittilä)"
    assert {"lataa", "lataushistoria"} <= nav_paths(at)
    assert any("Kirjautuneena: **anna**" in c.value for c in at.sidebar.caption)
    at.switch_page("views/overview.py").run()  # the account follows to the dashboard's pages
    assert at.session_state[auth.SIGNED_IN] == "anna" and "lataa" in nav_paths(at)


@pytest.mark.parametrize("name", ["anna", "nobody"])
def test_wrong_password_or_unknown_name_says_the_same(app, upload_db, name: str) -> None:
    at = sign_in(app(upload_db, "views/signin.py"), name, "väärä-salasana")
    assert [e.value for e in at.error] == ["Väärä käyttäjätunnus tai salasana."]
    assert not at.warning  # the first failures cost nothing
    assert auth.SIGNED_IN not in at.session_state and "lataa" not in nav_paths(at)


def test_repeated_failures_make_the_next_attempt_wait(app, upload_db, monkeypatch) -> None:
    now = [1000.0]
    limiter = FailedSignIns(clock=lambda: now[0])
    monkeypatch.setattr(auth, "throttle", lambda: limiter)
    at = app(upload_db, "views/signin.py")
    for _ in range(limiter.free):
        sign_in(at, "anna", "väärä-salasana")
    assert at.warning[0].value == "Liian monta epäonnistunutta yritystä. Odota 1 s ja yritä sitten uudelleen."
    sign_in(at, "anna", PASSWORD)  # right, but too soon: refused without checking it
    assert not at.error and "Odota 1 s" in at.warning[0].value
    assert auth.SIGNED_IN not in at.session_state
    now[0] += 1.5
    sign_in(at, "anna", PASSWORD)
    assert at.session_state[auth.SIGNED_IN] == "anna"
    assert limiter.delay_for("anna") == 0  # a success forgets the failures


def test_a_flood_of_wrong_passwords_keeps_the_owner_out_only_briefly(app, upload_db, monkeypatch) -> None:
    now = [1000.0]
    limiter = FailedSignIns(clock=lambda: now[0])
    monkeypatch.setattr(auth, "throttle", lambda: limiter)
    for _ in range(200):  # a script flooding anna's name (from this same address, the worst case)
        limiter.record_failure("anna", None)
    at = app(upload_db, "views/signin.py")
    sign_in(at, "anna", PASSWORD)
    assert "Liian monta" in at.warning[0].value and auth.SIGNED_IN not in at.session_state
    now[0] += 10  # a short delay, however long the flood
    sign_in(at, "anna", PASSWORD)
    assert at.session_state[auth.SIGNED_IN] == "anna"


def test_trying_many_names_in_a_row_is_slowed(app, upload_db, monkeypatch) -> None:
    now = [1000.0]
    limiter = FailedSignIns(clock=lambda: now[0])
    monkeypatch.setattr(auth, "throttle", lambda: limiter)
    at = app(upload_db, "views/signin.py")
    for i in range(limiter.client_free):
        sign_in(at, f"guess{i}", "väärä-salasana")
    assert "Liian monta" in at.warning[0].value
    sign_in(at, "anna", PASSWORD)  # the next name from this client waits too
    assert auth.SIGNED_IN not in at.session_state


def test_the_throttle_is_shared_by_every_session_of_the_process(app, upload_db) -> None:
    first = sign_in(app(upload_db, "views/signin.py"), "anna", "väärä-salasana")
    shared = auth.throttle()  # what st.cache_resource hands every session of this process
    for _ in range(8):  # other browsers failing meanwhile (attempts refused while waiting don't count)
        shared.record_failure("anna")
    other = sign_in(app(upload_db, "views/signin.py"), "anna", PASSWORD)  # another session, right password
    assert "Liian monta" in other.warning[0].value and auth.SIGNED_IN not in other.session_state
    assert auth.SIGNED_IN not in first.session_state


def test_sign_out_returns_to_the_anonymous_view(app, upload_db) -> None:
    at = signed_in(app, upload_db, "anna")
    at.button(key="sidebar_sign_out").click().run()
    assert auth.SIGNED_IN not in at.session_state and "lataa" not in nav_paths(at)


def test_a_removed_account_is_signed_out_on_the_next_rerun(app, upload_db) -> None:
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    with wh.write(upload_db) as con:
        users.remove_user(con, "anna")
    at.run()
    assert auth.SIGNED_IN not in at.session_state and "lataa" not in nav_paths(at)


def test_with_an_oidc_config_the_page_offers_the_organisation_sign_in(app, upload_db, use_db) -> None:
    at = app(upload_db, "views/signin.py")
    assert [t.label for t in at.text_input] == ["Käyttäjätunnus", "Salasana"]
    at.secrets["auth"] = OIDC
    at.run()
    assert not at.text_input, "no password form when OIDC is configured"
    assert [b.label for b in at.main.button] == ["Kirjaudu organisaation tunnuksella"]
    if importlib.util.find_spec("authlib") is None:  # this venv: st.login cannot start, and says why
        at.button(key="signin_oidc").click().run()
        assert not at.exception and at.error[0].value.startswith("Organisaation kirjautumista ei voi")


def test_an_oidc_identity_signs_in_as_the_account_of_that_e_mail(app, upload_db) -> None:
    with wh.write(upload_db) as con:
        users.add_user(con, "anna@lapha.fi", PASSWORD, "coordinator", "VALPAS2", ["261"])
    at = app(upload_db, "views/signin.py")
    at.secrets["auth"] = OIDC
    at.user = {"is_logged_in": True, "email": "anna@lapha.fi", "name": "Anna"}
    at.run()
    assert (
        f"**{ui.plain('anna@lapha.fi')}** (koordinaattori" in at.success[0].value
    )  # shown, not a mailto link
    assert "lataa" in nav_paths(at)
    at.user = {"is_logged_in": True, "email": "someone@gmail.com"}
    at.run()
    assert ui.plain("someone@gmail.com") in at.warning[0].value and "lataa" not in nav_paths(at)


def test_a_closed_deployment_shows_only_the_sign_in_page(app, upload_db, monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_ANONYMOUS_VIEWERS", "0")
    at = app(upload_db)
    assert nav_paths(at) == {""}  # one page, the default (its url path is the app's root)
    assert at.title[0].value == "Kirjautuminen" and not at.metric
    sign_in(at, "ville")  # a viewer account reads everything, uploads nothing
    assert {"", "tietoa", "lataushistoria"} <= nav_paths(at) and "lataa" not in nav_paths(at)
    at.switch_page("views/overview.py").run()
    assert at.metric


DASHBOARD_PAGES = ["overview", "municipalities", "participations", "pathways", "projects", "about"]


def names(user: User | None) -> list[str]:
    return [p.name for p in auth.pages_for(user)]


def test_roles_decide_the_pages(monkeypatch) -> None:
    viewer, admin = User("v", "viewer"), User("a", "admin")
    coordinator = User("c", "coordinator", frozenset({("VALPAS2", "261")}))
    monkeypatch.delenv("DASHBOARD_ANONYMOUS_VIEWERS", raising=False)
    assert names(None) == [*DASHBOARD_PAGES, "signin"]
    assert names(viewer) == [*DASHBOARD_PAGES, "signin", "history"]
    assert names(coordinator) == [*DASHBOARD_PAGES, "signin", "upload", "history"]
    assert names(admin) == [*DASHBOARD_PAGES, "signin", "upload", "history"]
    monkeypatch.setenv("DASHBOARD_ANONYMOUS_VIEWERS", "0")  # closed: the dashboard's pages need an account
    assert names(None) == ["signin"]
    assert names(viewer) == [*DASHBOARD_PAGES, "signin", "history"]


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("1", True), ("0", False), ("false", False)])
def test_anonymous_viewers_setting(monkeypatch, value, expected) -> None:
    if value is None:
        monkeypatch.delenv("DASHBOARD_ANONYMOUS_VIEWERS", raising=False)
    else:
        monkeypatch.setenv("DASHBOARD_ANONYMOUS_VIEWERS", value)
    assert auth.anonymous_viewers() is expected
    assert auth.may_read(None) is expected
