"""Download buttons: under every built figure (CSV, Excel, PNG, SVG) and the summary in the sidebar.

Each file is made only when its button is clicked (Streamlit runs the callable then, in another
thread), so a rerun never pays for a chart image or a deck. What is exported is what the page shows:
the same Built object for tables and images, the same builders for the summary.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import streamlit as st

from dashboard import db, presenter
from dashboard.builders import Built, View
from dashboard.export import FORMATS, file_name, file_stem, images, slides, summary, tables
from dashboard.export.stamp import TIMEZONE, Stamp
from dashboard.export.stamp import stamp as stamp_of

RANGE = "_export_range"  # set by ui.header: does the page show a quarter range?
STAMP = "_export_stamp"  # this rerun's stamp, shared by every figure on the page


def _stamp(view: View) -> Stamp:
    with_range = bool(st.session_state.get(RANGE))
    cached = st.session_state.get(STAMP)
    if cached and cached[0] is view and cached[1] == with_range:
        return cached[2]
    stamp = stamp_of(view, with_range=with_range)
    st.session_state[STAMP] = (view, with_range, stamp)
    return stamp


def _now(stamp: Stamp, view: View) -> Stamp:
    """Return the stamp with the time of the click (the rerun that drew the button may be older)."""
    now = datetime.now(TIMEZONE)
    return replace(stamp, exported_at=view.tr.t("export.exported_at", at=view.tr.datetime(now)))


def buttons(b: Built, view: View, key: str) -> None:
    """Show the download buttons of one built figure: its table as CSV and Excel, its chart as PNG and SVG."""
    tr, stamp = view.tr, _stamp(view)
    base = f"{file_stem(view)}_{key}"
    table_help, image_help = tr.t("export.help.table"), tr.t("export.help.image")
    with st.container(horizontal=True, key=f"{key}_export", gap="small"):
        st.download_button(tr.t("export.csv"), lambda: tables.to_csv(b, tr, _now(stamp, view)),
                           file_name=f"{base}.csv", mime=FORMATS["csv"], on_click="ignore", key=f"{key}_csv",
                           icon=":material/download:", type="tertiary", help=table_help)  # fmt: skip
        st.download_button(tr.t("export.xlsx"), lambda: tables.to_xlsx([b], tr, _now(stamp, view)),
                           file_name=f"{base}.xlsx", mime=FORMATS["xlsx"], on_click="ignore",
                           key=f"{key}_xlsx", icon=":material/download:", type="tertiary",
                           help=table_help)  # fmt: skip
        if b.chart is None:
            return
        no_browser = images.browser_path() is None
        for fmt in images.FORMATS:
            st.download_button(
                tr.t(f"export.{fmt}"),
                lambda fmt=fmt: images.chart_image(b.chart, b.title, _now(stamp, view), fmt),
                file_name=f"{base}.{fmt}", mime=images.FORMATS[fmt], on_click="ignore",
                key=f"{key}_{fmt}", icon=":material/image:", type="tertiary", disabled=no_browser,
                help=tr.t("export.image_unavailable", reason="chromium") if no_browser else image_help,
            )  # fmt: skip


DECK = "_summary_deck"  # session state: the last deck made here, (format, what it was made of, file)


def _make_deck(view: View, fmt: str, made_of: tuple) -> None:
    """Build a PPTX or PDF deck in this rerun, with a progress bar that counts the slides."""
    tr = view.tr
    bar = st.progress(0.0, text=tr.t("export.progress.start"))

    def step(done: int, total: int) -> None:
        bar.progress(done / (total + 1), text=tr.t("export.progress.slide", n=done, total=total))

    try:
        result = summary(view, fmt, progress=step)
    except Exception as exc:  # a clear line in the sidebar, never a traceback; the log keeps the detail
        logging.getLogger(__name__).exception("summary deck failed")
        bar.empty()
        st.error(tr.t("export.cli.failed", error=type(exc).__name__))
        return
    bar.progress(1.0, text=tr.t("export.progress.done", total=len(slides.makers(view))))
    st.session_state[DECK] = (fmt, made_of, result)


def _decks(view: View, snapshot: Path) -> None:
    """Offer the PPTX and PDF decks: a click builds one (slide by slide, shown), then it downloads."""
    tr = view.tr
    asked = next((f for f in ("pptx", "pdf") if st.session_state.get(f"summary_{f}_make")), None)
    with st.container(horizontal=True, gap="small"):
        for fmt in ("pptx", "pdf"):
            st.button(tr.t(f"export.{fmt}"), key=f"summary_{fmt}_make", icon=":material/slideshow:",
                      help=tr.t("export.help.make"))  # fmt: skip
        st.download_button(tr.t("export.xlsx"), _deck(view, snapshot, "xlsx"),
                           file_name=file_name(view, "xlsx"), mime=FORMATS["xlsx"], on_click="ignore",
                           key="summary_xlsx", icon=":material/download:",
                           help=tr.t("export.help.deck"))  # fmt: skip
    if asked:
        _make_deck(view, asked, (file_name(view, asked), str(snapshot), tr.lang))
    made = st.session_state.get(DECK)
    if made is None or made[1] != (file_name(view, made[0]), str(snapshot), tr.lang):
        return  # none made yet, or made for other filters, another language or an older upload
    fmt, (name, *_), result = made
    if result.note:
        st.caption(result.note)
    st.download_button(tr.t("export.download_file", file=name), result.data, file_name=name,
                       mime=FORMATS[fmt], on_click="ignore", key="summary_download", type="primary",
                       icon=":material/download:", width="stretch")  # fmt: skip


def _deck(view: View, snapshot: Path, fmt: str):
    def make() -> bytes:
        db.pin(snapshot)  # this runs in another thread: read the snapshot the page showed
        return summary(view, fmt).data

    return make


def sidebar(view: View) -> None:
    """Show presenter mode and the summary downloads (PPTX, PDF, Excel) for the current filters."""
    tr = view.tr
    st.button(tr.t("present.start"), icon=":material/slideshow:", on_click=presenter.start,
              help=tr.t("present.start_help"), key="present_start", width="stretch")  # fmt: skip
    st.caption(tr.t("export.summary_heading"))
    if st.context.headers.get("User-Agent"):  # a person's browser (not a test run): ready the charts
        images.warm_up()
    _decks(view, db.pinned())
