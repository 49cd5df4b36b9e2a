"""A hostile filter value in a shared link is shown as text in a real browser: no link, no outside image."""

from __future__ import annotations

import urllib.parse
from urllib.parse import urlsplit

from tests.browser.conftest import settle, wait_for_app

HOSTILE = (
    "[Kirjaudu](https://evil.example/login) ![x](https://evil.example/pixel.png) <img src=//evil.example/i> "
    "www.evil.example tuki@evil.example :red[VAARA] :material/warning: $x^2$"
)


def test_a_hostile_link_value_makes_no_link_and_no_outside_image(page, app_url: str) -> None:
    fetched: list[str] = []
    page.on(
        "request", lambda r: fetched.append(r.url) if urlsplit(r.url).hostname == "evil.example" else None
    )
    page.goto(f"{app_url}/?municipality={urllib.parse.quote(HOSTILE)}")
    wait_for_app(page)
    settle(page)
    notice = page.locator('[data-testid="stAlertContentWarning"]', has_text="municipality=")
    assert notice.count() == 1
    shown = notice.inner_text().replace("\u2060", "")  # the word joiners that break autolinks
    assert HOSTILE in shown  # as written, to the last character
    # the Markdown became one paragraph of text: no link, image, icon, colour or formula element in it
    assert notice.locator('[data-testid="stMarkdownContainer"] *').count() == 1
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    assert fetched == []
