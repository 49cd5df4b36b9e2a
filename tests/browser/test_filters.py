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


def drag(page, thumb: int, dx: float) -> None:
    """Drag one handle of the quarter range with the mouse by ``dx`` pixels, in small steps as a hand does."""
    handle = page.locator(f"{THUMBS} >> xpath=../..").nth(thumb)  # the visible knob around the input
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + dx * step / 10, y)
        page.wait_for_timeout(30)
    page.mouse.up()
    page.wait_for_timeout(800)
    settle(page)


def test_a_dragged_handle_stays_where_it_is_dropped(page, app_url: str) -> None:
    """Issue 12 item 1: both handles snapped back to 2020Q1-2023Q3 after every drag."""
    page.goto(f"{app_url}/osallistumiset")
    wait_for_app(page)
    thumbs = page.locator(THUMBS)
    track = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] [role="group"]').bounding_box()
    per_quarter = track["width"] / 14  # 15 quarters, 2020Q1..2023Q3
    drag(page, 0, 4 * per_quarter)  # -> 2021Q1
    drag(page, 1, -5 * per_quarter)  # -> 2022Q2
    page.wait_for_timeout(1500)  # a snap-back came with the rerun after the drop
    settle(page)
    screenshot(page, "filters-quarter-range-dragged")
    shown = [thumbs.nth(i).get_attribute("aria-valuetext") for i in range(2)]
    assert shown == ["2021Q1", "2022Q2"], shown
    query = parse_qs(urlparse(page.url).query)
    assert query["from"] == ["2021Q1"] and query["quarter"] == ["2022Q2"]
    assert "2021Q1–2022Q2" in page.locator('[data-testid="stMain"]').inner_text().replace(" ", "")
