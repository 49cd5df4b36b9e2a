"""Streamlit pieces the pages share: the page heading, metrics, and a built figure with its table."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import db
from dashboard.builders import Built, View
from dashboard.builders.common import Metric, describe, format_value
from dashboard.export import buttons
from dashboard.i18n import I18n

VIEW = "_view"
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


# Every ASCII punctuation mark may be backslash-escaped in CommonMark; escaped, none of them starts a link,
# an image, HTML, a colour directive (":red[...]") or LaTeX ("$...$"). Autolinks ("https://", "www.",
# "a@b.fi"), emoji and icon shortcodes (":material/x:") are found in the text after the escapes are gone,
# so an invisible word joiner (U+2060) after each ":", before each "@" and inside "www." breaks them.
_MARKDOWN_ACTIVE = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f\u2028\u2029]+")
JOINER = "\u2060"
_FOUND_IN_TEXT = re.compile(r"(?<=:)|(?=\\@)|(?<=www)(?=\\\.)", re.IGNORECASE)


# Streamlit draws its own "Skip to main content" link (the first Tab stop) in English whatever the
# language, as its upload box did: its text is set to ours, and again whenever Streamlit redraws it.
SKIP_LINK = """<script>
window.skipLinkText = %s;
if (!window.skipLinkFix) {
  window.skipLinkFix = () => {
    const link = document.querySelector('[data-testid="stSkipToContent"]');
    if (link && link.textContent !== window.skipLinkText) link.textContent = window.skipLinkText;
  };
  new MutationObserver(window.skipLinkFix).observe(document.body, {childList: true, subtree: true});
}
window.skipLinkFix();
</script>"""


def skip_link(tr: I18n) -> None:
    """Put Streamlit's skip link in the reader's language (a script: the link's text is a bare text node)."""
    text = json.dumps(tr.t("app.skip_to_content")).replace("<", "\\u003c")
    st.html(SKIP_LINK % text, unsafe_allow_javascript=True)  # our own script; the text is JSON-escaped


def plain(value: object) -> str:
    """Return untrusted text (a link value, a title, a file or account name) as Markdown shown as written."""
    escaped = _MARKDOWN_ACTIVE.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)))
    return _FOUND_IN_TEXT.sub(JOINER, escaped)


def plain_values(values: Mapping[str, object]) -> dict[str, object]:
    """Return a message's values with their text made plain (numbers stay numbers, for their formats)."""
    return {k: plain(v) if isinstance(v, str) else v for k, v in values.items()}


def set_view(view: View) -> None:
    """Hand this rerun's view to the page (app.py resolves it before the page runs)."""
    st.session_state[VIEW] = view


def view() -> View:
    """Return this rerun's view: filters, language and what the project offers."""
    return st.session_state[VIEW]


def cached(builder: Callable[..., Built], v: View, *args: object) -> Built:
    """Return ``builder(v, *args)``, built once per snapshot, filters, language and arguments.

    A warm rerun (a tab, a widget elsewhere, another reader of the same view) spent most of its time
    building the same Plotly figures and tables again (issue 12 item 17); the cached copy is a few ms to
    unpickle. A new snapshot is a new key, so its first viewer builds afresh.
    """
    name = f"{builder.__module__}.{builder.__qualname__}"
    return _built(str(db.pinned()), name, v.filters, v.min_cell, args, _builder=builder, _view=v)


# Small results (aggregates, a few kB pickled), not the per-event table (as large as the data); evicted
# after an hour like the query results, so an old snapshot's figures do not hold memory.
@st.cache_data(max_entries=200, ttl="1h", show_spinner=False)
def _built(
    snapshot: str, name: str, filters: object, min_cell: int, args: tuple, _builder: Callable, _view: View
) -> Built:
    with db.recording() as used:  # what it was computed from, shown under its table (``source``)
        built = _builder(_view, *args)
    return replace(built, sources=tuple(dict.fromkeys(used))) if used else built


def source(b: Built, tr: I18n) -> None:
    """Say which named queries a figure was computed from and which warehouse tables they read."""
    if b.sources:
        tables = sorted({t for q in b.sources for t in db.reads(q)})
        st.caption(tr.t("common.computed_from", queries=", ".join(b.sources), tables=", ".join(tables)))


def header(v: View, title: str, with_range: bool = False) -> None:
    """Show the page title and what the figures describe (project, filters, date or quarter range)."""
    st.title(title)
    st.caption(describe(v, with_range))
    st.session_state[buttons.RANGE] = with_range  # exports state the range where the page shows one
    if v.filters.is_breakdown:
        st.caption(v.tr.t("filters.breakdown_note", min_cell=v.min_cell))


def lead(text: str) -> None:
    """Show a page's one-sentence finding in large type: a paragraph, not a heading (headings go h1, h2)."""
    style = "font-size: 1.5rem; font-weight: 600; margin: 0"
    st.markdown(f'<p style="{style}">{html.escape(text)}</p>', unsafe_allow_html=True)


# st.metric cuts a label that does not fit on one line ("Arbetsförmågecoa…"): let it wrap instead.
METRIC_LABEL_CSS = """<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important;
}
</style>"""


def metrics(items: Sequence[Metric], per_row: int = 5) -> None:
    """Show headline figures as bordered st.metric cards whose labels wrap rather than being cut."""
    st.html(METRIC_LABEL_CSS)
    for start in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, m in zip(cols, items[start : start + per_row], strict=False):
            col.metric(m.label, m.value, delta=m.delta, delta_color=m.delta_color, help=m.help, border=True)


# Rows a table shows on the page at most: each cell is formatted for the language one by one, and pandas'
# Styler refuses more than 262 144 cells. The downloads under the table hold every row.
MAX_SHOWN = 500
# A table of more columns than this, and few rows (the projects side by side), is shown turned: one row per
# column, one column per row, so that it fits its frame instead of running off to the right.
MAX_COLUMNS, MAX_TURNED = 8, 6
# Tables are static HTML tables (st.table), not the canvas grid (st.dataframe): the grid neither wraps a
# header nor shrinks a column to its frame, so at 1400 px columns sat off to the right or were cut
# ("Hittade en fortsatt väg, %"), and a screen reader heard its raw values (0.65625, not "65,6 %").
# Here headers and text wrap between words, numbers stay on one line, and text of the kind "code" (file and
# account names, which have no spaces) may break anywhere.
TABLE_CSS = """<style>
[data-testid="stMain"] [data-testid="stTable"] th { white-space: normal; vertical-align: bottom; }
[data-testid="stMain"] [data-testid="stTable"] td { vertical-align: top; }
[data-testid="stMain"] [data-testid="stTable"]:has(th:nth-child(9)) :is(th, td):not(:first-child) {
  padding-left: 0.5rem;
}
</style>"""  # a table of nine columns or more (the upload history) has half the space between columns


def _cell(tr: I18n, kind: str):
    def fmt(value: object) -> str:
        missing = value is None or (not isinstance(value, str) and bool(pd.isna(value)))
        text = format_value(tr, kind, None if missing else value)
        return plain(text) if kind in ("text", "code") else text  # st.table reads cells as Markdown

    return fmt


NUMERIC = ("count", "number", "share")  # column kinds whose cells align right, so digits line up


def _turned(b: Built, tr: I18n):
    """Return a wide, short table turned (a Styler): the first column's values head the columns.

    Each row is one of the table's columns: the rows of numbers align right, as a number column does.
    """
    text = b.text_table(tr)
    first, *rest = text.columns
    names = [plain(v) for v in text[first].to_list()]
    body = {first: [plain(c) for c in rest]}
    for i, name in enumerate(names):
        body[name] = [plain(text[c][i]) for c in rest]
    frame = pd.DataFrame(body)
    numeric = [i for i, c in enumerate(list(b.columns.values())[1:]) if c.kind in NUMERIC]
    styler = frame.style
    if numeric and names and frame.columns.is_unique:  # a Styler cannot address repeated names
        where = pd.IndexSlice[numeric, list(frame.columns[1:])]
        styler = styler.set_properties(subset=where, **{"text-align": "right !important"})
    return styler


def table(b: Built, tr: I18n, key: str) -> None:
    """Show a built table that fits its frame: text is formatted for the language, headers wrap.

    Cells are formatted once, as text, and shown as a plain frame: pandas' Styler cost a third of a warm
    rerun of the participations page at 1000x (its 500-row events table, issue 12 item 17). Number
    columns align right and code columns may break anywhere by CSS on the table's own container
    (``key``), since a text cell carries Streamlit's inline left alignment.
    """
    rows = b.table()
    if rows.height > MAX_SHOWN:
        st.caption(tr.t("common.table_capped", shown=tr.number(MAX_SHOWN), total=tr.number(rows.height)))
        rows = rows.head(MAX_SHOWN)
    st.html(TABLE_CSS)
    if len(b.columns) > MAX_COLUMNS and 0 < b.data.height <= MAX_TURNED:
        st.table(_turned(b, tr), hide_index=True, border="horizontal", alt=b.title)
        return
    columns = list(b.columns.values())
    frame = pd.DataFrame(
        {
            i: list(map(_cell(tr, c.kind), rows[name].to_list()))
            for i, (name, c) in enumerate(zip(rows.columns, columns, strict=True))
        }
    )
    frame.columns = [c.header for c in columns]
    box = f"table_{key}"
    rules = []
    for i, c in enumerate(columns, start=1):
        cells = f".st-key-{box} [data-testid='stTable'] :is(th, td):nth-child({i})"
        if c.kind in NUMERIC:
            rules.append(cells + " { text-align: right !important; }")
        elif c.kind == "code":
            rules.append(cells + " { overflow-wrap: anywhere; }")
    with st.container(key=box):
        if rules:
            st.html("<style>" + "\n".join(rules) + "</style>")
        # Every row at full height, in the page's own scroll: st.table(height=...) would scroll in a frame
        # but names every such frame "Scrollable table" in English, so two on a page are landmarks of one
        # name (axe landmark-unique), and a scrolling st.container cannot be reached by keyboard (axe
        # scrollable-region-focusable). MAX_SHOWN caps the rows.
        st.table(frame, hide_index=True, border="horizontal", alt=b.title)


def built(
    b: Built,
    tr: I18n,
    key: str,
    beside: bool = False,
    expanded: bool = False,
    ratio: tuple[int, int] = (3, 2),
) -> None:
    """Show a built figure: title, chart, caption and its table (beside it, or in an expander below)."""
    st.header(plain(b.title))  # a title may hold an uploaded event title
    if b.chart is None:
        table(b, tr, key)
        if b.caption:
            st.caption(b.caption)
        source(b, tr)
        buttons.buttons(b, view(), key)
        return
    if beside:
        left, right = st.columns(list(ratio), gap="medium")
        with left:
            st.plotly_chart(b.chart, key=f"{key}_chart", config=PLOTLY_CONFIG, alt=b.title, theme=None)
        with right:
            table(b, tr, key)
            source(b, tr)
    else:
        st.plotly_chart(b.chart, key=f"{key}_chart", config=PLOTLY_CONFIG, alt=b.title, theme=None)
    if b.caption:
        st.caption(b.caption)
    for note in b.notes:
        st.caption(note)
    if not beside:
        with st.expander(tr.t("common.show_table"), expanded=expanded):
            table(b, tr, key)
            source(b, tr)
    buttons.buttons(b, view(), key)
