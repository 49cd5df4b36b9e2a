"""Build a whole warehouse in one snapshot: the demo from generated files, or a rebuild from kept uploads.

What a rebuild replays is read from the current snapshot itself (``kept.manifest``): its accepted
uploads (``audit.uploads``, naming the kept cells of each), its rollbacks (``audit.rollbacks``) and its
facts (``audit.warehouse_info``), in upload order. Being part of the published snapshot, it cannot
disagree with it: a writer killed just after publishing cannot leave an upload out. ``manifest.jsonl``
beside the kept cells is a copy of it, rewritten after every write, read only when the snapshots are
lost; a copy that lags (a kill between publishing and rewriting) is made whole by the next write.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from pipelines import demo, ingest, kept, quarters, rollback, users, warehouse
from pipelines.ingest import UploadMeta, UsageError


def _apply(con, db: Path, meta: UploadMeta, validated: ingest.Validated) -> ingest.LoadResult:
    return ingest.apply_upload(con, validated, meta, kept.keep_cells(db, validated, meta.sha256))


def _replay(con, db: Path, meta: UploadMeta, stored_file: str) -> ingest.LoadResult:
    """Validate and apply one upload's kept cells; cells that no longer validate stop the whole build."""
    ctx = ingest.load_context(con, meta.project_code, meta.quarter)
    validated = ingest.validate_cells(kept.kept_cells(db, stored_file, meta.kind), meta.kind, ctx)
    return _apply(con, db, meta, validated)


def load_generated(
    con, db: Path, upload: demo.DemoUpload, user_name: str
) -> tuple[UploadMeta, ingest.LoadResult]:
    """Load one generated file as uploaded at noon two weeks after its quarter (the same data every run)."""
    uploaded_at = datetime.combine(quarters.end(upload.quarter) + timedelta(days=14), datetime.min.time())
    meta = UploadMeta(
        upload.project_code,
        upload.quarter,
        upload.kind,
        upload.path.name,
        ingest.sha256_of(upload.path),
        user_name,
        uploaded_at.replace(hour=12),
    )
    ctx = ingest.load_context(con, meta.project_code, meta.quarter)
    return meta, _apply(con, db, meta, ingest.validate_upload(upload.path, meta.kind, ctx))


def build_demo(db: Path | str) -> int:
    """Build the VALPAS 2 demo warehouse from generated coordinator files; return the number of uploads."""
    db = Path(db)
    with tempfile.TemporaryDirectory() as tmp, warehouse.locked(db):
        uploads = demo.write_demo_files(Path(tmp))
        (warehouse.snapshot_dir(db) / kept.REJECTED_LOG).unlink(missing_ok=True)  # a new warehouse
        with warehouse.write(db, fresh=True) as con:
            warehouse.set_info(con, "is_demo", "true")
            for upload in uploads:
                _, result = load_generated(con, db, upload, "demo")
                assert result.status == "accepted", result
        kept.export_manifest(db)
        _remove_unused(db)
    return len(uploads)


def _legacy_manifest(db: Path) -> list[dict]:
    path = warehouse.uploads_dir(db) / kept.MANIFEST
    if not path.exists():
        raise UsageError("usage.no_manifest", folder=str(warehouse.uploads_dir(db)))
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _remove_unused(db: Path) -> list[Path]:
    """Remove from the uploads folder what the published snapshot does not name (``kept.unused_files``):
    raw files an older version kept, leftovers of killed writers. Call after publishing, under the lock."""
    con = warehouse.connect_reader(db)
    try:
        rows = con.execute("select distinct stored_file from audit.uploads where stored_file is not null")
        stored = {r[0] for r in rows.fetchall()}
    finally:
        con.close()
    removed = kept.unused_files(db, stored)
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def rebuild(db: Path | str) -> int:
    """Rebuild the warehouse from the kept cells of its uploads, in their original order; return the count.

    The list of uploads and rollbacks comes from the current snapshot (``manifest``). A warehouse of an
    older version is rebuilt from the raw files it kept; those are removed once the rebuild is published.
    """
    db = Path(db)
    with warehouse.locked(db):
        # accounts are not replayed (no password hashes in files beside the uploads): carry them over
        old = warehouse.connect_reader(db) if warehouse.current_snapshot(db) else None
        try:
            entries = kept.manifest(old) if old is not None else _legacy_manifest(db)
            n = 0
            with warehouse.write(db, fresh=True) as con:
                for entry in entries:
                    if entry["action"] == "info":
                        warehouse.set_info(con, entry["key"], entry["value"])
                    elif entry["action"] == "load":
                        fields = {k: entry[k] for k in UploadMeta.__dataclass_fields__}
                        fields["uploaded_at"] = datetime.fromisoformat(str(fields["uploaded_at"]))
                        result = _replay(con, db, UploadMeta(**fields), entry["stored_file"])
                        # the original id, so that later rollback entries find the upload they name
                        rollback.keep_original_id(con, result.upload_id, entry.get("upload_id"))
                        n += 1
                    elif entry["action"] == "rollback":
                        rollback.replay_rollback(con, entry)
                if old is not None:
                    users.carry_users(old, con)
        finally:
            if old is not None:
                old.close()
        kept.export_manifest(db)
        _remove_unused(db)
    return n
