"""Roll a (project, municipality, quarter) client list (asiakaslista) back to an earlier accepted upload.

Every accepted clients upload keeps its rows in ``staging.clients``; ``staging.client_snapshots`` says
which upload stands for each (project, municipality, quarter). A rollback repoints that one row, records
itself in ``audit.uploads`` (status ``rollback``) and ``audit.rollbacks``, which ``replay.rebuild``
reads to repeat it (they are published with the change itself). Also here: the upload history of a
project, and the helpers that let a rebuild keep every upload's original id, so rollbacks keep pointing
at the right upload.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines import ingest, kept, warehouse
from pipelines.ingest import LoadResult, UploadMeta, UsageError
from pipelines.users import User


def _municipality(code: str) -> str:
    return code.strip().zfill(3)


def current_upload(
    con: duckdb.DuckDBPyConnection, project_code: str, municipality_code: str, quarter: str
) -> int | None:
    """Return the upload whose client list stands for this (project, municipality, quarter), if any."""
    found = con.execute(
        """select upload_id from staging.client_snapshots
           where project_code = ? and municipality_code = ? and quarter = ?""",
        [project_code, _municipality(municipality_code), quarter],
    ).fetchall()
    return found[0][0] if found else None


def latest_change(
    con: duckdb.DuckDBPyConnection, project_code: str, municipality_code: str, quarter: str
) -> dict | None:
    """Return the audit row (with ``municipality_code``) of the latest upload or rollback of this list."""
    municipality_code = _municipality(municipality_code)
    rows = con.execute(
        """with changes as (
               select upload_id from staging.clients
               where project_code = $project and quarter = $quarter and municipality_code = $municipality
               union all
               select r.upload_id from audit.rollbacks r join audit.uploads u using (upload_id)
               where u.project_code = $project and u.quarter = $quarter
                 and r.municipality_code = $municipality
           )
           select upload_id, uploaded_at, user_name, project_code, quarter, kind, file_name, status
           from audit.uploads where upload_id = (select max(upload_id) from changes)""",
        {"project": project_code, "quarter": quarter, "municipality": municipality_code},
    ).fetchall()
    if not rows:
        return None
    keys = ("upload_id", "uploaded_at", "user_name", "project_code", "quarter", "kind", "file_name", "status")
    return {**dict(zip(keys, rows[0], strict=True)), "municipality_code": municipality_code}


def rollback_targets(
    con: duckdb.DuckDBPyConnection, project_code: str, municipality_code: str, quarter: str
) -> list[int]:
    """Return the earlier accepted uploads this list could be rolled back to, newest first."""
    rows = con.execute(
        """select distinct c.upload_id from staging.clients c join audit.uploads u using (upload_id)
           where c.project_code = ? and c.municipality_code = ? and c.quarter = ? and u.status = 'accepted'
             and c.upload_id is distinct from ?
           order by 1 desc""",
        [
            project_code,
            _municipality(municipality_code),
            quarter,
            current_upload(con, project_code, municipality_code, quarter),
        ],
    ).fetchall()
    return [r[0] for r in rows]


def apply_rollback(
    con: duckdb.DuckDBPyConnection,
    *,
    project_code: str,
    municipality_code: str,
    quarter: str,
    to_upload_id: int,
    user_name: str,
    user: User | None = None,
    uploaded_at: datetime | None = None,
    upload_id: int | None = None,
) -> LoadResult:
    """Repoint one client list to an earlier accepted upload and record it (on a ``warehouse.write`` con).

    ``user`` is checked with ``User.can_rollback`` against the latest change of the list (None: a
    replay, already checked when it first happened); ``upload_id`` keeps a replayed rollback's original id.
    """
    municipality_code = _municipality(municipality_code)
    where = {"project": project_code, "municipality": municipality_code, "quarter": quarter}
    latest = latest_change(con, project_code, municipality_code, quarter)
    if latest is None:
        raise UsageError("rollback.no_list", **where)
    if user is not None and not user.can_rollback(latest):
        raise UsageError("rollback.not_allowed", user=user.name, uploader=latest["user_name"], **where)
    target = con.execute(
        "select project_code, quarter, status, file_sha256 from audit.uploads where upload_id = ?",
        [to_upload_id],
    ).fetchall()
    if not target:
        if to_upload_id in kept.rejected_rows(con)["upload_id"].to_list():  # logged beside the snapshot
            raise UsageError("rollback.not_accepted", upload_id=to_upload_id, status="rejected")
        raise UsageError("rollback.unknown_upload", upload_id=to_upload_id)
    target_project, target_quarter, status, sha256 = target[0]
    if (target_project, target_quarter) != (project_code, quarter):
        raise UsageError(
            "rollback.other_list",
            upload_id=to_upload_id,
            target_project=target_project,
            target_quarter=target_quarter or "-",
            **where,
        )
    if status != "accepted":
        raise UsageError("rollback.not_accepted", upload_id=to_upload_id, status=status)
    n_rows = con.execute(
        "select count(*) from staging.clients where upload_id = ? and municipality_code = ?",
        [to_upload_id, municipality_code],
    ).fetchall()[0][0]
    if n_rows == 0:
        raise UsageError("rollback.no_rows_for_municipality", upload_id=to_upload_id, **where)
    current = current_upload(con, project_code, municipality_code, quarter)
    if current == to_upload_id:
        raise UsageError("rollback.already_current", upload_id=to_upload_id, **where)
    new_id = kept.next_upload_id(con)
    if upload_id is not None:
        if upload_id < new_id:  # ids must keep their order: the latest change is the highest id
            raise ValueError(f"rollback #{upload_id} replayed after upload #{new_id - 1}")
        new_id = upload_id
    meta = UploadMeta(
        project_code,
        quarter,
        "clients",
        f"rollback to #{to_upload_id}",
        sha256,
        user_name,
        uploaded_at or _now(),
    )
    ingest.record(con, new_id, meta, status="rollback", n_rows=n_rows)
    con.execute(
        "insert into audit.rollbacks values (?, ?, ?, ?)", [new_id, municipality_code, current, to_upload_id]
    )
    con.execute(
        """update staging.client_snapshots set upload_id = ?
           where project_code = ? and municipality_code = ? and quarter = ?""",
        [to_upload_id, project_code, municipality_code, quarter],
    )
    return LoadResult("rollback", new_id, n_rows, (municipality_code,))


def rollback(
    db: Path | str,
    *,
    project_code: str,
    municipality_code: str,
    quarter: str,
    to_upload_id: int,
    user: User,
    on_wait=None,
) -> LoadResult:
    """Roll one (project, municipality, quarter) client list back to an earlier accepted upload, as ``user``.

    One published snapshot, like a load; refused with a ``UsageError`` (nothing changed) when the target
    is not an accepted upload of that list, is already current, or ``user`` may not undo the latest change.
    """
    db = Path(db)
    ingest.check_quarter(quarter)
    municipality_code = _municipality(municipality_code)
    uploaded_at = _now()
    with warehouse.write(db, on_wait=on_wait) as con:
        result = apply_rollback(
            con,
            project_code=project_code,
            municipality_code=municipality_code,
            quarter=quarter,
            to_upload_id=to_upload_id,
            user_name=user.name,
            user=user,
            uploaded_at=uploaded_at,
            upload_id=kept.next_id(con),  # after the rejected attempts logged beside the snapshots
        )
    with warehouse.locked(db):
        kept.export_manifest(db)
    return result


def replay_rollback(con: duckdb.DuckDBPyConnection, entry: dict) -> LoadResult:
    """Repeat a manifest rollback entry during a rebuild, onto the replayed upload of the same file."""
    target = entry["to_upload_id"]
    same_file = """select max(u.upload_id) from audit.uploads u
                   where u.file_sha256 = $sha and u.status = 'accepted' and u.project_code = $project
                     and u.quarter = $quarter and ($id is null or u.upload_id = $id)
                     and exists (select 1 from staging.clients c
                                 where c.upload_id = u.upload_id and c.municipality_code = $municipality)"""
    params = {
        "sha": entry["file_sha256"],
        "project": entry["project_code"],
        "quarter": entry["quarter"],
        "municipality": entry["municipality_code"],
    }
    # the id is kept by rebuilds; a manifest from before ids were recorded is matched by the file instead
    found = con.execute(same_file, {**params, "id": target}).fetchall()[0][0]
    found = found or con.execute(same_file, {**params, "id": None}).fetchall()[0][0]
    if found is None:
        raise ValueError(f"manifest rollback to #{target}: no replayed upload of file {entry['file_sha256']}")
    return apply_rollback(
        con,
        project_code=entry["project_code"],
        municipality_code=entry["municipality_code"],
        quarter=entry["quarter"],
        to_upload_id=found,
        user_name=entry["user_name"],
        uploaded_at=datetime.fromisoformat(str(entry["uploaded_at"])),
        upload_id=entry.get("upload_id"),
    )


def keep_original_id(con: duckdb.DuckDBPyConnection, replayed_id: int, original_id: int | None) -> None:
    """Give a replayed upload the id it had when first loaded (ids skipped by rejected uploads stay free)."""
    if original_id is None or original_id == replayed_id:
        return
    if original_id < replayed_id:
        raise ValueError(f"upload #{original_id} replayed after upload #{replayed_id - 1}")
    tables = con.execute(
        """select c.table_schema, c.table_name
           from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
           where c.column_name = 'upload_id' and c.table_schema in ('audit', 'staging')
             and t.table_type = 'BASE TABLE'"""
    ).fetchall()
    for schema, table in tables:  # names come from the catalogue, not from input
        con.execute(
            f'update {schema}."{table}" set upload_id = ? where upload_id = ?', [original_id, replayed_id]
        )


def upload_history(con: duckdb.DuckDBPyConnection, project_code: str) -> pl.DataFrame:
    """Return one row per upload attempt and rollback of a project, newest first.

    Rejected attempts come from ``audit.uploads`` (older warehouses) and the log beside the snapshots.

    ``municipalities``: the lists an upload held (a rollback: the one it repointed); ``to_upload_id``:
    a rollback's target; ``current_for``: the municipalities whose list for the row's quarter is this one.
    """
    con.register("rejected_log", kept.rejected_rows(con).filter(pl.col("project_code") == project_code))
    try:
        return _history(con, project_code)
    finally:
        con.unregister("rejected_log")


def _history(con: duckdb.DuckDBPyConnection, project_code: str) -> pl.DataFrame:
    return con.sql(
        """with attempts as (
               select upload_id, uploaded_at, user_name, project_code, quarter, kind, file_name, status,
                      n_rows, n_problems
               from audit.uploads
               union all
               select upload_id, uploaded_at, user_name, project_code, quarter, kind, file_name, status,
                      n_rows, n_problems
               from rejected_log
           ),
           held as (
               select upload_id, list(distinct municipality_code order by municipality_code) as municipalities
               from staging.clients where project_code = $project group by all
           ),
           standing as (
               select upload_id, list(municipality_code order by municipality_code) as current_for
               from staging.client_snapshots where project_code = $project group by all
           )
           select u.upload_id, u.uploaded_at, u.user_name, u.quarter, u.kind, u.file_name, u.status,
                  u.n_rows, u.n_problems,
                  coalesce(if(r.upload_id is null, h.municipalities, [r.municipality_code]), [])
                      as municipalities,
                  r.to_upload_id,
                  coalesce(c.current_for, []) as current_for
           from attempts u
           left join held h using (upload_id)
           left join standing c using (upload_id)
           left join audit.rollbacks r using (upload_id)
           where u.project_code = $project
           order by u.upload_id desc""",
        params={"project": project_code},
    ).pl()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
