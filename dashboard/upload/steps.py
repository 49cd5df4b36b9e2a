"""The upload page's steps in Streamlit: choose, check (with a status), problems or preview, confirm.

The work is in ``work.py``; this module only draws. A checked file is remembered in the session
by its hash, choices, language and the snapshot it was checked against, so clicking "confirm" does not
check it again, and a snapshot published meanwhile (another upload) makes it check afresh.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import auth, db, pages, ui
from dashboard.i18n import I18n
from dashboard.upload import work
from pipelines import ingest, pii, quarters
from pipelines.ingest import LoadResult, UsageError
from pipelines.users import User

CHECKED, FRESH, DONE, ROUND = "_upload_checked", "_upload_fresh", "_upload_done", "_upload_round"
LOG = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURES = ("n_clients", "n_progressed", "n_coaches", "n_professional_participations")
WRAP_ROWS = 50  # up to this many problems show as a static table whose long messages wrap
SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"  # valid files to start one's own from


@dataclass(frozen=True)
class Choice:
    """What the coordinator chose: project, quarter, kind (or ``auto``) and the file's name and bytes."""

    project: str
    quarter: str
    kind: str
    file_name: str
    data: bytes = b""

    def key(self, user: User, tr: I18n) -> tuple:
        """Identify a check: the same bytes, choices, user and language against the same snapshot."""
        digest = hashlib.sha256(self.data).hexdigest()
        choices = (self.file_name, self.project, self.quarter, self.kind)
        return (digest, *choices, user.name, tr.lang, db.pinned().name)


def preferred(codes: list[str]) -> int:
    """Return the index of the project the sidebar shows, when it is among ``codes``, else 0."""
    view = st.session_state.get(ui.VIEW)
    project = view.filters.project if view is not None else None
    return codes.index(project) if project in codes else 0


def _names(codes, project: str, tr: I18n) -> str:
    names = db.municipality_names(project, tr)
    return ", ".join(names.get(c, c) for c in codes) or "–"


def samples(tr: I18n) -> None:
    """Offer the sample files as downloads (a server's folder name means nothing to a coordinator)."""
    files = sorted(p for p in SAMPLES.glob("*") if p.suffix in (".csv", ".xlsx"))
    if not files:
        return
    with st.expander(tr.t("upload.samples"), icon=":material/download:"):
        st.caption(tr.t("upload.samples_help"))
        for path in files:
            mime = XLSX if path.suffix == ".xlsx" else "text/csv"
            label = tr.t(f"upload.sample.{path.stem}")
            st.download_button(
                f"{label} ({path.name})", path.read_bytes(), file_name=path.name, mime=mime,
                key=f"sample_{path.stem}", icon=":material/description:", on_click="ignore",
            )  # fmt: skip


# Streamlit writes its own English "Upload" and "20MB per file" in the drop area whatever the language:
# hide them and draw ours, with the real limit, as generated content (which the button's name reads too).
BOX_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "%s"; }
[data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after { content: "%s"; }
</style>"""


def _css_string(text: str) -> str:
    return "".join(c if c.isalnum() or c in " .,()" else f"\\{ord(c):06x}" for c in text)


def upload_box_css(tr: I18n) -> str:
    """Return the style that puts the drop area's button and instructions in the reader's language."""
    button, instructions = tr.t("upload.box_button"), tr.t("upload.box_instructions", mb=work.MAX_UPLOAD_MB)
    return BOX_CSS % (_css_string(button), _css_string(instructions))


def choose(user: User, tr: I18n) -> Choice | None:
    """Draw step 1 (project, quarter, kind, file); return the choice once a file is dropped."""
    projects = work.upload_projects(user, db.query("projects"))
    if projects.is_empty():
        st.warning(tr.t("upload.no_projects"))
        return None
    st.caption(auth.describe(user, tr))
    names = dict(zip(projects["project_code"], projects["name"], strict=True))
    left, middle, right = st.columns(3)
    project = left.selectbox(
        tr.t("upload.project"), list(names), index=preferred(list(names)), format_func=names.get,
        key="upload_project",
    )  # fmt: skip
    row = projects.filter(pl.col("project_code") == project).row(0, named=True)
    in_period = quarters.overlapping(row["start_date"], row["end_date"])
    default = work.default_quarter(row["start_date"], row["end_date"], date.today())
    quarter = middle.selectbox(
        tr.t("upload.quarter"), in_period, index=in_period.index(default), key=f"upload_quarter_{project}"
    )
    kind = right.selectbox(
        tr.t("upload.kind"), work.KINDS, format_func=lambda k: tr.t(f"upload.kinds.{k}"), key="upload_kind"
    )
    st.html(upload_box_css(tr))
    file = st.file_uploader(
        tr.t("upload.file", mb=work.MAX_UPLOAD_MB),
        key=f"upload_file_{st.session_state.get(ROUND, 0)}",
        max_upload_size=work.MAX_UPLOAD_MB,
        help=tr.t("upload.file_help"),
    )
    if file is None:
        return None
    data = file.getvalue()
    if len(data) > work.MAX_UPLOAD_MB * 1024 * 1024:
        st.error(tr.t("upload.too_big", mb=work.MAX_UPLOAD_MB))
        return None
    return Choice(project, quarter, kind, file.name, data)


def check(choice: Choice, user: User, tr: I18n) -> work.Checked | None:
    """Draw step 2: check the file (once per file and choices) with a status; return the outcome."""
    key, ss = choice.key(user, tr), st.session_state
    cached = ss[CHECKED][1] if CHECKED in ss and ss[CHECKED][0] == key else None
    shown = ui.plain(ingest.shown_file_name(choice.file_name, tr.lang))  # personal data: not echoed
    with st.status(tr.t("upload.checking", file=shown), expanded=False) as status:
        try:
            checked = cached or work.check(
                choice.data, choice.file_name, project=choice.project, quarter=choice.quarter,
                kind=choice.kind, user=user, lang=tr.lang,
            )  # fmt: skip
        except UsageError as err:
            status.update(label=tr.t(err.key, **ui.plain_values(err.params)), state="error")
            return None
        except Exception:  # a sentence, never a traceback; nothing was stored
            LOG.exception("checking an upload failed")
            status.update(label=tr.t("upload.failed"), state="error")
            return None
        if checked.problems:
            status.update(label=tr.t("upload.checked_problems", n=len(checked.problems)), state="error")
        else:
            status.update(label=tr.t("upload.checked_ok"), state="complete")
    ss[CHECKED], ss[FRESH] = (key, checked), cached is None
    if checked.was_guessed:
        st.caption(tr.t("upload.guessed", kind=tr.t(f"upload.kinds.{checked.kind}")))
    return checked


def _download_stem(file_name: str) -> str:
    """Return the start of the annotated copy's name: the upload's own stem, unless it is personal data."""
    stem = Path(file_name).stem
    return "" if pii.names_personal_data(file_name) else f"{stem}_"


def problems(checked: work.Checked, choice: Choice, tr: I18n) -> None:
    """Draw every problem (Excel row, column, value, message) and the annotated copy to download."""
    st.error(tr.t("upload.rejected", n=len(checked.problems)), icon=":material/block:")
    table = work.problem_table(checked.problems, tr.lang).drop("code")
    if table["sheet"].is_null().all():
        table = table.drop("sheet")
    labels = {c: tr.t(f"upload.problem.{c}") for c in table.columns}
    shown = table.with_columns(pl.col(pl.String).fill_null("–")).rename(labels)
    if shown.height <= WRAP_ROWS:  # a static table wraps long messages; a long list scrolls in a grid
        as_text = pl.col(pl.String).map_elements(ui.plain, return_dtype=pl.String)  # cells are Markdown
        st.table(shown.with_columns(as_text), hide_index=True, border="horizontal")
    else:
        config = {labels["row"]: st.column_config.NumberColumn(format="%d", width="small")}
        st.dataframe(shown, hide_index=True, column_config=config, height=35 * 16 + 3)
    if checked.annotated is not None:
        st.download_button(
            tr.t("upload.download_annotated"),
            checked.annotated,
            file_name=f"{_download_stem(choice.file_name)}{tr.t('upload.problems_column')}.xlsx",
            mime=XLSX,
            icon=":material/download:",
            on_click="ignore",
        )
        st.caption(tr.t("upload.annotated_help"))


def _changes(checked: work.Checked, project: str, tr: I18n) -> pl.DataFrame:
    changes = checked.preview.changes
    if "municipality_code" in changes.columns:
        names = db.municipality_names(project, tr)
        first = pl.col("municipality_code").replace_strict(names, default=pl.col("municipality_code"))
        return changes.select(first.alias(tr.t("common.municipality")), pl.exclude("municipality_code"))
    labels = {k: tr.t(f"upload.kinds.{k}") for k in ("events", "attendance")}
    return changes.with_columns(pl.col("kind").replace_strict(labels, default=pl.col("kind")))


def preview(checked: work.Checked, choice: Choice, tr: I18n) -> None:
    """Draw step 3: rows added, removed and changed, and the headline figures before -> after."""
    p = checked.preview
    if p.is_unchanged:
        st.info(tr.t("upload.identical"), icon=":material/check_circle:")
    st.header(tr.t("upload.preview_heading"))
    table = _changes(checked, choice.project, tr)
    headers = {c: tr.t(f"upload.change.{c}") for c in table.columns if c.startswith("n_") or c == "kind"}
    st.dataframe(table.rename(headers), hide_index=True)
    counts = p.changes.select(pl.col("^n_(added|removed|changed)$").fill_null(0)).sum_horizontal()
    if not p.is_unchanged and counts.sum() == 0:
        st.caption(tr.t("upload.same_rows"))
    st.header(tr.t("upload.figures_heading", quarter=choice.quarter))
    if p.after is None:
        st.caption(tr.t("upload.no_figures"))
        return
    rows = []
    for figure in FIGURES:
        after, before = p.after.get(figure), (p.before or {}).get(figure)
        change = None if before is None or after is None else after - before
        rows.append([tr.t(f"figure.{figure}"), tr.number(before), tr.number(after), tr.signed(change) or "–"])
    headers = [tr.t(f"upload.figure_table.{c}") for c in ("figure", "before", "after", "change")]
    st.table(pl.DataFrame(rows, schema=headers, orient="row"), hide_index=True, border="horizontal")
    if p.before is None:
        st.caption(tr.t("upload.no_figures_before"))


def confirm(checked: work.Checked, choice: Choice, user: User, tr: I18n) -> None:
    """Draw step 4: confirm, commit under the writer lock (saying so while waiting), then rerun."""
    st.caption(tr.t("upload.confirm_help"))
    if not st.button(tr.t("upload.confirm"), type="primary", key="upload_confirm", icon=":material/save:"):
        return
    if st.session_state.get(FRESH):  # another upload was published since the preview shown was made
        st.warning(tr.t("upload.preview_changed"), icon=":material/update:")
        return
    waited = []
    with st.status(tr.t("upload.saving"), expanded=True) as status:

        def waiting() -> None:  # called once, before blocking on the lock: the browser shows it at once
            waited.append(True)
            status.update(label=tr.t("upload.waiting"))
            st.info(tr.t("upload.waiting"), icon=":material/hourglass_top:")

        try:
            result = work.commit(
                choice.data, choice.file_name, project=choice.project, quarter=choice.quarter,
                kind=checked.kind, user=user, on_wait=waiting,
            )  # fmt: skip
        except UsageError as err:
            status.update(label=tr.t(err.key, **ui.plain_values(err.params)), state="error")
            return
        except Exception:  # the writer rolled back: the warehouse is unchanged
            LOG.exception("saving an upload failed")
            status.update(label=tr.t("upload.failed"), state="error")
            return
    st.session_state[DONE] = (result, choice.file_name, choice.project, bool(waited))
    st.session_state.pop(CHECKED, None)
    if result.status != "rejected":  # a fresh uploader: the committed file is done with
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.rerun()


def last_result(tr: I18n) -> None:
    """Say what the last confirm did (shown once, after the rerun that moved to the new snapshot)."""
    done: tuple[LoadResult, str, str, bool] | None = st.session_state.pop(DONE, None)
    if done is None:
        return
    result, file_name, project, waited = done
    if waited:
        st.info(tr.t("upload.waited"), icon=":material/hourglass_bottom:")
    values = {
        "file": ui.plain(ingest.shown_file_name(file_name, tr.lang)),
        "rows": result.n_rows,
        "upload_id": result.upload_id,
    }
    municipalities = _names(result.municipalities, project, tr)
    if result.status == "accepted":
        st.success(
            tr.t("upload.accepted", municipalities=municipalities, **values), icon=":material/done_all:"
        )
        overview, history = pages.by_name("overview"), pages.by_name("history")
        st.page_link(overview.file, label=tr.t("upload.see_figures"), icon=overview.icon)
        st.page_link(history.file, label=tr.t("page.history"), icon=history.icon)
    elif result.status == "unchanged":
        st.info(
            tr.t("upload.unchanged", municipalities=municipalities, **values), icon=":material/check_circle:"
        )
    else:
        st.error(tr.t("upload.rejected_on_save", n=len(result.problems), **values), icon=":material/block:")
