"""Every table fits its frame at 1400x900 in every language (issue 12 item 2): no column sits off to the
right, no header or cell is cut, and no chart's axis title runs out of its chart.

Each page is opened with its expanders open and each of its tabs shown in turn; the upload history is read
as a signed-in coordinator. Screenshots land in artifacts/screenshots/tables-<page>-<lang>.png. `make test`
opens every page in one language, each language at least once (``matrix``); `make test-full` all 18.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PASSWORD, USER, fresh_page, screenshot, settle, sign_in, wait_for_app
from tests.browser.test_pages import CHARTS_DRAWN, CLIPPED

pytestmark = pytest.mark.browser
SIGNED_IN = {"fi": "Kirjautuneena:", "sv": "Inloggad:", "en": "Signed in:"}
FRAMES = "[data-testid='stMain'] [data-testid='stTable'], [data-testid='stMain'] [data-testid='stDataFrame']"
LANGS = ["fi", "sv", "en"]
PAGES = {"overview": "", "municipalities": "kuntavertailu", "participations": "osallistumiset",
         "pathways": "jatkopolut", "projects": "hankkeet", "about": "tietoa"}  # fmt: skip

# A table is too wide for its frame when anything in it is wider than its own box and the rest is cut or
# scrolled away: the grid's scroller, the static table's wrapper, a header or a cell. The frame itself must
# also end inside the column or the page that holds it.
TOO_WIDE = """() => {
  const out = [];
  const frames = document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stDataFrame"], [data-testid="stMain"] [data-testid="stTable"]');
  for (const frame of frames) {
    if (!frame.getClientRects().length) continue;  // in a tab not shown now
    const name = [...frame.querySelectorAll('th')].slice(0, 3).map(t => t.textContent.trim()).join(' | ');
    const holder = frame.parentElement.closest(
      '[data-testid="stColumn"], [data-testid="stMainBlockContainer"]');
    const over = frame.getBoundingClientRect().right - holder.getBoundingClientRect().right;
    if (over > 1) out.push(`${name}: the frame ends ${Math.round(over)} px right of its column`);
    // the grid's own layers overlap its frame by design: only its scroller says whether columns are off
    const parts = frame.dataset.testid === 'stDataFrame' ? frame.querySelectorAll('.dvn-scroller')
      : [frame, ...frame.querySelectorAll('*')];
    for (const e of parts) {
      if (!e.clientWidth) continue;
      const excess = e.scrollWidth - e.clientWidth;
      if (excess > 1) {
        const cell = ['TH', 'TD'].includes(e.tagName);
        const what = cell ? `cell "${e.textContent.trim()}"` : e.className || e.tagName;
        out.push(`${name}: ${what} is ${excess} px wider than its box`);
      }
    }
  }
  return out;
}"""


def open_everything(page) -> list[str]:
    """Open every expander and show every tab in turn; return what is too wide or clipped on the way."""
    found: list[str] = []

    def look() -> None:
        for summary in page.locator('[data-testid="stMain"] [data-testid="stExpander"] summary').all():
            if summary.is_visible() and summary.evaluate("s => !s.parentElement.open"):
                summary.click()
        settle(page)
        page.wait_for_timeout(500)  # the grid sizes its columns after it is drawn
        found.extend(page.evaluate(TOO_WIDE))
        found.extend(page.evaluate(CLIPPED))

    look()
    for tab in page.locator('[data-testid="stMain"] [role="tab"]').all():
        tab.click()
        settle(page)
        look()
    return sorted(set(found))


@pytest.mark.matrix(keep=6, cover=("name", "lang"))  # make test: every page once, every language
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(PAGES))
def test_every_table_fits_its_frame(browser, app_url: str, name: str, lang: str) -> None:
    with fresh_page(browser, 1400, 900) as page:
        page.goto(f"{app_url}/{PAGES[name]}?lang={lang}")
        wait_for_app(page)
        page.wait_for_function(CHARTS_DRAWN)
        found = open_everything(page)
        shot = screenshot(page, f"tables-{name}-{lang}")
        assert found == [], f"{name} ({lang}), see {shot}:\n" + "\n".join(found)


@pytest.mark.parametrize("lang", LANGS)
def test_the_upload_history_fits_its_frame(browser, upload_app, lang: str) -> None:
    _, url = upload_app
    with fresh_page(browser, 1400, 900) as page:
        sign_in(page, url, USER, PASSWORD)
        page.goto(f"{url}/lataushistoria?lang={lang}")  # the sign-in outlasts a reload (its cookie)
        wait_for_app(page)
        page.get_by_text(SIGNED_IN[lang]).first.wait_for()
        settle(page)
        assert page.locator(f"{FRAMES}, [data-testid='stMain'] h1").count() >= 2, "no table on the page"
        found = open_everything(page)
        shot = screenshot(page, f"tables-history-{lang}")
        assert found == [], f"history ({lang}), see {shot}:\n" + "\n".join(found)


# Every cell that holds only a count, a share or the hidden mark (Finnish formats), in every table shown:
# aligned right.
LEFT_NUMBERS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stTable"] table')]
  .filter(t => t.getClientRects().length).flatMap(t => {
    const head = [...t.querySelectorAll('thead th')].slice(0, 2).map(th => th.textContent.trim()).join(' | ');
    return [...t.querySelectorAll('tbody td')]
      .filter(td => /^(\\d[\\d\\u00a0\\u202f]*(,\\d+)?(\\u00a0%)?|\\.\\.)$/.test(td.textContent.trim()))
      .filter(td => getComputedStyle(td).textAlign !== 'right')
      .map(td => `${head}: "${td.textContent.trim()}" aligns ${getComputedStyle(td).textAlign}`); })"""


@pytest.mark.parametrize("name", ["pathways", "projects"])
def test_numbers_align_right_in_turned_tables_too(browser, app_url: str, name: str) -> None:
    """The pathways by municipality and the projects are shown turned (one row per column): numbers right."""
    with fresh_page(browser, 1400, 900) as page:
        page.goto(f"{app_url}/{PAGES[name]}")
        wait_for_app(page)
        tables = page.locator("[data-testid='stMain'] [data-testid='stTable']")
        tables.first.wait_for(state="attached", timeout=90_000)  # drawn late on a loaded machine
        settle(page)
        assert tables.count() >= 1
        left = page.evaluate(LEFT_NUMBERS)
        assert not left, left
