"""Build a whole warehouse in one snapshot: the demo from generated files, or a rebuild from kept uploads."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from pipelines import demo, ingest, rollback, users, warehouse
from pipelines.ingest import UploadMeta, UsageError


def _replay(con, db: Path, meta: UploadMeta, path: Path) -> ingest.LoadResult:
    """Validate and apply one kept file; a kept file that no longer validates stops the whole build."""
    ctx = ingest.load_context(con, meta.project_code, meta.quarter)
    validated = ingest.validate_upload(path, meta.kind, ctx)
    stored = ingest.keep_raw(db, path, meta.sha256)
    return ingest.apply_upload(con, validated, meta, stored)


def load_generated(
    con, db: Path, upload: demo.DemoUpload, user_name: str
) -> tuple[UploadMeta, ingest.LoadResult]:
    """Load one generated file as uploaded at noon two weeks after its quarter (the same data every run)."""
    uploaded_at = datetime.combine(
        ingest.quarter_end(upload.quarter) + timedelta(days=14), datetime.min.time()
    )
    meta = UploadMeta(
        upload.project_code,
        upload.quarter,
        upload.kind,
        upload.path.name,
        ingest.sha256_of(upload.path),
        user_name,
        uploaded_at.replace(hour=12),
    )
    return meta, _replay(con, db, meta, upload.path)


def _write_manifest(db: Path, entries: list[dict]) -> None:
    """Replace the manifest, keeping any earlier one beside it so no history is lost."""
    folder = warehouse.uploads_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / ingest.MANIFEST
    if manifest.exists() and manifest.stat().st_size:
        manifest.replace(folder / f"manifest.{datetime.now():%Y%m%dT%H%M%S%f}.jsonl")
    tmp = folder / (ingest.MANIFEST + ".tmp")
    tmp.write_text("".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in entries), "utf-8")
    tmp.replace(manifest)


def build_demo(db: Path | str) -> int:
    """Build the VALPAS 2 demo warehouse from generated coordinator files; return the number of uploads."""
    db = Path(db)
    entries: list[dict] = [{"action": "info", "key": "is_demo", "value": "true"}]
    with tempfile.TemporaryDirectory() as tmp, warehouse.locked(db):
        uploads = demo.write_demo_files(Path(tmp))
        with warehouse.write(db, fresh=True) as con:
            warehouse.set_info(con, "is_demo", "true")
            for upload in uploads:
                meta, result = load_generated(con, db, upload, "demo")
                entries.append(
                    {"action": "load", **meta.__dict__, "stored_file": f"{meta.sha256}{upload.path.suffix}"}
                )
                assert result.status == "accepted", result
        _write_manifest(db, entries)
    return len(uploads)


def rebuild(db: Path | str) -> int:
    """Rebuild the warehouse from the kept raw uploads, in their original order; return the count."""
    db = Path(db)
    folder = warehouse.uploads_dir(db)
    manifest = folder / ingest.MANIFEST
    if not manifest.exists():
        raise UsageError("usage.no_manifest", folder=str(folder))
    with warehouse.locked(db):
        entries = [json.loads(line) for line in manifest.read_text("utf-8").splitlines() if line.strip()]
        n = 0
        # accounts are not in the manifest (no password hashes in files beside the uploads): carry them over
        old = warehouse.connect_reader(db) if warehouse.current_snapshot(db) else None
        try:
            with warehouse.write(db, fresh=True) as con:
                for entry in entries:
                    if entry["action"] == "info":
                        warehouse.set_info(con, entry["key"], entry["value"])
                    elif entry["action"] == "load":
                        fields = {k: entry[k] for k in UploadMeta.__dataclass_fields__}
                        fields["uploaded_at"] = datetime.fromisoformat(str(fields["uploaded_at"]))
                        result = _replay(con, db, UploadMeta(**fields), folder / entry["stored_file"])
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
    return n
