"""The real app in a real browser: the overview shows the published VALPAS 2 figures."""

from __future__ import annotations

from tests.browser.conftest import screenshot, start_app, wait_for_app


def test_overview_shows_computed_headline(page, app_url):
    page.goto(app_url)
    wait_for_app(page)

    body = page.locator("body").inner_text()
    assert "84 asiakasta 128:sta (66\u00a0%) löysi jatkopolun." in body  # Babel: no-break space before %
    participations = page.locator('[data-testid="stMetric"]').all_inner_texts()[-1]
    assert "1\u202f259" in participations  # thousands grouped by a narrow no-break space
    assert "Esittelyaineisto" in body  # the demo notice
    screenshot(page, "overview-fi")


def test_a_shared_link_is_the_first_request_of_a_new_server(page, demo_warehouse, tmp_path):
    """A link to a page opened right after the server starts shows that page, and no "Page not found"."""
    process, url = start_app(demo_warehouse, tmp_path / "streamlit.log")
    try:
        page.goto(f"{url}/kuntavertailu?lang=sv")
        wait_for_app(page)
        assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "Kommunjämförelse"
        assert page.get_by_text("Page not found").count() == 0, screenshot(page, "first-request")
    finally:
        process.terminate()
        process.wait(timeout=15)
