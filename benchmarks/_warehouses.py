"""Warehouses for the page and upload benchmarks: the VALPAS 2 demo at 1x and scaled up, cached on disk.

1x is ``pipelines.replay.build_demo``, exactly what ``make demo`` builds. A scaled warehouse is made the
same way, through the real pipeline: ``scale`` independent copies of the demo's invented population
(``demo.build_clients`` and ``demo_events.build_events`` / ``build_attendance``, each copy with its own
seed and its ids suffixed ``-0000``..), written as the coordinators' own files (one full client list per
municipality and quarter, in each coordinator's encoding; one events CSV and one attendance CSV per
quarter), then validated and applied one by one (``ingest.validate_upload`` + ``ingest.apply_upload``, as
``build_demo`` does) in one ``warehouse.write`` transaction whose end rebuilds the marts with the real mart
SQL. At 1000x: 128 000 clients (1 020 000 staging client rows over the 15 quarterly lists), 70 000 events,
1 259 000 professional participations; every client figure is exactly 1000 times the published one.

Built warehouses are kept under ``$TMPDIR/hanke-bench/`` keyed by the scale and a hash of the code that
makes them (this file, ``pipelines/*.py``, ``pipelines/sql/**``), so a re-run skips the build and any
change to the pipeline builds afresh. Benchmarks that write (uploads) work on a ``clone``.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import multiprocessing
import os
import random
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipelines import codes, demo, demo_events, quarters

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "hanke-bench"
BUILDER_VERSION = 1  # bump when the generated files change in a way the source hash would not show


@dataclass(frozen=True)
class Built:
    """A warehouse ready for reading: its stable path and how it came to be."""

    db: Path
    scale: int
    seconds: float  # the build's wall time, 0 when it came from the cache
    cached: bool
    how: str


def code_version() -> str:
    """Hash the code that decides a warehouse's content: this file and the pipeline with its SQL."""
    digest = hashlib.sha256(f"v{BUILDER_VERSION}".encode())
    files = [
        Path(__file__),
        *sorted((ROOT / "pipelines").rglob("*.py")),
        *sorted((ROOT / "pipelines").rglob("*.sql")),
    ]
    files += sorted((ROOT / "data" / "reference").glob("*.csv"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _headers(kind: str) -> list[str]:
    return [f.fi for f in codes.FIELDS[kind]]


def _copy_clients(k: int) -> list[demo.Client]:
    """Return copy ``k`` of the demo's 128 clients: the same outcome counts, its own dates and attributes."""
    clients = demo.build_clients(seed=demo.SEED + k)
    return [dataclasses.replace(c, client_id=f"{c.client_id}-{k:04d}") for c in clients]


def _copy_events(k: int, quarters: list) -> tuple[list, list]:
    """Return copy ``k`` of the demo's 70 events and their 1259 participations, ids suffixed."""
    events = demo_events.build_events(random.Random(demo.SEED + 1 + 1000 * k), quarters)
    attendance = demo_events.build_attendance(random.Random(demo.SEED + 2 + 1000 * k), events)
    events = [dataclasses.replace(e, event_id=f"{e.event_id}-{k:04d}") for e in events]
    attendance = [dataclasses.replace(a, event_id=f"{a.event_id}-{k:04d}") for a in attendance]
    return events, attendance


def write_scaled_files(folder: Path, scale: int) -> list[demo.DemoUpload]:
    """Write the coordinators' files of ``scale`` demo copies; return them in load order."""
    folder.mkdir(parents=True, exist_ok=True)
    bounds = [(q, *quarters.bounds(q)) for q in demo.quarters()]
    by_site: dict[str, list[demo.Client]] = {m.code: [] for m in demo.MUNICIPALITIES}
    events, attendance = [], []
    for k in range(scale):
        for c in _copy_clients(k):
            by_site[c.municipality].append(c)
        e, a = _copy_events(k, bounds)
        events += e
        attendance += a
    for clients in by_site.values():
        clients.sort(key=lambda c: (c.start_date, c.client_id))
    starts = {code: [c.start_date for c in clients] for code, clients in by_site.items()}
    uploads = []
    for quarter, first, last in bounds:
        for site in demo.MUNICIPALITIES:
            mine = by_site[site.code][: bisect.bisect_right(starts[site.code], last)]
            rows = [demo.client_row(c, last, site.written_as) for c in mine]
            path = folder / f"asiakkaat_{quarter}_{site.slug}.csv"
            demo.write_csv(path, _headers("clients"), rows, encoding=site.encoding)
            uploads.append(demo.DemoUpload(path, demo.PROJECT_CODE, quarter, "clients"))
        held = [e for e in events if first <= e.event_date <= last]
        if held:
            ids = {e.event_id for e in held}
            sheets = demo.workbook_sheets(
                held, [a for a in attendance if a.event_id in ids], first.year >= 2023
            )
            for kind, (header, rows) in zip(("events", "attendance"), sheets.values(), strict=True):
                path = demo.write_csv(folder / f"{kind}_{quarter}.csv", header, rows)
                uploads.append(demo.DemoUpload(path, demo.PROJECT_CODE, quarter, kind))
    return uploads


def build_scaled(db: Path, scale: int) -> int:
    """Build a warehouse of ``scale`` demo copies through validate + apply + marts; return the uploads."""
    from pipelines import replay, warehouse

    with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp, warehouse.locked(db):
        uploads = write_scaled_files(Path(tmp), scale)
        with warehouse.write(db, fresh=True) as con:
            warehouse.set_info(con, "is_demo", "true")  # the same pages as the 1x demo, notice included
            for upload in uploads:
                _, result = replay.load_generated(con, db, upload, "bench")  # what build_demo does per file
                if result.status != "accepted":
                    raise RuntimeError(f"{upload.path.name}: {result}")
    return len(uploads)


def _build(db: Path, scale: int) -> None:
    if scale == 1:
        from pipelines import replay

        replay.build_demo(db)
    else:
        build_scaled(db, scale)


def warehouse_for(scale: int, log=print) -> Built:
    """Return the cached warehouse of ``scale`` (1 = the demo itself), building it when absent."""
    folder = CACHE / f"{scale}x-{code_version()}"
    db = folder / "warehouse.duckdb"
    how = (
        "pipelines.replay.build_demo (make demo)"
        if scale == 1
        else f"{scale} demo copies as coordinator CSVs -> ingest.validate_upload + apply_upload -> marts"
    )
    if (folder / "done").exists() and db.exists():
        return Built(db, scale, 0.0, True, how)
    for old in CACHE.glob(f"{scale}x-*"):  # an older version of the code: its warehouse is stale
        shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(parents=True)
    log(f"  building the {scale}x warehouse in {folder} ...", flush=True)
    start = time.perf_counter()
    # in a process of its own, so the benchmark's parent stays small (its children are forked from it)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_build, db, scale).result()
    seconds = time.perf_counter() - start
    (folder / "done").write_text(f"{seconds:.1f}\n")
    return Built(db, scale, seconds, False, how)


def clone(db: Path, into: Path) -> Path:
    """Copy the current snapshot of ``db`` into a new warehouse at ``into/warehouse.duckdb``; return it."""
    from pipelines import warehouse

    target = into / "warehouse.duckdb"
    snapshots = warehouse.snapshot_dir(target)
    snapshots.mkdir(parents=True)
    shutil.copyfile(warehouse.current_snapshot(db), snapshots / "000001.duckdb")
    os.symlink(os.path.relpath(snapshots / "000001.duckdb", into), target)
    return target


def describe(db: Path) -> dict[str, int]:
    """Return the row counts that say how big a warehouse is, and its snapshot file size in bytes."""
    from pipelines import warehouse

    con = warehouse.connect_reader(db)
    try:
        sql = {
            "clients (2023Q3)": "select coalesce(sum(n_clients), 0) from marts.client_counts"
            " where project_code = 'VALPAS2' and quarter = '2023Q3'",
            "staging.clients rows": "select count(*) from staging.clients",
            "marts.client_counts rows": "select count(*) from marts.client_counts",
            "events": "select count(*) from marts.events",
            "participations": "select coalesce(sum(n_participations), 0) from marts.participations",
        }
        out = {name: con.execute(q).fetchall()[0][0] for name, q in sql.items()}
    finally:
        con.close()
    out["snapshot bytes"] = warehouse.current_snapshot(db).stat().st_size
    return out


def write_client_list(
    path: Path, scale: int, coach: str, site_code: str = "678", quarter: str = "2023Q3"
) -> Path:
    """Write one municipality's full client list at ``quarter`` as stored at ``scale``, one cell changed.

    The list is the one the warehouse of that scale already holds (Raahe, 2023Q3, cp1252, by default), with
    the first client's coach set to ``coach``: a real replacement upload, never an "unchanged" one.
    """
    site = next(m for m in demo.MUNICIPALITIES if m.code == site_code)
    every = demo.build_clients() if scale == 1 else [c for k in range(scale) for c in _copy_clients(k)]
    last = quarters.end(quarter)
    mine = sorted((c for c in every if c.municipality == site_code and c.start_date <= last),
                  key=lambda c: (c.start_date, c.client_id))  # fmt: skip
    mine[0] = dataclasses.replace(mine[0], coach=coach)
    rows = [demo.client_row(c, last, site.written_as) for c in mine]
    return demo.write_csv(path, _headers("clients"), rows, encoding=site.encoding)
