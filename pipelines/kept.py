"""What the warehouse keeps beside its snapshots: the validated cells ``rebuild`` replays, the manifest
copy, and the log of rejected attempts.

Accepted files are kept as their validated cells only (never the raw workbook); a rejected file publishes
no snapshot, its audit row is appended to ``REJECTED_LOG``. Upload ids are one sequence over both
(``next_id``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from pipelines import codes, read, warehouse

if TYPE_CHECKING:
    from pipelines.ingest import Validated

MANIFEST = "manifest.jsonl"  # what rebuild replayed before the snapshot itself said it (still read once)
REJECTED_LOG = "rejected.jsonl"  # rejected attempts' rows, beside the snapshots (``log_rejected``)
REJECTED_SCHEMA = {
    "upload_id": pl.Int32,
    "uploaded_at": pl.Datetime,
    "user_name": pl.String,
    "project_code": pl.String,
    "quarter": pl.String,
    "kind": pl.String,
    "file_name": pl.String,
    "file_sha256": pl.String,
    "n_rows": pl.Int32,
    "status": pl.String,
    "n_problems": pl.Int32,
}


@dataclass(frozen=True)
class UploadMeta:
    """Who uploaded what, when: the audit row's facts."""

    project_code: str
    quarter: str
    kind: str
    file_name: str
    sha256: str
    user_name: str = "cli"
    uploaded_at: datetime = dataclasses.field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


def next_upload_id(con: duckdb.DuckDBPyConnection) -> int:
    """Return the next upload id (audit rows are never deleted, so ids are never reused)."""
    return con.execute("select coalesce(max(upload_id), 0) + 1 from audit.uploads").fetchall()[0][0]


def _log_beside(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Return the rejected-uploads log of the snapshot folder ``con``'s file is in (none in memory)."""
    found = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return Path(found[0][0]).parent / REJECTED_LOG if found and found[0][0] else None


def rejected_rows(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the rejected attempts logged beside ``con``'s snapshot, as ``audit.uploads`` rows.

    A line cut short by a kill mid-append is skipped (its upload was rejected and changed nothing).
    """
    log, found = _log_beside(con), []
    if log is not None and log.exists():
        for line in log.read_text("utf-8").splitlines():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                row = json.loads(line)
                found.append({k: None if row[k] is None else str(row[k]) for k in REJECTED_SCHEMA})
    frame = pl.DataFrame(found, schema=dict.fromkeys(REJECTED_SCHEMA, pl.String), orient="row")
    typed = [pl.col("uploaded_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f")]
    typed += [pl.col(k).cast(t) for k, t in REJECTED_SCHEMA.items() if t == pl.Int32]
    return frame.with_columns(typed)


def next_id(con: duckdb.DuckDBPyConnection) -> int:
    """Return the id of the next upload attempt or rollback: after this snapshot's and the logged rejects'."""
    logged = rejected_rows(con)["upload_id"].max()
    return max(next_upload_id(con), (logged or 0) + 1)


def log_rejected(db: Path, upload_id: int, meta: UploadMeta, n_problems: int) -> None:
    """Append a rejected attempt's audit row to the log beside the snapshots (hold the lock).

    A rejected file changes no data, so it publishes no snapshot (a copy of the whole warehouse): its
    row goes here, an append-only JSON-lines file (0600) that ``rollback.upload_history`` reads with
    ``audit.uploads``. Never any cell of the file, as in ``audit.uploads``.
    """
    row = {
        "upload_id": upload_id,
        "uploaded_at": meta.uploaded_at.isoformat(timespec="microseconds"),
        "user_name": meta.user_name,
        "project_code": meta.project_code,
        "quarter": meta.quarter,
        "kind": meta.kind,
        "file_name": meta.file_name,
        "file_sha256": meta.sha256,
        "n_rows": 0,
        "status": "rejected",
        "n_problems": n_problems,
    }
    folder = warehouse.private_dir(warehouse.snapshot_dir(db))
    fd = os.open(folder / REJECTED_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, warehouse.FILE_MODE)
    try:  # a line of its own even after a line cut short by a kill
        os.write(fd, ("\n" + json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def keep_cells(db: Path, validated: Validated, sha256: str) -> str:
    """Keep the cells an accepted file was validated from, for ``rebuild``; return their stored name.

    Never the raw file: only the Excel row numbers and the contract's columns as read (Parquet, one
    file per sheet kind, ``<sha256>.<kind>.<sheet kind>.parquet``), so other sheets, comments, document
    properties and defined names of a workbook are not kept. Written 0600, fsynced, renamed into place
    before the snapshot that names them is published.
    """
    folder = warehouse.private_dir(warehouse.uploads_dir(db))
    for leftover in folder.glob("*.tmp"):  # of a writer killed mid-way (we hold the lock)
        leftover.unlink(missing_ok=True)
    stored = f"{sha256}.{validated.kind}"
    for sheet_kind, frame in validated.cells.items():
        target = folder / f"{stored}.{sheet_kind}.parquet"
        if target.exists():
            continue
        tmp = folder / f"{target.name}.{secrets.token_hex(6)}.tmp"
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, warehouse.FILE_MODE))
        frame.write_parquet(tmp, compression="uncompressed")  # what is kept can be checked byte by byte
        warehouse.fsync(tmp)
        tmp.replace(target)
    warehouse.fsync(folder)
    return stored


def kept_cells(db: Path, stored_file: str, kind: str) -> dict[str, tuple[pl.DataFrame, dict[str, str]]]:
    """Return the kept cells of an upload as ``validate_cells`` takes them (``keep_cells``).

    A warehouse from before cells were kept names its raw file (``<sha256>.csv``): that is read again.
    """
    folder = warehouse.uploads_dir(db)
    if Path(stored_file).suffix.lower() in (*read.TEXT_SUFFIXES, *read.EXCEL_SUFFIXES):
        sheets = read.read_upload(folder / stored_file, kind)
        return {k: read.map_headers(frame, k) for k, frame in sheets.items()}
    sheet_kinds = list(codes.WORKBOOK_SHEETS) if kind == "workbook" else [kind]
    found = {}
    for sheet_kind in sheet_kinds:
        frame = pl.read_parquet(folder / f"{stored_file}.{sheet_kind}.parquet")
        found[sheet_kind] = (frame, {c: c for c in frame.columns})
    return found


def unused_files(db: Path, stored: set[str]) -> list[Path]:
    """Return what the uploads folder holds beyond the cells named in ``stored`` and the manifest copy.

    Raw uploads an older version kept, temporary files, and cells of a load killed before it was
    published: ``rebuild`` removes them once the snapshot it built names every upload it needs.
    """
    folder = warehouse.uploads_dir(db)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.name != MANIFEST
        and not p.name.startswith("manifest.")  # earlier manifests, kept as history
        and not (p.suffix == ".parquet" and p.name.rsplit(".", 2)[0] in stored)
    )


def manifest(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Return what a rebuild of this snapshot replays: facts, then accepted uploads and rollbacks in order."""
    entries = [
        {"action": "info", "key": key, "value": value}
        for key, value in con.execute("select key, value from audit.warehouse_info order by key").fetchall()
    ]
    rows = con.execute(
        """select u.upload_id, u.status, u.project_code, u.quarter, u.kind, u.file_name, u.file_sha256,
                  u.user_name, u.uploaded_at, u.stored_file, r.municipality_code, r.to_upload_id
           from audit.uploads u left join audit.rollbacks r using (upload_id)
           where u.status in ('accepted', 'rollback') order by u.upload_id"""
    ).fetchall()
    for upload_id, status, project, quarter, kind, name, sha, user, at, stored, municipality, to in rows:
        if status == "accepted":
            meta = UploadMeta(project, quarter, kind, name, sha, user, at)
            entries.append({"action": "load", **meta.__dict__, "stored_file": stored, "upload_id": upload_id})
        else:
            entries.append(
                {
                    "action": "rollback",
                    "upload_id": upload_id,
                    "project_code": project,
                    "municipality_code": municipality,
                    "quarter": quarter,
                    "to_upload_id": to,
                    "file_sha256": sha,
                    "user_name": user,
                    "uploaded_at": at,
                }
            )
    return entries


def export_manifest(db: Path) -> None:
    """Rewrite ``uploads/manifest.jsonl`` from the current snapshot (``manifest``); hold the lock.

    Only a copy, for a rebuild after the snapshots are lost: rebuild reads the snapshot when there is one.
    """
    current = warehouse.current_snapshot(db)
    if current is None:
        return
    con = duckdb.connect(str(current), read_only=True)
    try:
        entries = manifest(con)
    finally:
        con.close()
    folder = warehouse.private_dir(warehouse.uploads_dir(db))
    tmp = folder / f"{MANIFEST}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, warehouse.FILE_MODE)
    with open(fd, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in entries)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(folder / MANIFEST)
