"""What a person sees on every page, in a real browser: real figures, whole-page screenshots, no chart text
cut off, no accessibility violations of any impact (axe), and the theme of streamlit_config.toml in effect.

Screenshots land in artifacts/screenshots/page-<name>-<lang>.png, each of the whole page, to be looked at.
"""

from __future__ import annotations

import tomllib

import pytest

from tests.browser.conftest import ROOT, screenshot, settle, wait_for_app

NNBSP, NBSP = "\u202f", "\u00a0"  # Babel: narrow no-break space groups thousands, no-break space before %
WIDTH, MAX_HEIGHT = 1400, 8000

# (url path, page name, language, texts the main area must show, table rows the grids must hold)
CASES = [
    ("", "overview", "fi", ["Yleiskatsaus", f"84 asiakasta 128:sta (66{NBSP}%) löysi jatkopolun.",
                            f"84 (66{NBSP}%)", f"44 (34{NBSP}%)", f"1{NNBSP}259", "Esittelyaineisto"], []),
    ("kuntavertailu", "municipalities", "fi",
     ["Kuntavertailu", "Kittilä", "Posio", "Raahe", "Ylivieska", "Lapin hyvinvointialue", f"65,6{NBSP}%"],
     [["Raahe", "40", "26"], ["Yhteensä", "128", "84"]]),
    ("osallistumiset", "participations", "fi",
     ["Ammattilaisten osallistumiset", f"1{NNBSP}259", "Lapin hyvinvointialue",
      "VALPAS 2 -hankkeen loppuseminaari"],
     [["Lapin hyvinvointialue", "670"], ["Pohjois-Pohjanmaan hyvinvointialue", "589"]]),
    ("jatkopolut", "pathways", "fi",
     ["Jatkopolut", "Palkkatyö tai yrittäjyys (32)", "Koulutus (15)", "Ohjattu muuhun tukeen (36)",
      "CO01", "CO03", "CR01", "CR04"],
     [["Löysi jatkopolun", "84"], ["Yhteensä", "128"]]),
    ("tietoa", "about", "fi",
     ["Tietoa aineistosta", "Esittelyaineisto", "Julkaistut luvut ja lasketut luvut"],
     [["Jatkopolun löytäneiden osuus", f"64{NBSP}%", f"65,6{NBSP}%", "✗ Eroaa"],
      ["Asiakkaat", "128", "128", "✓ Täsmää"]]),
    ("?lang=sv", "overview", "sv", ["Översikt", f"84 av 128 klienter (66{NBSP}%) hittade en fortsatt väg.",
                                    f"1{NNBSP}259", "Demodata"], []),
    ("?lang=en", "overview", "en", ["Overview", "84 of 128 clients (66%) found a pathway onward.", "1,259",
                                    "Demo data"], []),
    ("jatkopolut?lang=sv", "pathways", "sv",
     ["Fortsatta vägar", "Lönearbete eller företagande (32)", "Utbildning (15)", "CO01", "CR01"], []),
    ("jatkopolut?lang=en", "pathways", "en",
     ["Pathway outcomes", "Employment or entrepreneurship (32)", "Education (15)", "CO01", "CR01"], []),
]  # fmt: skip

CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stMain"] .stPlotlyChart')]
  .filter(c => c.offsetParent !== null).every(c => c.querySelector('.main-svg'))"""
# Legend entries and axis labels that stick out of their legend box or their chart, where the SVG cuts
# them off (as it did when the chart font was invalid CSS: measured in one font, drawn in another).
CLIPPED = """() => {
  const out = [];
  for (const chart of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    const svg = chart.querySelector('.main-svg').getBoundingClientRect();
    for (const legend of chart.querySelectorAll('.legend')) {
      const box = legend.querySelector('.bg').getBoundingClientRect();
      for (const t of legend.querySelectorAll('.legendtext')) {
        const r = t.getBoundingClientRect();
        if (r.right > box.right + 1) out.push(`legend "${t.textContent}" ${r.right - box.right} px`);
      }
    }
    for (const t of chart.querySelectorAll('.xtick text, .ytick text, .g-xtitle text, .g-ytitle text')) {
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < svg.left - 1 || r.right > svg.right + 1))
        out.push(`axis "${t.textContent}" from ${r.left - svg.left} to ${r.right - svg.left} px`);
    }
  }
  return out;
}"""
# The tables are static HTML tables (st.table): their cells hold the text the reader sees ("65,6 %").
GRID_ROWS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stTable"] tr')]
  .map(tr => [...tr.querySelectorAll('td, th')].map(c => c.textContent.trim()))"""


def open_page(page, app_url: str, path: str) -> None:
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)
    page.wait_for_function(CHARTS_DRAWN)
    settle(page)  # a loaded machine may still be drawing the tables below the charts


def show_whole_page(page) -> None:
    """Make the window as tall as the page: Streamlit scrolls inside its main area, so a full-page
    screenshot would otherwise show only the first screen."""
    for _ in range(4):  # again until the page stops growing (tables below the fold may still arrive)
        height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        height = min(max(height, 1000), MAX_HEIGHT)
        if height == page.viewport_size["height"]:
            break
        page.set_viewport_size({"width": WIDTH, "height": height})
        settle(page)
        page.wait_for_function(CHARTS_DRAWN)
        page.wait_for_timeout(500)  # Plotly redraws after the resize


def contains_row(rows: list[list[str]], expected: list[str]) -> bool:
    """True when a row starts with the expected cells (the first cell of a grid row may be its index)."""
    return any(row[i : i + len(expected)] == expected for row in rows for i in range(2))


@pytest.mark.parametrize(
    ("path", "name", "lang", "texts", "rows"), CASES, ids=[f"{c[1]}-{c[2]}" for c in CASES]
)
def test_page_shows_the_computed_figures(page, app_url: str, path, name, lang, texts, rows) -> None:
    open_page(page, app_url, path)
    show_whole_page(page)
    shot = screenshot(page, f"page-{name}-{lang}")
    main = page.locator('[data-testid="stMain"]')
    body = main.inner_text()
    missing = [t for t in texts if t not in body]
    assert not missing, f"{name} ({lang}) does not show {missing}; see {shot}"
    assert "Traceback" not in body and not page.locator('[data-testid="stException"]').count()
    grid = page.evaluate(GRID_ROWS)
    absent = [r for r in rows if not contains_row(grid, r)]
    assert not absent, f"{name} ({lang}): no table row {absent}; see {shot}"
    assert page.evaluate(CLIPPED) == [], f"{name} ({lang}): chart text cut off; see {shot}"
    # the whole page is in the picture: the footer below the last element is inside the window
    footer = main.locator('[data-testid="stCaptionContainer"]').last.bounding_box()
    assert footer and footer["y"] + footer["height"] <= page.viewport_size["height"], f"{shot} is cut short"


# ---- accessibility (axe-core through axe-playwright-python) ----

AXE_PAGES = ["", "kuntavertailu", "osallistumiset", "jatkopolut", "tietoa", "kirjaudu", "?present=1",
             "?present=1&slide=2", "?present=1&slide=5", "?lang=sv"]  # fmt: skip
# Every violation counts, of any impact (minor and moderate too), but these, each on one element only:
# {rule id: (CSS selector of the one element it may fire on, why)}. The element is found by the stable
# data-testid, not by axe's target selector (Streamlit's hashed class names change between versions).
EXCEPTIONS: dict[str, tuple[str, str]] = {
    # Streamlit's own markup, which no argument of st.file_uploader changes: the drop area is react-dropzone's
    # root (<section role="presentation" tabindex="-1">) to which Streamlit adds aria-label, a global ARIA
    # attribute, so the presentational role is overridden (minor). The controls inside are named: the
    # button and the file input (aria-label).
    "presentation-role-conflict": (
        '[data-testid="stFileUploaderDropzone"]',
        "Streamlit's file drop area: role=presentation from react-dropzone plus Streamlit's aria-label",
    ),
    # Ours (issue 12 item 4): the drop area's button shows "Valitse tiedosto" as CSS generated content in
    # place of Streamlit's English "Upload". Chromium names the button by it (test_upload_box reads the
    # name from the browser's accessibility tree), as the accname spec says (step 2F.ii), but axe-core
    # leaves CSS content out of names (dequelabs/axe-core#3767, open). Only that one button.
    "button-name": (
        '[data-testid="stFileUploaderDropzone"] button',
        "named by CSS generated content, which axe-core does not read",
    ),
}
EXCEPTED = """([target, selector]) => { const e = document.querySelector(target);
  return !!e && e.matches(selector); }"""


def violations(response: dict, page=None) -> list[str]:
    """Return every violation as lines (id, impact, help, targets), less the ``EXCEPTIONS`` on ``page``."""
    lines = []
    for v in response["violations"]:
        nodes = [n["target"] for n in v["nodes"]]
        if v["id"] in EXCEPTIONS and page is not None:
            selector = EXCEPTIONS[v["id"]][0]
            nodes = [n for n in nodes if not (len(n) == 1 and page.evaluate(EXCEPTED, [n[0], selector]))]
        if nodes:
            why = " ".join(v["nodes"][0].get("failureSummary", "").split())[:300]
            shown = [" ".join(n) for n in nodes]
            lines.append(f"{v['id']} ({v['impact']}): {v['help']}\n    nodes: {shown}\n    first: {why}")
    return lines


@pytest.mark.parametrize("path", AXE_PAGES, ids=[p or "overview" for p in AXE_PAGES])
def test_no_accessibility_violations(page, app_url: str, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    open_page(page, app_url, path)
    show_whole_page(page)  # axe leaves out what its scrolling container hides (as "incomplete")
    if path == "kirjaudu":  # the sign-in page is a link in the navigation, not only a URL
        assert page.locator('[data-testid="stTopNavLink"][href$="/kirjaudu"]').count() == 1
    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"
    found = violations(results.response, page)
    assert not found, f"axe on /{path}:\n" + "\n".join(found)


def test_axe_reports_what_it_should(page, app_url: str) -> None:
    """The check above can fail: a low-contrast caption, an unlabelled button and an h4 after the h1."""
    from axe_playwright_python.sync_playwright import Axe

    open_page(page, app_url, "")
    show_whole_page(page)
    page.evaluate("""() => document.querySelector('[data-testid="stMainBlockContainer"]')
      .insertAdjacentHTML('afterbegin', '<p style="color:#BBBBBB">huono kontrasti</p><button></button>')""")
    page.evaluate("""() => document.querySelector('[data-testid="stMain"] h1')
      .insertAdjacentHTML('afterend', '<h4>väliotsikko</h4>')""")
    found = "\n".join(violations(Axe().run(page).response, page))
    assert "color-contrast" in found and "button-name" in found and "heading-order" in found, found


# ---- the theme of streamlit_config.toml, as `make run` starts the app (streamlit run from the root) ----

COLOURS = """() => { const c = (s, p) => getComputedStyle(document.querySelector(s))[p];
  return {background: c('[data-testid="stApp"]', 'backgroundColor'),
          sidebar: c('[data-testid="stSidebar"]', 'backgroundColor'),
          text: c('[data-testid="stMain"] h1', 'color'),
          primary: c('.st-key-w_lang button[data-selected="true"] p', 'color')}; }"""


def rgb(colour: str) -> str:
    """``#RRGGBB`` as the browser's computed ``rgb(r, g, b)``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_the_configured_theme_is_in_effect(page, app_url: str) -> None:
    link = ROOT / ".streamlit" / "config.toml"
    assert link.is_symlink() and link.resolve() == (ROOT / "streamlit_config.toml").resolve()
    theme = tomllib.loads((ROOT / "streamlit_config.toml").read_text(encoding="utf-8"))["theme"]
    open_page(page, app_url, "")
    seen = page.evaluate(COLOURS)
    assert seen == {
        "background": rgb(theme["backgroundColor"]),
        "sidebar": rgb(theme["secondaryBackgroundColor"]),
        "text": rgb(theme["textColor"]),
        "primary": rgb(theme["primaryColor"]),  # the selected language, drawn in the accent colour
    }
