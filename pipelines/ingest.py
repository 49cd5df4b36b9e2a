"""Upload a coordinator's file: read -> personal-data guard -> validate -> transform -> load.

The same functions serve the CLI, the demo builder, ``rebuild`` and the dashboard's upload page.
``validate_upload`` is pure apart from reading the file; ``apply_upload`` writes to a connection that
``warehouse.write`` holds, so a load is one transaction in a private snapshot copy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines import codes, isolate, pii, quarters, read, schemas, transform, warehouse
from pipelines.i18n import t
from pipelines.kept import UploadMeta, export_manifest, keep_cells, log_rejected, next_id, next_upload_id
from pipelines.problems import Problem, RejectedFile, is_panic
from pipelines.transform import Context

UPLOAD_KINDS = ("clients", "events", "attendance", "workbook")


class UsageError(ValueError):
    """The request itself is wrong (unknown project, malformed quarter): nothing was read."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Validated:
    """A file that passed every check: staging frames by kind, ready to load."""

    kind: str
    frames: dict[str, pl.DataFrame]
    cells: dict[str, pl.DataFrame] = dataclasses.field(default_factory=dict)  # as read, for ``keep_cells``

    @property
    def n_rows(self) -> int:
        return sum(f.height for f in self.frames.values())

    @property
    def municipalities(self) -> list[str]:
        clients = self.frames.get("clients")
        return [] if clients is None else sorted(clients["municipality_code"].unique().to_list())


@dataclass(frozen=True)
class LoadResult:
    """What happened to an upload: accepted, unchanged (identical re-upload) or rejected.

    The tables it wrote are not listed here: the connection of ``warehouse.write`` notes them.
    """

    status: str
    upload_id: int
    n_rows: int = 0
    municipalities: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


def check_quarter(quarter: str) -> str:
    """Return ``quarter`` when it is a ``YYYYQn`` quarter; a usage error otherwise (nothing was read)."""
    if not quarters.is_quarter(quarter):
        raise UsageError("usage.bad_quarter", quarter=quarter)
    return quarter


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_context(
    con: duckdb.DuckDBPyConnection,
    project_code: str,
    quarter: str,
    allowed_municipalities: frozenset[str] | None = None,
) -> Context:
    """Read what validation needs from the warehouse; unknown projects are a usage error."""
    q_start, q_end = quarters.bounds(check_quarter(quarter))
    rows = con.execute(
        "select start_date, end_date from ref.projects where project_code = ?", [project_code]
    ).fetchall()
    if not rows:
        known = ", ".join(
            r[0] for r in con.execute("select project_code from ref.projects order by 1").fetchall()
        )
        raise UsageError("usage.unknown_project", project=project_code, known=known)
    start, end = rows[0]
    if q_end < start or q_start > end:  # the quarter must overlap the project's period
        raise UsageError("usage.quarter_outside_project", quarter=quarter, project=project_code)
    municipalities: dict[str, str] = {}
    municipality_names: dict[str, tuple[str, str]] = {}
    in_region: dict[str, str] = {}
    for code, fi, sv, region in con.execute(
        "select municipality_code, name_fi, name_sv, wellbeing_region_code from ref.municipalities"
    ).fetchall():
        municipalities.update({code: code, codes.normalise(fi): code, codes.normalise(sv): code})
        municipality_names[code], in_region[code] = (fi, sv), region
    regions: dict[str, str] = {}
    for code, *names in con.execute(
        "select wellbeing_region_code, name_fi, name_sv, name_en from ref.wellbeing_regions"
    ).fetchall():
        regions.update({code: code, **{codes.normalise(n): code for n in names}})
    in_project = con.execute(
        "select municipality_code from ref.project_municipalities where project_code = ?", [project_code]
    ).fetchall()
    events = con.execute(
        "select event_id, municipality_code from staging.events where project_code = ?", [project_code]
    ).fetchall()
    return Context(
        project_code=project_code,
        quarter=quarter,
        project_start=start,
        project_end=end,
        quarter_end=q_end,
        municipalities=municipalities,
        project_municipalities=frozenset(r[0] for r in in_project),
        regions=regions,
        existing_event_ids=frozenset(r[0] for r in events),
        allowed_municipalities=allowed_municipalities,
        existing_event_municipalities=dict(events),
        municipality_regions=in_region,
        municipality_names=municipality_names,
    )


def _sheet_label(kind: str, upload_kind: str) -> str | None:
    return codes.WORKBOOK_SHEETS[kind] if upload_kind == "workbook" else None


def _with_sheet(problems: list[Problem], sheet: str | None) -> list[Problem]:
    return [dataclasses.replace(p, sheet=sheet) for p in problems] if sheet else problems


def validate_upload(path: Path | str, kind: str, ctx: Context, file_name: str | None = None) -> Validated:
    """Check a file against the data contract; raise ``RejectedFile`` listing every problem found."""
    try:  # read in a child process (pipelines.isolate); a Rust panic after it is no Exception
        return _validate_upload(path, kind, ctx, file_name)
    except BaseException as exc:
        if not is_panic(exc):
            raise
        raise RejectedFile([Problem("unreadable", params={"expected": read.EXPECTED_FORMATS})]) from None


def _validate_upload(path: Path | str, kind: str, ctx: Context, file_name: str | None) -> Validated:
    # The name is echoed in messages and the history: one holding personal data is rejected like a cell.
    named = [Problem("file_name_personal")] if pii.names_personal_data(file_name or Path(path).name) else []
    try:
        sheets = isolate.read_upload(path, kind)
    except RejectedFile as rejected:
        raise RejectedFile(named + rejected.problems) from None
    found: list[Problem] = named
    for sheet_kind, raw in sheets.items():  # personal data first: nothing else looks at such a file
        found += _with_sheet(pii.scan(raw), _sheet_label(sheet_kind, kind))
    if found:
        raise RejectedFile(found)
    mapped: dict[str, tuple[pl.DataFrame, dict[str, str]]] = {}
    for sheet_kind, raw in sheets.items():
        try:
            mapped[sheet_kind] = read.map_headers(raw, sheet_kind)
        except RejectedFile as rejected:
            found += _with_sheet(rejected.problems, _sheet_label(sheet_kind, kind))
    if found:
        raise RejectedFile(found)
    return validate_cells(mapped, kind, ctx)


def validate_cells(
    mapped: dict[str, tuple[pl.DataFrame, dict[str, str]]], kind: str, ctx: Context
) -> Validated:
    """Check cells read by ``read.map_headers`` (frame, headers as written) against the contract."""
    found: list[Problem] = []
    if all(frame.height == 0 for frame, _ in mapped.values()):
        raise RejectedFile([Problem("no_rows")])
    parsed_frames = {k: transform.PARSERS[k](frame, ctx) for k, (frame, _) in mapped.items()}
    if "events" in parsed_frames:
        events = parsed_frames["events"].filter(pl.col("event_id").is_not_null())
        owners = dict(zip(events["event_id"], events["municipality_code"], strict=True))
        ctx = dataclasses.replace(ctx, file_event_ids=frozenset(owners), file_event_municipalities=owners)
    frames = {}
    for sheet_kind, (_, headers) in mapped.items():
        parsed = parsed_frames[sheet_kind]
        found += _with_sheet(
            schemas.problems(parsed, sheet_kind, ctx, headers), _sheet_label(sheet_kind, kind)
        )
        frames[sheet_kind] = parsed
    if found:
        # Once and first, though a workbook's two sheets both say it.
        said = [dataclasses.replace(p, sheet=None) for p in found if p.code == "file_out_of_scope"][:1]
        raise RejectedFile([*said, *(p for p in found if p.code != "file_out_of_scope")])
    staged = {k: schemas.staged(transform.to_staging(f, k, ctx), k) for k, f in frames.items()}
    cells = {k: frame for k, (frame, _) in mapped.items()}
    return Validated(kind=kind, frames=staged, cells=cells)


def _is_unchanged(con: duckdb.DuckDBPyConnection, meta: UploadMeta, validated: Validated) -> bool:
    """Tell whether the same file is already the current upload for everything it would replace."""
    if validated.kind == "clients":
        current = con.execute(
            """select count(*) filter (where u.file_sha256 = $sha), count(*)
               from staging.client_snapshots s join audit.uploads u using (upload_id)
               where s.project_code = $project and s.quarter = $quarter
                 and list_contains($municipalities, s.municipality_code)""",
            {
                "sha": meta.sha256,
                "project": meta.project_code,
                "quarter": meta.quarter,
                "municipalities": validated.municipalities,
            },
        ).fetchall()[0]
        return current[1] == len(validated.municipalities) and current[0] == current[1]
    latest = con.execute(
        """select file_sha256 from audit.uploads
           where project_code = ? and kind = ? and status = 'accepted'
           order by upload_id desc limit 1""",
        [meta.project_code, meta.kind],
    ).fetchall()
    return bool(latest) and latest[0][0] == meta.sha256


def record(
    con,
    upload_id: int,
    meta: UploadMeta,
    *,
    status: str,
    n_rows: int = 0,
    n_problems: int = 0,
    stored_file: str | None = None,
) -> None:
    """Write the audit row of one upload attempt."""
    con.execute(
        "insert into audit.uploads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            upload_id,
            meta.uploaded_at,
            meta.user_name,
            meta.project_code,
            meta.quarter,
            meta.kind,
            meta.file_name,
            meta.sha256,
            n_rows,
            status,
            n_problems,
            stored_file,
        ],
    )


def _load_statements(kind: str) -> list[str]:
    """Return the statements of ``sql/load/<kind>.sql`` one by one (parameters differ per statement)."""
    text = (warehouse.SQL_DIR / "load" / f"{kind}.sql").read_text(encoding="utf-8")
    lines = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in lines.split(";") if s.strip()]


@contextlib.contextmanager
def _one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block's statements on one DuckDB thread, then give the connection its threads back.

    An upload's insert is at most a row group or two: on two threads DuckDB spends more merging the
    threads' partial row groups than it gains (100 000 clients: 0.078 s on two threads, 0.043 s on one;
    ``benchmarks/README.md``). The marts rebuild that follows scans the whole warehouse and keeps them all.
    """
    con.execute("set threads = 1")
    try:
        yield
    finally:
        con.execute("reset threads")


def apply_upload(
    con: duckdb.DuckDBPyConnection,
    validated: Validated,
    meta: UploadMeta,
    stored_file: str | None,
    upload_id: int | None = None,
) -> LoadResult:
    """Replace the staging rows an accepted upload stands for and record it; marts follow on publish.

    ``upload_id``: the id ``next_id`` gave (default: the next one of this snapshot, as in a rebuild).
    """
    upload_id = next_upload_id(con) if upload_id is None else upload_id
    if _is_unchanged(con, meta, validated):
        record(con, upload_id, meta, status="unchanged", n_rows=validated.n_rows, stored_file=stored_file)
        return LoadResult("unchanged", upload_id, validated.n_rows, tuple(validated.municipalities))
    for kind in ("events", "attendance", "clients"):  # events before the attendance that refers to them
        if (frame := validated.frames.get(kind)) is None:
            continue
        statements = _load_statements(kind)
        rows = frame.with_columns(pl.lit(upload_id, pl.Int32).alias("upload_id"))
        views = {"upload_rows": rows}
        if kind == "clients":  # the few lists it makes current: a distinct in Polars, not a scan in SQL
            key = ["project_code", "municipality_code", "quarter", "upload_id"]
            views["upload_snapshots"] = rows.select(key).unique(maintain_order=True)
        for name, view in views.items():
            con.register(name, view)
        try:
            with _one_thread(con):
                for statement in statements:
                    params = {"project": meta.project_code} if "$project" in statement else {}
                    con.execute(statement, params)
        finally:
            for name in views:
                con.unregister(name)
    record(con, upload_id, meta, status="accepted", n_rows=validated.n_rows, stored_file=stored_file)
    municipalities = tuple(validated.municipalities)
    return LoadResult("accepted", upload_id, validated.n_rows, municipalities)


def safe_file_name(name: str) -> str:
    """Return the file name for the audit log, or a placeholder when it holds personal data."""
    return "[poistettu / removed]" if pii.names_personal_data(name) else name


def shown_file_name(name: str, lang: str) -> str:
    """Return the file name to print to the user, or a note in ``lang`` when it holds personal data."""
    return t("pii.file_name_hidden", lang) if pii.names_personal_data(name) else name


def load_file(
    db: Path | str,
    path: Path | str,
    *,
    project_code: str,
    quarter: str,
    kind: str,
    user_name: str = "cli",
    file_name: str | None = None,
    allowed_municipalities: frozenset[str] | None = None,
    on_wait=None,
) -> LoadResult:
    """Validate and load one file as one published snapshot; a rejected file changes no data."""
    db, path = Path(db), Path(path)
    if kind not in UPLOAD_KINDS:
        raise UsageError("usage.bad_kind", kind=kind)
    check_quarter(quarter)
    meta = UploadMeta(
        project_code, quarter, kind, safe_file_name(file_name or path.name), sha256_of(path), user_name
    )
    with warehouse.locked(db, on_wait):
        warehouse.ensure(db)
        con = warehouse.connect_reader(db)  # checked against the current snapshot, under the lock
        try:
            ctx = load_context(con, project_code, quarter, allowed_municipalities)
            upload_id = next_id(con)
            try:
                validated = validate_upload(path, kind, ctx, file_name or path.name)
            except RejectedFile as rejected:  # no data changes: no snapshot, only the log row
                log_rejected(db, upload_id, meta, len(rejected.problems))
                return LoadResult("rejected", upload_id, problems=tuple(rejected.problems))
        finally:
            con.close()
        with warehouse.write(db) as con:
            # kept before the snapshot naming them is published; the audit row is what rebuild replays
            stored = keep_cells(db, validated, meta.sha256)
            result = apply_upload(con, validated, meta, stored, upload_id)
        if result.status == "accepted":
            export_manifest(db)
    return result
