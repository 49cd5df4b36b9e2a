"""A writer killed (SIGKILL of a real child process) at each step of a write: the next writer and
``rebuild`` see exactly the old or the new state, never a killed load come back; what is kept on disk is
the owner's only and holds no raw workbook."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

from pipelines import ingest, kept, replay, users, warehouse
from tests.pipelines.conftest import clients_csv, snapshot_state
from tests.pipelines.test_concurrency import TIMEOUT, rows, spawn, wait_for
from tests.pipelines.test_concurrency import children as children  # the fixture

KILLED_AT = """
import sys, time
from pathlib import Path
from pipelines import ingest, warehouse
db, path, marker, step = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
def hook(name):
    if name == step:
        marker.write_text(name)
        time.sleep(float(sys.argv[5]))
warehouse._step_hook = hook
ingest.load_file(db, path, project_code="VALPAS2", quarter="2021Q2", kind="clients", user_name="killed")
"""
BEFORE_PUBLISHING = ("copy", "load", "commit", "checkpoint", "fsync", "publish")
SQL_TOTAL = "select coalesce(sum(n_clients), 0) from marts.client_counts where quarter = '2021Q2'"


def sixty_clients() -> tuple[str, ...]:
    return tuple(f"K-{i:03d};261;18-24;nainen;1.2.2021;;työtön;;;;Valmentaja A" for i in range(60))


def load(db: Path, path: Path, kind: str = "clients") -> ingest.LoadResult:
    return ingest.load_file(db, path, project_code="VALPAS2", quarter="2021Q2", kind=kind)


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in warehouse.snapshot_dir(db).iterdir() if not p.name.endswith(".duckdb"))


@pytest.mark.parametrize("step", [*BEFORE_PUBLISHING, "link"])
def test_a_load_killed_at_any_step_leaves_the_old_or_the_new_state_for_the_next_writer_and_rebuild(
    db, tmp_path, children, step
):
    load(db, clients_csv(tmp_path / "a.csv"))
    old = snapshot_state(db)
    marker = tmp_path / "marker"
    child = spawn(KILLED_AT, db, clients_csv(tmp_path / "big.csv", sixty_clients()), marker, step, TIMEOUT)
    children.append(child)
    wait_for(marker.exists, f"the child to reach {step}", child)

    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=TIMEOUT) == -signal.SIGKILL

    published = step == "link"
    expected_total, killed_rows = (60, 1) if published else (3, 0)
    assert rows(db, SQL_TOTAL) == [(expected_total,)]
    new = snapshot_state(db)
    assert (new == old) is not published
    # an unrelated writer (as ``users add``) must not pick up anything the dead one left, a journal least
    with warehouse.write(db) as con:
        users.add_user(con, "ulla", "a long enough password 123", "viewer", None, [])
    assert leftovers(db) == []
    assert rows(db, SQL_TOTAL) == [(expected_total,)]
    assert rows(db, "select count(*) from audit.uploads where user_name = 'killed'") == [(killed_rows,)]
    assert snapshot_state(db) == new

    replay.rebuild(db)  # what it replays is part of the published snapshot: nothing accepted is lost

    assert rows(db, SQL_TOTAL) == [(expected_total,)]
    assert rows(db, "select count(*) from audit.uploads where user_name = 'killed'") == [(killed_rows,)]
    assert snapshot_state(db) == new
    assert rows(db, "select user_name from audit.users") == [("ulla",)]
    big = ingest.sha256_of(tmp_path / "big.csv")
    on_disk = sorted(p.name for p in warehouse.uploads_dir(db).iterdir())
    first = f"{ingest.sha256_of(tmp_path / 'a.csv')}.clients.clients.parquet"
    assert on_disk == sorted([kept.MANIFEST, first]
                          + ([f"{big}.clients.clients.parquet"] if published else []))  # fmt: skip


def test_rebuild_after_losing_the_snapshots_uses_the_copy_of_the_manifest(db, tmp_path):
    load(db, clients_csv(tmp_path / "a.csv"))
    load(db, clients_csv(tmp_path / "big.csv", sixty_clients()))
    before = snapshot_state(db)
    db.unlink()
    for path in warehouse.snapshot_dir(db).iterdir():
        path.unlink()

    assert replay.rebuild(db) == 2
    assert snapshot_state(db) == before


def _modes(root: Path) -> dict[str, int]:
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            if not path.is_symlink():
                found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_snapshots_lock_kept_cells_and_manifest_are_the_owners_only(tmp_path):
    db = warehouse.ensure(tmp_path / "wh" / "warehouse.duckdb")
    load(db, clients_csv(tmp_path / "a.csv"))
    with warehouse.write(db) as con:  # password hashes from here on
        users.add_user(con, "ulla", "a long enough password 123", "viewer", None, [])

    modes = _modes(db.parent)

    assert {"warehouse.duckdb.lock", "uploads", "warehouse.duckdb.d", "uploads/manifest.jsonl"} <= set(modes)
    assert any(name.endswith(".parquet") for name in modes)
    assert {name: mode for name, mode in modes.items() if mode & 0o077} == {}
    assert {modes["uploads"], modes["warehouse.duckdb.d"]} == {0o700}
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_an_existing_world_readable_lock_and_folder_are_made_private(tmp_path):
    db = tmp_path / "wh" / "warehouse.duckdb"
    warehouse.snapshot_dir(db).mkdir(parents=True, mode=0o755)
    lock = db.with_name(db.name + ".lock")
    lock.touch(mode=0o644)
    os.chmod(lock, 0o644)

    warehouse.ensure(db)

    assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    assert stat.S_IMODE(warehouse.snapshot_dir(db).stat().st_mode) == 0o700


EMAIL = "maija.meikalainen@example.fi"


def _workbook_with_personal_data_outside_the_cells(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    header = (
        "asiakastunnus kunta ikäryhmä aloituspäivä lopetuspäivä tilanne_alussa tilanne_lopussa jatkopolku"
    )
    sheet.append(header.split())
    sheet.append(["KIT-001", "Kittilä", "18-24", "1.2.2021", None, "työtön", None, None])
    sheet.append(["KIT-002", "Kittilä", "25-29", "3.2.2021", None, "opiskelija", None, None])
    sheet["A2"].comment = Comment(f"soita {EMAIL}", "coordinator")
    notes = book.create_sheet("muistiinpanot")
    notes.append(["yhteyshenkilö", EMAIL])
    book.properties.creator = EMAIL
    book.properties.description = EMAIL
    book.defined_names["yhteys"] = DefinedName("yhteys", attr_text=f'"{EMAIL}"')
    book.save(path)
    assert EMAIL.encode() in b"".join(_unzipped(path))  # the workbook really carries it
    return path


def _unzipped(path: Path) -> list[bytes]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return [archive.read(name) for name in archive.namelist()]


def test_nothing_of_an_accepted_workbook_but_its_validated_cells_is_kept(db, tmp_path):
    path = _workbook_with_personal_data_outside_the_cells(tmp_path / "asiakkaat.xlsx")

    result = load(db, path)
    replay.rebuild(db)  # a rebuild replays from what was kept

    if result.status == "accepted":  # or rejected by a scan that looks beyond the cells: both are fine
        assert rows(db, SQL_TOTAL) == [(2,)]
    assert rows(db, "select count(*) from audit.uploads where status = 'accepted'") == [
        (int(result.status == "accepted"),)
    ]
    files = [p for p in db.parent.rglob("*") if p.is_file() and not p.is_symlink()]
    assert not [p for p in files if p.suffix.lower() in (".xlsx", ".csv")]
    assert [p.name for p in files if EMAIL.encode() in p.read_bytes()] == []
    assert [p.name for p in files if EMAIL.encode("utf-16-le") in p.read_bytes()] == []


def test_rebuild_turns_raw_files_an_older_version_kept_into_cells_and_removes_them(db, tmp_path):
    path = clients_csv(tmp_path / "a.csv")
    result = load(db, path)
    before = snapshot_state(db)
    uploads = warehouse.uploads_dir(db)
    for cells in uploads.glob("*.parquet"):  # as an older version left it: the raw file, named by its hash
        cells.unlink()
    raw = uploads / f"{ingest.sha256_of(path)}.csv"
    raw.write_bytes(path.read_bytes())
    with warehouse.write(db) as con:
        con.execute(
            "update audit.uploads set stored_file = ? where upload_id = ?", [raw.name, result.upload_id]
        )

    assert replay.rebuild(db) == 1

    assert snapshot_state(db) == before
    assert not raw.exists()
    assert [p.suffix for p in uploads.iterdir() if p.name != kept.MANIFEST] == [".parquet"]
    assert rows(db, "select stored_file from audit.uploads") == [(f"{ingest.sha256_of(path)}.clients",)]
