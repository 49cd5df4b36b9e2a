"""Nothing the browser loads leaves the server: no font host, no CDN (issue 11 item 14).

A closed network blocks such requests, and each one tells a third party a visitor's address. Every
request and websocket of every page (each view in fi, sv and en, the five slides, sign-in, upload and
history signed in) is recorded; one to another host is aborted (so none ever leaves this machine) and
fails the test.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.conftest import PASSWORD, USER, settle, sign_in, wait_for_app

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about"}
PAGES = ["", "kuntavertailu", "osallistumiset", "jatkopolut", "hankkeet", "tietoa", "kirjaudu",
         "?lang=sv", "tietoa?lang=sv", "?lang=en", "jatkopolut?lang=en",
         *(f"?present=1&slide={n}" for n in range(1, 8))]  # fmt: skip


def is_local(url: str) -> bool:
    """Say whether a URL stays on this machine (or in the page itself)."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


def test_is_local_tells_the_font_host_from_the_app():
    assert is_local("http://127.0.0.1:8501/static/media/MaterialSymbols-Rounded.woff2")
    assert is_local("ws://localhost:8501/_stcore/stream")
    assert is_local("data:image/svg+xml;base64,PHN2Zz4=")
    assert not is_local("https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/x/24px.svg")
    assert not is_local("https://127.0.0.1.example.org/")


def test_no_page_fetches_anything_from_another_host(browser, upload_app):
    _, url = upload_app
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fi-FI")
    seen: list[str] = []
    outside: list[str] = []
    context.route(lambda u: not is_local(u), lambda route: (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("request", lambda r: seen.append(r.url))
    page.on("websocket", lambda ws: seen.append(ws.url))
    try:
        for path in PAGES:
            page.goto(f"{url}/{path}")
            wait_for_app(page)
        sign_in(page, url, USER, PASSWORD)
        for name in ("Lataa tiedosto", "Lataushistoria"):
            page.goto(f"{url}/kirjaudu")
            wait_for_app(page)
            main = page.locator('[data-testid="stMain"]')
            main.get_by_role("link", name=name).first.click()
            main.locator("h1", has_text=name).wait_for()
            settle(page)
        page.wait_for_timeout(1_000)  # a favicon or a lazy font is fetched after the page has settled
        favicon = page.locator("link[rel~='icon']").first.get_attribute("href")
    finally:
        context.close()

    assert any("/_stcore/stream" in u for u in seen), "the recording missed the app's own websocket"
    assert any(u.endswith(".woff2") for u in seen), "the recording missed the fonts, which are local"
    assert sorted({u for u in seen if not is_local(u)}) == [], "the browser fetched from another host"
    assert outside == []
    assert favicon is not None and is_local(favicon), favicon
