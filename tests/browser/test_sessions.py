"""A coordinator stays signed in across a reload until signing out (a real browser, its real cookie)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PASSWORD, USER, settle, sign_in, wait_for_app

pytestmark = pytest.mark.browser


def signed_in(page) -> bool:
    return page.get_by_text("Kirjautuneena:").count() > 0


def test_a_reload_keeps_the_sign_in_and_sign_out_ends_it(page, upload_app) -> None:
    _, url = upload_app
    sign_in(page, url, USER, PASSWORD)
    cookie = {c["name"]: c for c in page.context.cookies()}["hd_session"]
    assert cookie["sameSite"] == "Strict" and cookie["expires"] > 0

    page.reload()
    wait_for_app(page)
    page.get_by_text("Kirjautuneena:").first.wait_for()
    assert signed_in(page)

    page.get_by_role("button", name="Kirjaudu ulos").first.click()
    page.get_by_role("link", name="Kirjautuminen").first.wait_for()
    settle(page)
    assert not signed_in(page)
    page.reload()
    wait_for_app(page)
    settle(page)
    assert not signed_in(page)
    page.context.add_cookies([cookie])  # the old token, replayed
    page.reload()
    wait_for_app(page)
    settle(page)
    assert not signed_in(page), "a signed-out token must not sign anyone in"
