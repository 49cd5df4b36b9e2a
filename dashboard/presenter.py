"""Presenter mode (esitystila): ``?present=1`` on any page shows the summary slides for a seminar hall.

Streamlit has no presenter mode, so it is built from the URL and one CSS block: the sidebar, header and
toolbar are hidden, type is scaled to the window (body text 24 px or more), colours are near-black on
white (WCAG AAA), and the slide number is in the URL (``slide=N``, from 1) so a presenter can rehearse,
share and resume. The arrow keys step through the slides and Esc ends the show (the buttons' own
keyboard shortcuts), a clicker's PageDown / PageUp too; the buttons serve a mouse or a touch screen.
"""

from __future__ import annotations

import html
import string

import streamlit as st

from dashboard import theme
from dashboard.builders import Built, View
from dashboard.export import images, slides
from dashboard.export.slides import Slide
from dashboard.export.stamp import stamp as stamp_of
from dashboard.i18n import I18n

PARAM, SLIDE = "present", "slide"
ON = ("1", "true", "yes")
BODY_KEY = "present_body"
SHORT = 24  # characters: a text column no longer than this keeps its cells on one line
CHART_FONT = 24  # px: what a 1280-1920 px wide projector shows from the back of a hall

CSS = string.Template("""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stMainMenu"], [data-testid="stAppDeployButton"] { display: none !important; }
[data-testid="stApp"], [data-testid="stMain"] { background: #FFFFFF; color: $text; }
[data-testid="stMain"] { overflow: hidden; }
[data-testid="stMain"]:focus-visible::before { display: none; }  /* its focus ring: nothing to scroll here */
[data-testid="stMainBlockContainer"] { padding: 1.5vh 3vw 1.5vh 3vw !important; max-width: 100% !important;
  height: 100vh; box-sizing: border-box; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { height: 100%; gap: 0.6rem; }
[data-testid="stLayoutWrapper"]:has(> .st-key-present_body) { flex: 1 1 0; min-height: 0; }
.st-key-present_body { height: 100% !important; min-height: 0; overflow: hidden; }
.present-caption, .present-footer { font-size: clamp(20px, 1.3vw, 26px); color: #444444; line-height: 1.3; }
.present-footer { font-size: clamp(20px, 1.1vw, 22px); }  /* >= 20 px at 1280x720: read from the back */
.present-legend { font-size: clamp(20px, 1.3vw, 26px); color: $text; line-height: 1.25; margin: 0; }
.present-title { font-size: clamp(34px, 3.1vw, 62px); font-weight: 700; line-height: 1.15; color: $text;
  margin: 0.2vh 0 0 0; }
.present-message { font-size: clamp(24px, 2.05vw, 42px); line-height: 1.3; color: $text;
  margin: 0.6vh 0 0 0; }
.st-key-present_body:has(.present-metrics) { justify-content: center; padding-bottom: 6vh; }
.present-metrics { display: flex; justify-content: space-between; gap: 2vw; }
.present-metric { flex: 1; text-align: center; }
.present-metric .value { font-size: clamp(56px, 6.2vw, 124px); font-weight: 700; color: #005A8C;
  line-height: 1.05; white-space: nowrap; }
.present-metric .share { font-size: clamp(26px, 2.3vw, 46px); color: $text; }
.present-metric .label { font-size: clamp(24px, 1.9vw, 38px); color: $text; margin-top: 1vh; }
.present-table { border-collapse: collapse; width: 100%; font-size: clamp(24px, 1.55vw, 31px);
  color: $text; }
.present-table { line-height: 1.2; }
.present-table th { text-align: left; border-bottom: 3px solid $text; padding: 0.3vh 0.6vw;
  vertical-align: bottom; }
.present-table td { border-bottom: 1px solid #8A8A8A; padding: 0.4vh 0.6vw; vertical-align: top; }
.present-table td.num, .present-table th.num { text-align: right; }
.present-table td.num, .present-table td.short { white-space: nowrap; }
.st-key-present_nav button { min-height: 44px; }
.st-key-present_nav button p { font-size: clamp(18px, 1.3vw, 26px); }
</style>
""").substitute(text=theme.TEXT)
# Presentation clickers send PageDown / PageUp: click the same buttons (the arrows are the buttons' own
# shortcuts). Added once per browser tab; a no-op when no slide is shown.
CLICKER = """
<script>
if (!window.presenterClicker) {
  window.presenterClicker = true;
  document.addEventListener("keydown", (event) => {
    const key = {PageDown: "present_next", PageUp: "present_previous"}[event.key];
    const button = key && document.querySelector(`.st-key-${key} button`);
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  });
}
</script>
"""


def requested() -> int | None:
    """Return the slide asked for (0-based) when the URL asks for presenter mode, else None.

    Call it before the sidebar writes the filters to the URL (that rewrite drops these two parameters).
    """
    if st.query_params.get(PARAM, "").lower() not in ON:
        return None
    try:
        return max(int(st.query_params.get(SLIDE, "0")) - 1, -1)  # -1: open at the page's own slide
    except ValueError:
        return -1


def _go(index: int) -> None:
    st.query_params[PARAM], st.query_params[SLIDE] = "1", str(index + 1)


def start() -> None:
    """Switch to presenter mode at the current page's slide (a button callback)."""
    st.query_params[PARAM] = "1"


def stop() -> None:
    """Leave presenter mode (a button callback); the filters stay in the URL."""
    for name in (PARAM, SLIDE):
        if name in st.query_params:
            del st.query_params[name]


def _metrics_html(s: Slide) -> str:
    items = []
    for m in s.metrics:
        main, _, rest = m.value.partition(" (")
        share = f"({html.escape(rest)}" if rest else "&nbsp;"  # an empty line keeps the labels aligned
        label = html.escape(m.label)
        items.append(f'<div class="present-metric"><div class="value">{html.escape(main)}</div>'
                     f'<div class="share">{share}</div><div class="label">{label}</div></div>')  # fmt: skip
    return f'<div class="present-metrics">{"".join(items)}</div>'


def table_html(b: Built, tr: I18n) -> str:
    """Return a built table as a plain HTML table (escaped text; numbers aligned right)."""
    table = b.text_table(tr)
    kinds = [c.kind for c in b.columns.values()]
    numeric = [k in ("count", "number", "share") for k in kinds]
    # a short text column ("kaikki osallistujat") stays on one line; the long ones wrap around it
    short = [max((len(v) for v in table[c].to_list()), default=0) <= SHORT for c in table.columns]
    kind = ["num" if n else "short" if s else "" for n, s in zip(numeric, short, strict=True)]
    head = "".join(f'<th class="{k}">{html.escape(h)}</th>' for k, h in zip(kind, table.columns, strict=True))
    rows = []
    for row in table.iter_rows():
        cells = (f'<td class="{k}">{html.escape(v)}</td>' for k, v in zip(kind, row, strict=True))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="present-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _body(s: Slide, tr: I18n) -> None:
    """Fill the slide's fixed-height body (sized by the CSS to the window) with numbers, chart or table."""
    with st.container(key=BODY_KEY, height=420, border=False):
        if s.metrics:
            st.html(_metrics_html(s))
        elif s.built is not None and s.built.chart is not None:
            fig = images.presentation(s.built.chart, font_size=CHART_FONT)
            # the legend at the very top, so the first row's label above its marker has room below it
            fig.update_layout(height=None, margin={"t": 90, "b": 0},
                              legend={"yref": "container", "y": 1, "yanchor": "top"})  # fmt: skip
            st.plotly_chart(fig, height="stretch", theme=None, config={"displayModeBar": False}, alt=s.title,
                            key="present_chart")  # fmt: skip
        elif s.built is not None:
            st.html(table_html(s.built, tr))


def _nav(index: int, n: int, tr: I18n, footer: str) -> None:
    with st.container(horizontal=True, key="present_nav", vertical_alignment="center", wrap=False):
        st.button(tr.t("present.previous"), icon=":material/arrow_back:", on_click=_go, args=(index - 1,),
                  disabled=index == 0, shortcut="Left", key="present_previous")  # fmt: skip
        st.button(tr.t("present.next"), icon=":material/arrow_forward:", on_click=_go, args=(index + 1,),
                  disabled=index >= n - 1, shortcut="Right", key="present_next", type="primary")  # fmt: skip
        position = html.escape(tr.t("present.position", n=index + 1, total=n))
        st.html(f'<div class="present-caption">{position}</div>', width="content")
        st.html(f'<div class="present-footer">{html.escape(footer)}</div>', width="stretch")
        st.button(
            tr.t("present.exit"), icon=":material/close:", on_click=stop, shortcut="Esc", key="present_exit"
        )


def show(view: View, asked: int, start: int) -> None:
    """Show slide ``asked`` full-screen (below 0: the page's ``start``): title, message, body, buttons."""
    tr = view.tr
    index = asked if asked >= 0 else start
    s, n = slides.slide(view, index)
    index = min(max(index, 0), n - 1)
    _go(index)  # the sidebar rewrote the URL: put the presenter's place back
    stamp = stamp_of(view)
    st.html(CSS)
    st.html(f'<div class="present-caption">{html.escape(stamp.filters)}</div>'
            f'<h1 class="present-title">{html.escape(s.title)}</h1>'
            f'<p class="present-message">{html.escape(s.message)}</p>{CLICKER}',
            unsafe_allow_javascript=True)  # our own script; every text above is escaped  # fmt: skip
    _body(s, tr)
    marks = slides.legend(s, tr, chart=s.built is not None and s.built.chart is not None)
    if marks:  # what '..', '*' and the whiskers mean, on the slide itself (issue 12 item 14)
        st.html(f'<p class="present-legend">{html.escape(marks)}</p>')
    _nav(index, n, tr, f"{stamp.data_date} · {stamp.source}")
