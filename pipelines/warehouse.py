"""The DuckDB warehouse: published snapshots, one writer at a time, many readers.

``--db PATH`` names a stable path that is a symlink to the current snapshot file
``PATH.d/NNNNNN.duckdb``. A writer takes an exclusive lock (``PATH.lock``), copies the current snapshot
to a temporary file named for this one attempt (``NNNNNN.<pid>-<random>.tmp``), applies its change in one
transaction there, checkpoints, closes, fsyncs, renames it to the next snapshot number and swaps the
symlink with ``os.replace``. Readers open the resolved snapshot read-only, so they never see a
half-written state, and a new name per snapshot sidesteps DuckDB's in-process instance cache (a reopened
path would return the old instance). kill -9 at any point leaves the old snapshot current, or the new one
once the symlink is swapped. The next writer removes every file of an abandoned attempt, its DuckDB
journal (``*.tmp.wal``) too: a journal left beside a reused name would be replayed into the next copy
and bring a killed load back. A name is never reused, so no attempt can meet another's journal anyway.

Snapshots hold password hashes: the folders are created 0700 and every file 0600 (owner only).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines import changes, codes, marts

SQL_DIR = Path(__file__).parent / "sql"
REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
SNAPSHOT_GRACE_SECONDS = 300  # readers mid-rerun keep an old snapshot open at most this long
_SNAPSHOT = re.compile(r"^(\d{6})\.duckdb$")
FILE_MODE, DIR_MODE = 0o600, 0o700  # snapshots hold password hashes: the owner only
_step_hook: Callable[[str], None] | None = None  # tests: called at each step of a write (kill tests)


def _step(name: str) -> None:
    if _step_hook is not None:
        _step_hook(name)


def private_dir(folder: Path) -> Path:
    """Create ``folder`` (and missing parents) as 0700 and make an existing one 0700; return it."""
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(folder, DIR_MODE)
    return folder


def private_copy(source: Path, target: Path) -> None:
    """Copy a file to a new ``target`` created 0600 (never readable by others, not even for a moment)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with open(fd, "wb") as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)


class WarehouseBusy(Exception):
    """Another writer holds the lock and ``wait=False`` was asked."""


def snapshot_dir(db: Path) -> Path:
    """Return the folder that holds the numbered snapshot files of ``db``."""
    return db.with_name(db.name + ".d")


def uploads_dir(db: Path) -> Path:
    """Return the folder where accepted raw uploads are kept (``data/uploads`` for the default db)."""
    return db.parent / "uploads"


def current_snapshot(db: Path | str) -> Path | None:
    """Return the resolved file of the current snapshot, or None when no warehouse exists yet."""
    db = Path(db)
    return Path(os.path.realpath(db)) if db.exists() else None


def connect_reader(db: Path | str) -> duckdb.DuckDBPyConnection:
    """Open the current snapshot read-only."""
    path = current_snapshot(db)
    if path is None:
        raise FileNotFoundError(f"no warehouse at {db}")
    return duckdb.connect(str(path), read_only=True)


def ensure(db: Path | str) -> Path:
    """Create the warehouse (migrations and reference data) when it does not exist yet."""
    db = Path(db)
    if not db.exists():
        with write(db):
            pass
    return db


def pending_migrations(db: Path | str) -> list[str]:
    """The migrations the current snapshot of ``db`` has not had yet (none when there is no warehouse)."""
    if current_snapshot(db) is None:
        return []
    with contextlib.closing(connect_reader(db)) as con:
        has_table = con.execute(
            "select count(*) from information_schema.tables where table_name = 'schema_migrations'"
        ).fetchone()[0]
        applied = (
            {row[0] for row in con.execute("select version from main.schema_migrations").fetchall()}
            if has_table
            else set()
        )
    return [p.stem for p in sorted((SQL_DIR / "migrations").glob("*.sql")) if p.stem not in applied]


def upgrade(db: Path | str) -> list[str]:
    """Bring an existing warehouse up to this code's migrations (one write, which applies them)."""
    missing = pending_migrations(db)
    if missing:
        with write(db):
            pass
    return missing


_held = threading.local()  # lock files this thread holds, so a holder may call write() again


@contextlib.contextmanager
def locked(db: Path | str, on_wait: Callable[[], None] | None = None, wait: bool = True) -> Iterator[None]:
    """Hold the writer lock of ``db`` (an exclusive ``flock``; re-entrant within one thread).

    ``on_wait`` is called once when another writer holds the lock, before waiting for it;
    with ``wait=False`` a busy lock raises ``WarehouseBusy`` instead.
    """
    db = Path(db)
    db.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    lock_path = str(db.with_name(db.name + ".lock").resolve())
    held = _held.__dict__.setdefault("paths", set())
    if lock_path in held:
        yield
        return
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # a lock file from before modes were set
    with open(fd, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise WarehouseBusy(str(db)) from None
            if on_wait:
                on_wait()
            fcntl.flock(fh, fcntl.LOCK_EX)
        held.add(lock_path)
        try:
            yield
        finally:
            held.discard(lock_path)
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


fsync = _fsync  # ingest keeps the cells of an upload durably before the snapshot naming them


def _next_number(folder: Path) -> int:
    numbers = [int(m.group(1)) for p in folder.iterdir() if (m := _SNAPSHOT.match(p.name))]
    return max(numbers, default=0) + 1


def _is_leftover(name: str) -> bool:
    """Tell a file of an abandoned attempt: a temporary copy, its journal, or any journal at all.

    A published snapshot was checkpointed and closed before it was renamed, so it never has a journal;
    one beside it could only be replayed into it by the next connection that writes.
    """
    return ".tmp" in name or name.endswith(".wal")


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove every file that killed writers left in a snapshot folder (hold the lock); return them."""
    removed = [p for p in folder.iterdir() if _is_leftover(p.name)]
    for p in removed:
        p.unlink(missing_ok=True)
    return removed


def _remove_old(folder: Path, keep: Path) -> None:
    """Remove leftovers and snapshots that are no longer current and past the grace period."""
    now = time.time()
    remove_leftovers(folder)
    for p in folder.iterdir():
        if p != keep and _SNAPSHOT.match(p.name) and now - p.stat().st_mtime > SNAPSHOT_GRACE_SECONDS:
            p.unlink(missing_ok=True)


@contextlib.contextmanager
def write(
    db: Path | str,
    *,
    on_wait: Callable[[], None] | None = None,
    wait: bool = True,
    fresh: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection to a private copy; publish it when the block ends without error.

    The block runs inside one transaction; migrations and reference data are brought up to date first
    and the marts are rebuilt last, so every published snapshot is consistent. ``fresh`` starts from
    an empty warehouse instead of a copy of the current one (demo and rebuild). The block's connection
    is ``changes.Tracked``: it notes the tables the block's statements write, so only the marts that read
    them are rebuilt; every mart is after a migration, on a new warehouse, when the block did something
    the tracker cannot read, or when the mart SQL differs from what the marts were built from
    (``audit.marts_source``, ``pipelines.marts``).
    """
    db = Path(db)
    with locked(db, on_wait, wait):
        folder = private_dir(snapshot_dir(db))
        remove_leftovers(folder)  # from writers killed mid-way, journals included
        number = _next_number(folder)
        tmp = folder / f"{number:06d}.{os.getpid()}-{secrets.token_hex(6)}.tmp"  # never a reused name
        previous = current_snapshot(db)
        current = None if fresh else previous
        if current is not None:
            private_copy(current, tmp)
        _step("copy")
        con = duckdb.connect(str(tmp))
        os.chmod(tmp, FILE_MODE)  # a fresh file DuckDB created (inside a 0700 folder)
        try:
            migrated = migrate(con)
            con.execute("begin transaction")
            if current is None:
                load_reference(con)
            tracked = changes.Tracked(con)
            load_pathways(tracked)
            yield tracked  # duck-typed as the connection it wraps
            _step("load")
            marts.refresh(con, None if current is None or migrated else tracked.changed)
            con.execute("commit")
            _step("commit")
            con.execute("checkpoint")
            _step("checkpoint")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("rollback")
            con.close()
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
            raise
        con.close()
        _fsync(tmp)
        _step("fsync")
        final = folder / f"{number:06d}.duckdb"
        os.replace(tmp, final)
        _fsync(folder)
        _step("publish")
        link = db.with_name(db.name + ".link.tmp")
        link.unlink(missing_ok=True)
        link.symlink_to(os.path.relpath(final, db.parent))
        os.replace(link, db)
        _fsync(db.parent)
        _step("link")
        if previous is not None and previous.parent == folder.resolve():
            os.utime(previous)  # its grace period starts now, when it stops being current
        _remove_old(folder, keep=final)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the numbered migrations in ``sql/migrations`` that this file has not had yet; return them."""
    con.execute(
        "create table if not exists main.schema_migrations"
        " (version varchar primary key, applied_at timestamp)"
    )
    applied = {row[0] for row in con.execute("select version from main.schema_migrations").fetchall()}
    new = []
    for path in sorted((SQL_DIR / "migrations").glob("*.sql")):
        if path.stem in applied:
            continue
        con.execute("begin transaction")
        con.execute(path.read_text(encoding="utf-8"))
        con.execute("insert into main.schema_migrations values (?, ?)", [path.stem, _now()])
        con.execute("commit")
        new.append(path.stem)
    return new


def load_reference(con: duckdb.DuckDBPyConnection, folder: Path = REFERENCE_DIR) -> None:
    """Replace the ref tables with the shipped reference CSVs (codes kept as text)."""
    tables = {
        "wellbeing_regions": "wellbeing_regions.csv",
        "municipalities": "municipalities.csv",
        "projects": "projects.csv",
        "project_municipalities": "project_municipalities.csv",
        "published_figures": "published_figures.csv",
        "programmes": "programmes.csv",
        "project_programmes": "project_programmes.csv",
        "indicators": "indicators.csv",
    }
    for table, name in tables.items():
        con.execute(f"delete from ref.{table}")  # table names come from the dict above, not from input
        con.execute(
            f"insert into ref.{table} by name select * from read_csv(?, header = true, all_varchar = true)",
            [str(folder / name)],
        )


def load_pathways(con: duckdb.DuckDBPyConnection) -> bool:
    """Make ``ref.pathways`` say what ``codes.py`` says; return whether it had to change.

    The pathways are code, not reference data from a file: every write (and the upload preview) calls
    this, so a warehouse from before the table, or from before a pathway was added, catches up.
    """
    rows = codes.pathway_rows()
    if con.execute("select * from ref.pathways order by sort_order").fetchall() == rows:
        return False
    con.execute("delete from ref.pathways")
    con.executemany("insert into ref.pathways values (?, ?, ?, ?, ?)", rows)
    return True


def set_info(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Record a fact about this warehouse (e.g. ``is_demo``)."""
    con.execute("insert or replace into audit.warehouse_info values (?, ?)", [key, value])


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
