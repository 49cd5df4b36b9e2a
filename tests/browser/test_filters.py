"""The sidebar filters as a person moves them in a real browser: a moved control stays where it was put."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.browser.conftest import screenshot, settle, wait_for_app

THUMBS = '[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]'
TOTAL = '[data-testid="stMetric"]:has-text("Osallistumiskertoja") [data-testid="stMetricValue"]'


def move(page, thumb: int, key: str, times: int) -> None:
    """Press an arrow key on one handle of the quarter range, letting each rerun finish."""
    for _ in range(times):
        page.locator(THUMBS).nth(thumb).focus()
        page.keyboard.press(key)
        page.wait_for_timeout(300)
        settle(page)


def test_the_quarter_range_stays_where_it_is_moved(page, app_url: str) -> None:
    page.goto(f"{app_url}/osallistumiset")
    wait_for_app(page)
    thumbs = page.locator(THUMBS)
    assert [thumbs.nth(i).get_attribute("aria-valuetext") for i in range(2)] == ["2020Q1", "2023Q3"]
    whole = page.locator(TOTAL).first.inner_text()
    move(page, 0, "ArrowRight", 4)  # 2020Q1 -> 2021Q1
    move(page, 1, "ArrowLeft", 3)  # 2023Q3 -> 2022Q4
    page.wait_for_timeout(1000)
    settle(page)
    screenshot(page, "filters-quarter-range-moved")
    assert [thumbs.nth(i).get_attribute("aria-valuetext") for i in range(2)] == ["2021Q1", "2022Q4"]
    query = parse_qs(urlparse(page.url).query)
    assert query["from"] == ["2021Q1"] and query["quarter"] == ["2022Q4"]
    assert "2021Q1–2022Q4" in page.locator('[data-testid="stMain"]').inner_text().replace(" ", "")
    assert page.locator(TOTAL).first.inner_text() != whole, "the figures follow the range"
