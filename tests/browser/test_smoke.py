"""The real app in a real browser: the overview shows the published VALPAS 2 figures."""

from __future__ import annotations

from tests.browser.conftest import screenshot, wait_for_app


def test_overview_shows_computed_headline(page, app_url):
    page.goto(app_url)
    wait_for_app(page)

    body = page.locator("body").inner_text()
    assert "84 asiakasta 128:sta (66\u00a0%) löysi jatkopolun." in body  # Babel: no-break space before %
    participations = page.locator('[data-testid="stMetric"]').all_inner_texts()[-1]
    assert "1\u202f259" in participations  # thousands grouped by a narrow no-break space
    assert "Esittelyaineisto" in body  # the demo notice
    screenshot(page, "overview-fi")
