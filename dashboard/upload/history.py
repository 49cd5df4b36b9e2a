"""The upload history page's parts in Streamlit: a project's uploads, and rolling a client list back.

A rollback repoints one (project, municipality, quarter) client list to an earlier accepted upload
(``pipelines.rollback``); an admin may undo any change, a coordinator only their own latest change in
their scope. It asks first in a dialog, and is itself recorded in the history.
"""

from __future__ import annotations

import logging

import polars as pl
import streamlit as st

from dashboard import db, ui
from dashboard.builders import Built, Column
from dashboard.i18n import I18n
from dashboard.upload import work
from dashboard.upload.steps import preferred
from pipelines.ingest import UsageError
from pipelines.users import User

CONFIRM, DONE = "_rollback_confirm", "_rollback_done"
LOG = logging.getLogger(__name__)
HISTORY_COLUMNS = {  # column -> (translation key, ui.table kind)
    "upload_id": ("uploadhistory.upload_id", "text"),
    "uploaded_at": ("uploadhistory.uploaded_at", "datetime"),
    "user_name": ("uploadhistory.user", "code"),  # an account name: may break anywhere
    "quarter": ("common.quarter", "text"),
    "kind": ("upload.kind", "text"),
    "what": ("uploadhistory.file", "code"),
    "status": ("uploadhistory.status", "text"),
    "n_rows": ("uploadhistory.rows", "number"),
    "n_problems": ("uploadhistory.problems", "number"),
    "municipalities": ("uploadhistory.municipalities", "text"),
    "current_for": ("uploadhistory.current_for", "text"),
}


def choose_project(user: User, tr: I18n) -> str | None:
    """Draw the project choice: a coordinator's own projects, every project for others."""
    projects = db.query("projects")
    if user.role == "coordinator":
        projects = work.upload_projects(user, projects)
    codes = projects["project_code"].to_list()
    if not codes:
        return None
    names = dict(zip(codes, projects["name"], strict=True))
    return st.selectbox(
        tr.t("upload.project"), codes, index=preferred(codes), format_func=names.get, key="history_project"
    )


def _readable(table: pl.DataFrame, project: str, tr: I18n) -> pl.DataFrame:
    """Return the history with translated kinds and statuses and municipality names."""
    names = db.municipality_names(project, tr)

    def places(codes: list[str] | None) -> str:
        return ", ".join(names.get(c, c) for c in codes or []) or "–"

    rows = table.to_dicts()
    return table.with_columns(
        pl.Series("upload_id", [f"#{r['upload_id']}" for r in rows]),
        pl.Series("kind", [tr.t(f"upload.kinds.{r['kind']}") for r in rows]),
        pl.Series("status", [tr.t(f"uploadhistory.statuses.{r['status']}") for r in rows]),
        pl.Series("what", [
            tr.t("uploadhistory.rolled_back_to", upload_id=r["to_upload_id"])
            if r["to_upload_id"] else r["file_name"] for r in rows
        ]),
        pl.Series("municipalities", [places(r["municipalities"]) for r in rows], pl.String),
        pl.Series("current_for", [places(r["current_for"]) for r in rows], pl.String),
    )  # fmt: skip


def history_table(project: str, tr: I18n) -> pl.DataFrame:
    """Draw every upload and rollback of the project, newest first; return the history rows."""
    rows = work.history(project)
    if rows.is_empty():
        st.info(tr.t("history.none", project=project))
        return rows
    columns = {c: Column(tr.t(key), kind) for c, (key, kind) in HISTORY_COLUMNS.items()}
    title = tr.t("uploadhistory.table")
    ui.table(Built(title, _readable(rows, project, tr), columns), tr, key="history")
    return rows


def _target_label(rows: pl.DataFrame, tr: I18n):
    by_id = {r["upload_id"]: r for r in rows.iter_rows(named=True)}

    def label(upload_id: int) -> str:
        r = by_id.get(upload_id)
        if r is None:
            return f"#{upload_id}"
        when = tr.datetime(r["uploaded_at"])
        return tr.t(
            "uploadhistory.target", upload_id=upload_id, when=when, user=r["user_name"], file=r["file_name"]
        )

    return label


def rollback_form(project: str, rows: pl.DataFrame, user: User, tr: I18n) -> None:
    """Draw the rollback of one client list: what stands now, the earlier uploads, and the button."""
    lists = [(m, q) for m, q in work.client_lists(rows) if user.can_upload(project, m)]
    if user.role not in ("coordinator", "admin") or not lists:
        return
    st.header(tr.t("uploadhistory.rollback_heading"))
    names = db.municipality_names(project, tr)
    municipality, quarter = st.selectbox(
        tr.t("uploadhistory.list"), lists, format_func=lambda mq: f"{names.get(mq[0], mq[0])} · {mq[1]}",
        key="rollback_list",
    )  # fmt: skip
    state = work.list_state(project, municipality, quarter, user)
    where = {"project": project, "municipality": names.get(municipality, municipality), "quarter": quarter}
    st.caption(tr.t("uploadhistory.current", upload_id=state.current or "–", **where))
    if not state.may_roll_back:
        uploader = state.latest["user_name"] if state.latest else "–"
        st.info(
            tr.t("rollback.not_allowed", user=ui.plain(user.name), uploader=ui.plain(uploader), **where),
            icon=":material/lock:",
        )
        return
    if not state.targets:
        st.info(tr.t("uploadhistory.no_targets", **where))
        return
    target = st.selectbox(
        tr.t("uploadhistory.to"), state.targets, format_func=_target_label(rows, tr), key="rollback_target"
    )
    request = (project, municipality, quarter, target)
    if st.button(tr.t("uploadhistory.rollback"), icon=":material/undo:", key="rollback_open"):
        st.session_state[CONFIRM] = request
    if st.session_state.get(CONFIRM) == request:
        _confirm(request, where, user, tr)


def _cancel() -> None:
    st.session_state.pop(CONFIRM, None)


def _confirm(request: tuple[str, str, str, int], where: dict, user: User, tr: I18n) -> None:
    @st.dialog(tr.t("uploadhistory.confirm_title"), on_dismiss=_cancel)
    def dialog() -> None:
        st.write(tr.t("uploadhistory.confirm_text", to_upload_id=request[3], **where))
        yes, no = st.columns(2)
        if no.button(tr.t("uploadhistory.cancel"), key="rollback_no", width="stretch"):
            _cancel()
            st.rerun()
        if not yes.button(
            tr.t("uploadhistory.confirm_yes"), type="primary", key="rollback_yes", width="stretch"
        ):
            return
        try:
            with st.spinner(tr.t("uploadhistory.rolling_back")):
                result = work.roll_back(*request, user, on_wait=lambda: st.info(tr.t("upload.waiting")))
            done = {"to_upload_id": request[3], "rows": result.n_rows, "upload_id": result.upload_id}
            text = tr.t("rollback.done", **done, **where)
            st.session_state[DONE] = ("success", text)
        except UsageError as err:
            st.session_state[DONE] = ("error", tr.t(err.key, **ui.plain_values(err.params)))
        except Exception:  # the writer rolled back: nothing changed
            LOG.exception("rollback failed")
            st.session_state[DONE] = ("error", tr.t("uploadhistory.failed"))
        _cancel()
        st.rerun()

    dialog()


def last_result() -> None:
    """Say what the last rollback did (once, after the rerun that moved to the new snapshot)."""
    done = st.session_state.pop(DONE, None)
    if done is not None:
        kind, text = done
        (st.success if kind == "success" else st.error)(text)
