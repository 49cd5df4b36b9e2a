"""The app in a real browser through deploy/nginx.conf: every page and slide draws over TLS and the
websocket, and the Content-Security-Policy blocks nothing the app needs (a policy that broke the charts
or the sign-in cookie would be switched off by the first region that met it).

Skipped, saying why, where nginx or openssl is not installed.
"""

from __future__ import annotations

import pytest

from dashboard.sessions import COOKIE
from tests.browser.conftest import PASSWORD, USER, settle, sign_in, wait_for_app
from tests.browser.test_pages import CHARTS_DRAWN
from tests.deploy.proxy import running_proxy, tools

PAGES = ["", "kuntavertailu", "osallistumiset", "jatkopolut", "hankkeet", "tietoa", "kirjaudu",
         "?lang=sv", "?present=1&slide=1", "?present=1&slide=4"]  # fmt: skip
RECORD_VIOLATIONS = """window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));"""


@pytest.fixture(scope="module")
def proxy(upload_app, tmp_path_factory: pytest.TempPathFactory):
    tools()
    _, url = upload_app
    with running_proxy(url, tmp_path_factory.mktemp("browser-proxy")) as running:
        yield running


def test_every_page_draws_through_the_proxy_with_nothing_blocked(browser, proxy):
    # ignore_https_errors: the proxy's certificate is a throwaway self-signed one
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="fi-FI", ignore_https_errors=True
    )
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(30_000)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        for path in PAGES:
            page.goto(f"{proxy.https}/{path}")
            wait_for_app(page)
            assert page.evaluate(CHARTS_DRAWN), path
            blocked += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
        sign_in(page, proxy.https, USER, PASSWORD)
        cookies = {c["name"]: c for c in context.cookies()}
        page.reload()  # the sign-in cookie is set by an inline script: it must survive the policy
        page.get_by_text("Kirjautuneena:").first.wait_for()
        settle(page)
        blocked += page.evaluate("window.__csp")
    finally:
        context.close()

    assert blocked == [], blocked
    assert cookies[COOKIE]["secure"], cookies  # over https the sign-in cookie is Secure
