"""Streamlit pieces the pages share: the page heading, metrics, and a built figure with its table."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from dashboard import export_ui
from dashboard.builders import Built, View
from dashboard.builders.common import Metric, describe, format_value
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


def header(v: View, title: str, with_range: bool = False) -> None:
    """Show the page title and what the figures describe (project, filters, date or quarter range)."""
    st.title(title)
    st.caption(describe(v, with_range))
    st.session_state[export_ui.RANGE] = with_range  # exports state the range where the page shows one
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


# The grid shows its own placeholder for a missing cell, ignoring the formatted text, so a hidden value is
# sent as a stand-in that no real value takes (".." and "–" are what the reader sees; it sorts first).
MISSING_NUMBER = -999_999
MISSING_DATE = pd.Timestamp("1900-01-01")


def _is_missing(value: object) -> bool:
    if value is None or value == "" or (not isinstance(value, str) and bool(pd.isna(value))):
        return True
    if isinstance(value, pd.Timestamp):
        return value == MISSING_DATE
    return isinstance(value, int | float) and not isinstance(value, bool) and value == MISSING_NUMBER


def _cell(tr: I18n, kind: str):
    def fmt(value: object) -> str:
        return format_value(tr, kind, None if _is_missing(value) else value)

    return fmt


def _stand_ins(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace missing cells by stand-ins the grid will not show as "None"."""
    out = frame.copy()
    for col in out.columns:
        if not out[col].isna().any():
            continue
        if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].fillna(MISSING_NUMBER)
        elif pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].fillna(MISSING_DATE)
        else:
            out[col] = out[col].astype(object).where(out[col].notna(), "")
    return out


ROW_PX, MAX_ROWS = 35, 16  # st.dataframe row height; taller tables scroll
# Rows a table shows on the page at most: each cell is formatted for the language one by one, and pandas'
# Styler refuses more than 262 144 cells. The downloads under the table hold every row.
MAX_SHOWN = 500


def table(b: Built, tr: I18n, key: str | None = None) -> None:
    """Show a built table: numbers stay numbers (so columns sort), text is formatted for the language."""
    rows = b.table()
    if rows.height > MAX_SHOWN:
        st.caption(tr.t("common.table_capped", shown=tr.number(MAX_SHOWN), total=tr.number(rows.height)))
        rows = rows.head(MAX_SHOWN)
    frame = _stand_ins(rows.to_pandas())
    frame.columns = [c.header for c in b.columns.values()]
    styler = frame.style
    for c in b.columns.values():  # na_rep too: Streamlit shows a missing cell's own text otherwise
        styler = styler.format(_cell(tr, c.kind), subset=[c.header], na_rep=format_value(tr, c.kind, None))
    if b.wrap:
        st.table(styler, hide_index=True, border="horizontal", alt=b.title)
        return
    height = ROW_PX * (min(len(frame), MAX_ROWS) + 1) + 3
    st.dataframe(styler, hide_index=True, key=key, height=height, alt=b.title)


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
    if b.figure is None:
        table(b, tr, key=f"{key}_table")
        if b.caption:
            st.caption(b.caption)
        export_ui.buttons(b, view(), key)
        return
    if beside:
        left, right = st.columns(list(ratio), gap="medium")
        with left:
            st.plotly_chart(b.figure, key=f"{key}_chart", config=PLOTLY_CONFIG, alt=b.title, theme=None)
        with right:
            table(b, tr, key=f"{key}_table")
    else:
        st.plotly_chart(b.figure, key=f"{key}_chart", config=PLOTLY_CONFIG, alt=b.title, theme=None)
    if b.caption:
        st.caption(b.caption)
    for note in b.notes:
        st.caption(note)
    if not beside:
        with st.expander(tr.t("common.show_table"), expanded=expanded):
            table(b, tr, key=f"{key}_table")
    export_ui.buttons(b, view(), key)
