"""Presenter mode in a real browser: every slide fits a 1280x720 and a 1920x1080 screen, keys step through.

Screenshots land in artifacts/screenshots/presenter-*.png, to be looked at. `make test` steps through the
slides in three of the six language and size pairs, each language and size at least once (``matrix``);
`make test-full` in all six.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from pptx import Presentation

from tests.browser.conftest import fresh_page, screenshot, wait_for_app

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
EXIT = {"fi": "Lopeta esitys", "sv": "Avsluta", "en": "End presentation"}
NO_SCROLL = "() => document.documentElement.scrollHeight <= window.innerHeight + 2"
MAIN_FITS = """() => { const m = document.querySelector('[data-testid="stMain"]');
  return m.scrollHeight <= m.clientHeight + 2 && m.scrollWidth <= m.clientWidth + 2; }"""


@pytest.fixture
def screen(browser, request):
    """A page at the size named by the test's ``size`` parameter."""
    with fresh_page(browser, *SIZES[request.param]) as page:
        yield page


def settle(page) -> None:
    """Wait for the rerun to finish and the chart (if any) to be drawn."""
    wait_for_app(page)
    page.wait_for_function("() => !document.querySelector('.st-key-present_body .stPlotlyChart') || "
                           "document.querySelector('.st-key-present_body .main-svg')")  # fmt: skip
    page.wait_for_timeout(300)


def slide_of(page) -> str:
    match = re.search(r"[?&]slide=(\d+)", page.url)
    return match.group(1) if match else ""


def assert_fits(page, where: str) -> None:
    assert page.evaluate(NO_SCROLL), f"{where}: the page scrolls"
    assert page.evaluate(MAIN_FITS), f"{where}: the slide overflows its screen"
    assert page.locator(".present-title").is_visible()
    assert page.get_by_role("button", name=re.compile("|".join(EXIT.values()))).is_visible()


# Every element of the slide body inside the body: the body (overflow hidden) and any inner frame that
# clips or scrolls (a table frame, a chart's box) show all they hold, and no table, row or chart sticks out.
BODY_CUT = """() => { const body = document.querySelector('.st-key-present_body');
  const box = body.getBoundingClientRect(), cut = [];
  const name = e => `${e.tagName.toLowerCase()}.${String(e.className.baseVal ?? e.className).split(' ')[0]}`;
  for (const e of [body, ...body.querySelectorAll('*')]) {
    const s = getComputedStyle(e);
    const clips = e === body || s.overflowX !== 'visible' || s.overflowY !== 'visible';
    if (clips && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1))
      cut.push(`${name(e)} holds ${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight}`);
  }
  for (const e of body.querySelectorAll('table, tr, .present-metric, .main-svg')) {
    const r = e.getBoundingClientRect();
    if (r.bottom > box.bottom + 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.left < box.left - 1)
      cut.push(`${name(e)} ends at ${Math.round(r.right)},${Math.round(r.bottom)} ` +
               `outside ${Math.round(box.right)},${Math.round(box.bottom)}`);
  }
  return cut; }"""
SLIDES = 7  # headline, municipalities, participations, pathways, EU outputs, EU results, projects


def position(page) -> tuple[int, int]:
    """Return (slide, of how many) from the slide's own "Dia 5/7" caption."""
    n, total = re.findall(r"(\d+)/(\d+)", page.locator(".present-caption").nth(1).inner_text())[0]
    return int(n), int(total)


@pytest.mark.matrix(keep=3, cover=("lang", "screen"))  # make test: fi 720p, en 1080p and one in sv
@pytest.mark.parametrize("screen", list(SIZES), indirect=True)
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_slide_fits_uncut_and_the_arrow_keys_step(screen, app_url: str, request, lang: str) -> None:
    """Each slide in each language and size shows all of its body: nothing cut by the body's frame.

    One page per language and size, stepped with the arrow key (a rerun, not a reload), keeps it cheap.
    """
    size = request.node.callspec.params["screen"]
    page, where = screen, f"{lang} {size}"
    page.goto(f"{app_url}/?present=1&lang={lang}")
    settle(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stHeader"]').is_visible()
    message = page.locator(".present-message")
    assert float(message.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 24
    for small in (".present-caption", ".present-footer"):  # read from the back of a hall (issue 12 item 14)
        size_px = page.locator(small).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert float(size_px) >= 20, f"{small} is {size_px} px"
    value = page.locator(".present-metric .value").first
    assert float(value.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 56
    assert "128" in page.locator(".present-metrics").inner_text()
    assert position(page) == (1, SLIDES)
    for n in range(1, SLIDES + 1):
        assert slide_of(page) == str(n) and position(page) == (n, SLIDES)
        assert_fits(page, f"slide {n} in {where}")
        assert page.get_by_role("button", name=re.compile(EXIT[lang])).is_visible()
        for cell in page.locator(".present-table td, .present-table th").all()[:3]:  # 20 px at least
            assert float(cell.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20, where
        cut = page.evaluate(BODY_CUT)
        assert not cut, f"slide {n} ({page.locator('.present-title').inner_text()}) in {where}: {cut}"
        screenshot(page, f"presenter-{size}-{'' if lang == 'fi' else f'{lang}-'}slide{n}")
        if n < SLIDES:
            page.locator(".present-title").click()  # focus the app, as a presenter's click would
            page.keyboard.press("ArrowRight")
            page.wait_for_function(f"() => /[?&]slide={n + 1}(&|$)/.test(location.search)")
            settle(page)
    if lang != "fi":
        return
    for key, expected in (("ArrowLeft", 6), ("PageUp", 5), ("PageDown", 6)):  # PageUp/Down: a clicker
        page.keyboard.press(key)
        page.wait_for_function(f"() => /[?&]slide={expected}(&|$)/.test(location.search)")
        settle(page)
    page.keyboard.press("Escape")
    page.wait_for_function("() => !/[?&]present=/.test(location.search)")
    wait_for_app(page)
    assert page.locator('[data-testid="stSidebar"]').is_visible()


@pytest.mark.parametrize("screen", ["720p"], indirect=True)
def test_the_sidebar_button_starts_presenter_mode(screen, app_url: str) -> None:
    page = screen
    page.goto(f"{app_url}/kuntavertailu?municipality=678")
    wait_for_app(page)
    page.get_by_role("button", name=re.compile("Esitystila")).click()
    page.wait_for_function("() => /[?&]present=1/.test(location.search)")
    settle(page)
    assert slide_of(page) == "2"  # the municipality page opens at its own slide
    assert "Kunta: Raahe" in page.locator(".present-caption").first.inner_text()
    assert_fits(page, "started from the sidebar")


@pytest.mark.parametrize("screen", ["720p"], indirect=True)
@pytest.mark.parametrize(("lang", "whisker"), [("fi", "Viiksi"), ("sv", "Strecket"), ("en", "Whisker")])
def test_the_marks_legend_is_on_the_slide_and_large(screen, app_url: str, lang: str, whisker: str) -> None:
    page = screen
    page.goto(f"{app_url}/?present=1&lang={lang}&slide=2")  # the municipality chart: whiskers and '*'
    settle(page)
    legend = page.locator(".present-legend")
    assert legend.is_visible() and legend.inner_text().startswith(whisker) and "* = " in legend.inner_text()
    size_px = float(legend.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert size_px >= 20, f"the legend is {size_px} px"
    box, body = legend.bounding_box(), page.locator(".st-key-present_body").bounding_box()
    assert box is not None and body is not None and box["y"] >= body["y"] + body["height"] - 1  # under it
    assert_fits(page, f"{lang} slide 2 with its legend")
    screenshot(page, f"presenter-720p-{lang}-legend")


@pytest.mark.parametrize("screen", ["1080p"], indirect=True)
def test_the_summary_deck_is_made_with_progress_then_downloads(screen, app_url: str) -> None:
    page = screen
    page.goto(f"{app_url}/")
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    start = time.perf_counter()
    sidebar.get_by_role("button", name="PowerPoint", exact=True).click()
    ready = sidebar.get_by_role("button", name="Lataa VALPAS2_2023Q3.pptx")
    ready.wait_for(timeout=60_000)
    seconds = time.perf_counter() - start
    assert f"Valmis: {SLIDES} diaa" in sidebar.inner_text()  # the progress bar's last word
    with page.expect_download() as download:
        ready.click()
    data = Path(download.value.path()).read_bytes()
    assert len(Presentation(io.BytesIO(data)).slides) == SLIDES
    print(f"deck made in the browser in {seconds:.1f} s")  # shown with -s; the benchmark is benchmarks.deck
    screenshot(page, "summary-deck-ready")
