"""Streamlit's "Skip to main content" link speaks the reader's language (it is English in Streamlit)."""

from __future__ import annotations

from tests.browser.conftest import settle, wait_for_app

LINK = '[data-testid="stSkipToContent"]'


def test_the_skip_link_is_in_the_readers_language_and_still_skips(page, app_url: str) -> None:
    for lang, text in (("fi", "Siirry pääsisältöön"), ("sv", "Hoppa till huvudinnehållet")):
        page.goto(f"{app_url}/kuntavertailu?lang={lang}")
        wait_for_app(page)
        link = page.locator(LINK)
        assert link.text_content() == text, lang
        assert page.get_by_role("link", name=text, exact=True).count() == 1
        assert page.get_by_text("Skip to main content").count() == 0
    page.keyboard.press("Tab")  # still the first Tab stop; Enter moves the focus to the main area
    assert page.evaluate("() => document.activeElement.dataset.testid") == "stSkipToContent"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.dataset.testid") == "stMain"
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()  # a rerun, no reload
    settle(page)
    page.wait_for_function(f"() => document.querySelector('{LINK}').textContent === 'Skip to main content'")
