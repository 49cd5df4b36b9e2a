"""The upload page's work without Streamlit: scope, quarters, checking a file, committing it, rolling back.

Checking runs the pipeline's own validation and preview on a private temporary copy of the uploaded
bytes (never kept); committing calls ``ingest.load_file``, the same function as the CLI, which
re-validates inside the writer lock, keeps (when accepted) only the cells it read, never the raw
file, and writes the audit row.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from dashboard import db, settings
from dashboard.i18n import I18n
from dashboard.upload import annotate
from pipelines import codes, ingest, isolate, quarters, read, rollback
from pipelines.ingest import LoadResult, UploadMeta, UsageError
from pipelines.preview import Preview, preview
from pipelines.problems import Problem, RejectedFile
from pipelines.users import User

MAX_UPLOAD_MB = 20  # also [server] maxUploadSize in streamlit_config.toml
AUTO = "auto"  # "let the file say": guess the kind from the sheets and headers
KINDS = (AUTO, *ingest.UPLOAD_KINDS)
PROBLEM_COLUMNS = {"sheet": pl.String, "row": pl.Int64, "column": pl.String, "value": pl.String,
                   "message": pl.String, "code": pl.String}  # fmt: skip


def default_quarter(start: date, end: date, today: date) -> str:
    """Return the last quarter that has ended by ``today``, brought inside the project's period."""
    last_finished = quarters.preceding(quarters.quarter_of(today))
    return min(max(last_finished, quarters.quarter_of(start)), quarters.quarter_of(end))


def upload_projects(user: User, projects: pl.DataFrame) -> pl.DataFrame:
    """Return the projects (rows of the ``projects`` query) this user may upload for."""
    allowed = user.projects()
    return projects if allowed is None else projects.filter(pl.col("project_code").is_in(sorted(allowed)))


@contextlib.contextmanager
def saved(data: bytes, file_name: str) -> Iterator[Path]:
    """Write uploaded bytes to a private temporary file with the original suffix; delete it after."""
    suffix = Path(file_name).suffix.lower()
    suffix = suffix if suffix.isascii() and suffix[1:].isalnum() and len(suffix) <= 6 else ""
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        yield path


def _score(frame: pl.DataFrame, kind: str) -> int:
    """Count the headers that belong to ``kind`` minus those that do not."""
    fold = lambda text: codes.normalise(text.replace("_", " "))  # noqa: E731  (as read.map_headers folds)
    spellings = {fold(s) for f in codes.FIELDS[kind] for s in (f.fi, f.en, f.name)}
    return sum(1 if fold(h) in spellings else -1 for h in frame.columns if h != read.ROW)


def guess_kind(path: Path) -> str:
    """Tell the upload kind from the file: a workbook by its two sheets, else by the best-matching headers.

    Each read is in a child process (``pipelines.isolate``); a file or first sheet reads the same for
    every kind, so it is read once and scored against each.
    """
    if path.suffix.lower() in read.EXCEL_SUFFIXES:
        try:
            isolate.read_upload(path, "workbook")
            return "workbook"
        except RejectedFile as rejected:
            if not any(p.code == "missing_sheet" for p in rejected.problems):
                return "workbook"  # it has both sheets: validation reports what else is wrong
    try:
        frame = isolate.read_upload(path, "clients")["clients"]
    except RejectedFile:
        return "clients"  # unreadable as any kind: validation says why
    scores = {kind: _score(frame, kind) for kind in codes.KINDS}
    return max(scores, key=scores.get)  # ties: the order of codes.KINDS


@dataclass(frozen=True)
class Checked:
    """One uploaded file checked against the contract and the warehouse; nothing stored."""

    kind: str  # the kind checked: chosen, or guessed when the user let the file say
    was_guessed: bool
    sha256: str
    problems: tuple[Problem, ...] = ()  # empty: valid, and ``preview`` says what confirming changes
    preview: Preview | None = None
    annotated: bytes | None = None  # the file with its problems marked, as .xlsx (see annotate.py)


def check(
    data: bytes, file_name: str, *, project: str, quarter: str, kind: str, user: User, lang: str = "fi"
) -> Checked:
    """Validate an upload in the user's scope and preview its changes (``UsageError``: out of scope)."""
    if not user.can_upload(project):
        raise UsageError("upload.project_not_allowed", project=project)
    sha256 = hashlib.sha256(data).hexdigest()
    with saved(data, file_name) as path:
        chosen = guess_kind(path) if kind == AUTO else kind
        with db.reading() as con:
            ctx = ingest.load_context(con, project, quarter, user.allowed_municipalities(project))
        try:
            validated = ingest.validate_upload(path, chosen, ctx, file_name)
        except RejectedFile as rejected:
            problems = tuple(rejected.problems)
            tr = I18n(lang)
            capped = tr.t("upload.annotated_capped", shown="{shown}", total="{total}")  # filled by annotate
            notes = annotate.Notes(
                tr.t("upload.problems_column"), tr.t("upload.value_removed"), tr.lang, capped
            )
            copy = _annotated(path, problems, notes)
            return Checked(chosen, kind == AUTO, sha256, problems, annotated=copy)
    meta = UploadMeta(project, quarter, chosen, ingest.safe_file_name(file_name), sha256, user.name)
    return Checked(chosen, kind == AUTO, sha256, preview=preview(settings.db_path(), validated, meta))


def _annotated(path: Path, problems: tuple[Problem, ...], notes: annotate.Notes) -> bytes | None:
    """Make the annotated copy in a child process too: it opens the file again, with openpyxl."""
    try:
        return isolate.call(annotate.annotated, path, problems, notes)
    except RejectedFile:  # the copy's child died or overran: the problem table says it all
        return None


def commit(
    data: bytes,
    file_name: str,
    *,
    project: str,
    quarter: str,
    kind: str,
    user: User,
    on_wait: Callable[[], None] | None = None,
) -> LoadResult:
    """Load a checked file as the signed-in user: one atomic snapshot, re-validated under the lock."""
    if not user.can_upload(project):
        raise UsageError("upload.project_not_allowed", project=project)
    with saved(data, file_name) as path:
        result = ingest.load_file(
            settings.db_path(),
            path,
            project_code=project,
            quarter=quarter,
            kind=kind,
            user_name=user.name,
            file_name=file_name,
            allowed_municipalities=user.allowed_municipalities(project),
            on_wait=on_wait,
        )
    if result.status != "rejected":
        db.refresh()
    return result


def problem_table(problems: tuple[Problem, ...], lang: str) -> pl.DataFrame:
    """Return one row per problem: sheet, Excel row, column as written, value (never an identifying one)."""
    rows = [{"sheet": None, **p.to_dict(lang)} for p in problems]
    return pl.DataFrame(rows, schema=PROBLEM_COLUMNS).select(list(PROBLEM_COLUMNS))


def history(project: str) -> pl.DataFrame:
    """Return the project's uploads and rollbacks, newest first (``rollback.upload_history``)."""
    with db.reading() as con:
        return rollback.upload_history(con, project)


def client_lists(table: pl.DataFrame) -> list[tuple[str, str]]:
    """Return the (municipality, quarter) client lists an accepted upload of the history holds."""
    accepted = table.filter((pl.col("status") == "accepted") & (pl.col("kind") == "clients"))
    pairs = accepted.select(pl.col("municipalities").explode().alias("municipality"), "quarter").drop_nulls()
    return sorted(set(pairs.iter_rows()), key=lambda p: (p[1], p[0]), reverse=True)


@dataclass(frozen=True)
class ListState:
    """One client list's latest change, whether this user may undo it, and the uploads it could return to."""

    latest: dict | None
    may_roll_back: bool
    targets: list[int]
    current: int | None


def list_state(project: str, municipality: str, quarter: str, user: User) -> ListState:
    """Look up what a rollback of one (project, municipality, quarter) list would start from."""
    with db.reading() as con:
        latest = rollback.latest_change(con, project, municipality, quarter)
        targets = rollback.rollback_targets(con, project, municipality, quarter)
        current = rollback.current_upload(con, project, municipality, quarter)
    allowed = latest is not None and user.can_rollback(latest)
    return ListState(latest, allowed, targets, current)


def roll_back(
    project: str, municipality: str, quarter: str, to_upload_id: int, user: User, on_wait=None
) -> LoadResult:
    """Repoint one client list to an earlier accepted upload as ``user``, recorded in the audit log."""
    result = rollback.rollback(
        settings.db_path(),
        project_code=project,
        municipality_code=municipality,
        quarter=quarter,
        to_upload_id=to_upload_id,
        user=user,
        on_wait=on_wait,
    )
    db.refresh()
    return result
