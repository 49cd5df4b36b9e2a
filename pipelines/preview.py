"""Preview what a validated upload would change, before the coordinator confirms it.

The "after" figures come from applying the upload with the real load code to a scratch copy of the
current snapshot, so the preview cannot disagree with what confirming will do.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines import ingest, marts, summary, warehouse
from pipelines.changes import Tracked
from pipelines.ingest import UploadMeta, Validated

SQL = Path(__file__).parent / "sql" / "preview"
CLIENT_COLUMNS = [
    "age_group",
    "gender",
    "start_date",
    "end_date",
    "status_at_entry",
    "is_long_term_unemployed",
    "status_at_exit",
    "pathway",
    "coach",
]
EVENT_COLUMNS = [  # stored_events.sql selects event_id and these
    "title",
    "event_date",
    "event_type",
    "delivery",
    "wellbeing_region_code",
    "municipality_code",
]


@dataclass(frozen=True)
class Preview:
    """Rows added, removed and changed per municipality (or for events), and headline figures before/after."""

    changes: (
        pl.DataFrame
    )  # one row per municipality (clients) or per kind (events): n_added, n_removed, n_changed
    before: dict[str, object] | None
    after: dict[str, object] | None
    is_unchanged: bool


def _query(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    return con.sql((SQL / f"{name}.sql").read_text(encoding="utf-8"), params=params).pl()


def _diff(old: pl.DataFrame, new: pl.DataFrame, key: str, columns: list[str]) -> tuple[int, int, int]:
    added = new.join(old, on=key, how="anti").height
    removed = old.join(new, on=key, how="anti").height
    both = old.join(new, on=key, how="inner", suffix="_new")
    changed = both.filter(pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_new")) for c in columns)).height
    return added, removed, changed


def client_changes(
    con: duckdb.DuckDBPyConnection, validated: Validated, project_code: str, quarter: str
) -> pl.DataFrame:
    """Compare each municipality's new list with the list that stands for that quarter now."""
    new = validated.frames["clients"]
    rows = []
    for municipality in validated.municipalities:
        old = _query(
            con, "client_list_as_at", project=project_code, municipality=municipality, quarter=quarter
        )
        mine = new.filter(pl.col("municipality_code") == municipality).select(old.columns)
        added, removed, changed = _diff(old, mine, "client_id", CLIENT_COLUMNS)
        rows.append(
            {
                "municipality_code": municipality,
                "n_before": old.height,
                "n_after": mine.height,
                "n_added": added,
                "n_removed": removed,
                "n_changed": changed,
            }
        )
    return pl.DataFrame(rows)


def event_changes(con: duckdb.DuckDBPyConnection, validated: Validated, project_code: str) -> pl.DataFrame:
    """Count events added and replaced, and participations before and after, for an events upload."""
    rows = []
    if (events := validated.frames.get("events")) is not None:
        old = _query(con, "stored_events", project=project_code)
        added, _, changed = _diff(
            old.filter(pl.col("event_id").is_in(events["event_id"].implode())),
            events.select(old.columns),
            "event_id",
            EVENT_COLUMNS,
        )
        rows.append({"kind": "events", "n_rows": events.height, "n_added": added, "n_changed": changed})
    if (attendance := validated.frames.get("attendance")) is not None:
        rows.append({"kind": "attendance", "n_rows": attendance.height, "n_added": None, "n_changed": None})
    return pl.DataFrame(
        rows, schema={"kind": pl.String, "n_rows": pl.Int64, "n_added": pl.Int64, "n_changed": pl.Int64}
    )


def _figures(con: duckdb.DuckDBPyConnection, project_code: str, quarter: str) -> dict[str, object] | None:
    has_data = summary.latest_quarter(con, project_code) is not None
    return summary.summary(con, project_code, quarter) if has_data else None


def preview(db: Path | str, validated: Validated, meta: UploadMeta) -> Preview:
    """Return what confirming this upload would change, computed on a scratch copy of the snapshot."""
    current = warehouse.current_snapshot(db)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "preview.duckdb"
        shutil.copyfile(current, scratch)
        con = duckdb.connect(str(scratch))
        try:
            migrated = warehouse.migrate(con)
            tracked = Tracked(con)  # notes what the upload writes, as the write's connection will
            warehouse.load_pathways(tracked)
            before = _figures(con, meta.project_code, meta.quarter)
            if validated.kind == "clients":
                changes = client_changes(con, validated, meta.project_code, meta.quarter)
            else:
                changes = event_changes(con, validated, meta.project_code)
            result = ingest.apply_upload(tracked, validated, meta, stored_file=None)
            marts.refresh(con, None if migrated else tracked.changed)  # as the write will
            after = _figures(con, meta.project_code, meta.quarter)
        finally:
            con.close()
    return Preview(changes, before, after, is_unchanged=result.status == "unchanged")
