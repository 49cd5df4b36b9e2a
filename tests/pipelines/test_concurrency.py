"""Fault tests on a real warehouse file with real processes: one writer at a time, readers never blocked,
kill -9 mid-write harmless. Every wait is bounded, so a broken lock fails the test instead of hanging it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines import ingest, warehouse
from pipelines.i18n import t
from tests.pipelines.conftest import VALID_ROWS, clients_csv, rows, snapshot_state

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 90  # seconds; generous for a loaded CI machine, finite so nothing hangs
WAITING = t("cli.waiting", "en")
POSIO_ROWS = ("POS-001;Posio;18-24;mies;1.2.2021;;työtön;ei;;;Valmentaja A",)

HOLD_LOCK = """
import sys, time
from pathlib import Path
from pipelines import warehouse
db, held, release = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
with warehouse.locked(db):
    held.write_text("held")
    deadline = time.monotonic() + float(sys.argv[4])
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
"""

READ_TOTALS = """
import sys, time
from pathlib import Path
from pipelines import warehouse
db, out, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
deadline = time.monotonic() + float(sys.argv[4])
sql = "select coalesce(sum(n_clients), 0) from marts.client_counts where quarter = '2021Q2'"
with open(out, "a", encoding="utf-8") as fh:
    while not stop.exists() and time.monotonic() < deadline:
        try:
            con = warehouse.connect_reader(db)
            try:
                line = str(con.execute(sql).fetchall()[0][0])
            finally:
                con.close()
        except Exception as err:
            line = "error " + " ".join(f"{type(err).__name__}: {err}".split())
        fh.write(line + "\\n")
        fh.flush()
"""

KILLED_MID_WRITE = """
import sys, time
from pathlib import Path
from pipelines import ingest, kept, warehouse
db, path, inside, stage = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
meta = kept.UploadMeta("VALPAS2", "2021Q2", "clients", path.name, ingest.sha256_of(path), "killed")
with warehouse.write(db) as con:
    ctx = ingest.load_context(con, "VALPAS2", "2021Q2")
    ingest.apply_upload(con, ingest.validate_upload(path, "clients", ctx), meta, None)
    if stage == "committed":  # the private copy is complete on disk; only publishing is left
        con.execute("commit")
        con.execute("checkpoint")
    inside.write_text(stage)
    time.sleep(float(sys.argv[5]))
"""


def spawn(script: str, *args: object, stderr=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )


def cli_load(db: Path, path: Path, stderr) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines",
            "load",
            "--db",
            str(db),
            "--project",
            "VALPAS2",
            "--quarter",
            "2021Q2",
            "--kind",
            "clients",
            "--format",
            "json",
            "--lang",
            "en",
            str(path),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )


@pytest.fixture
def children():
    """Processes started by a test; any still running at the end are killed, so none outlive it."""
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=TIMEOUT)


def wait_for(condition: Callable[[], bool], what: str, *procs: subprocess.Popen) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        for proc in procs:
            if proc.poll() is not None:
                raise AssertionError(
                    f"a child exited ({proc.returncode}) before {what}: {proc.communicate()}"
                )
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def clients(n: int) -> tuple[str, ...]:
    return tuple(f"K-{i:03d};261;18-24;nainen;1.2.2021;;työtön;;;;Valmentaja A" for i in range(n))


def test_two_writers_are_serialised_and_each_says_why_it_waits(db, tmp_path, children):
    held, release = tmp_path / "held", tmp_path / "release"
    holder = spawn(HOLD_LOCK, db, held, release, TIMEOUT)
    children.append(holder)
    wait_for(held.exists, "the helper to take the lock", holder)
    files = [clients_csv(tmp_path / "kittila.csv"), clients_csv(tmp_path / "posio.csv", POSIO_ROWS)]
    errs = [tmp_path / "kittila.err", tmp_path / "posio.err"]
    loads = []
    for path, err in zip(files, errs, strict=True):
        with open(err, "w") as fh:
            loads.append(cli_load(db, path, fh))
    children.extend(loads)
    for err, proc in zip(errs, loads, strict=True):
        wait_for(lambda err=err: WAITING in err.read_text(), "the waiting message", proc)
    assert all(proc.poll() is None for proc in loads)  # both blocked while the lock is held

    release.touch()
    outputs = [json.loads(proc.communicate(timeout=TIMEOUT)[0]) for proc in loads]

    assert [proc.returncode for proc in loads] == [0, 0]
    assert [out["status"] for out in outputs] == ["accepted", "accepted"]
    assert sorted(out["upload_id"] for out in outputs) == [1, 2]
    assert [err.read_text().strip() for err in errs] == [WAITING, WAITING]
    # the second writer started from the first one's snapshot: neither load was lost
    assert rows(
        db,
        "select municipality_code, sum(n_clients) from marts.client_counts "
        "where quarter = '2021Q2' group by 1 order by 1",
    ) == [("261", 3), ("614", 1)]
    assert holder.wait(timeout=TIMEOUT) == 0


def test_a_writer_with_the_lock_free_does_not_wait(db, tmp_path, children):
    err = tmp_path / "load.err"
    with open(err, "w") as fh:
        proc = cli_load(db, clients_csv(tmp_path / "a.csv"), fh)
    children.append(proc)

    out = json.loads(proc.communicate(timeout=TIMEOUT)[0])

    assert (proc.returncode, out["status"], err.read_text()) == (0, "accepted", "")


def test_an_open_reader_does_not_block_a_load_and_keeps_its_snapshot(db, tmp_path, children):
    ingest.load_file(
        db, clients_csv(tmp_path / "a.csv"), project_code="VALPAS2", quarter="2021Q2", kind="clients"
    )
    session = warehouse.connect_reader(db)  # like a dashboard session, open across the load
    sql = "select sum(n_clients) from marts.client_counts where quarter = '2021Q2'"
    try:
        proc = cli_load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:1]), subprocess.PIPE)
        children.append(proc)
        _, err = proc.communicate(timeout=TIMEOUT)

        assert (proc.returncode, err) == (0, "")
        assert session.execute(sql).fetchall() == [(3,)]  # the snapshot it opened, never a mix
        assert rows(db, sql) == [(1,)]  # a new connection sees the new snapshot
    finally:
        session.close()


def test_readers_see_the_old_or_the_new_total_never_an_error_or_a_mix(db, tmp_path, children):
    out, stop = tmp_path / "totals.txt", tmp_path / "stop"
    out.touch()
    reader = spawn(READ_TOTALS, db, out, stop, TIMEOUT)
    children.append(reader)
    wait_for(lambda: out.read_text().count("\n") >= 3, "the first reads", reader)

    for n in range(1, 6):
        result = ingest.load_file(
            db,
            clients_csv(tmp_path / f"{n}.csv", clients(n)),
            project_code="VALPAS2",
            quarter="2021Q2",
            kind="clients",
        )
        assert result.status == "accepted"
        wait_for(lambda n=n: f"\n{n}\n" in "\n" + out.read_text(), f"a read of total {n}", reader)
    stop.touch()
    assert reader.wait(timeout=TIMEOUT) == 0

    seen = out.read_text().splitlines()
    errors = [line for line in seen if not line.isdigit()]
    assert errors == []
    totals = [int(line) for line in seen]
    assert set(totals) == {0, 1, 2, 3, 4, 5}
    assert totals == sorted(totals)  # each read is the latest published snapshot or a later one


@pytest.mark.parametrize("stage", ["written", "committed"])
def test_kill_9_inside_a_write_leaves_the_previous_state_and_a_working_warehouse(
    db, tmp_path, children, stage
):
    ingest.load_file(
        db, clients_csv(tmp_path / "a.csv"), project_code="VALPAS2", quarter="2021Q2", kind="clients"
    )
    before, current = snapshot_state(db), warehouse.current_snapshot(db)
    log = rows(db, "select * from audit.uploads order by all")
    inside = tmp_path / "inside"
    child = spawn(
        KILLED_MID_WRITE, db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:1]), inside, stage, TIMEOUT
    )
    children.append(child)
    wait_for(inside.exists, "the child to be inside warehouse.write", child)

    os.kill(child.pid, signal.SIGKILL)

    assert child.wait(timeout=TIMEOUT) == -signal.SIGKILL
    leftovers = list(warehouse.snapshot_dir(db).glob("*.tmp"))
    assert leftovers, "the kill should have left the private copy behind"
    assert warehouse.current_snapshot(db) == current
    assert snapshot_state(db) == before
    assert rows(db, "select * from audit.uploads order by all") == log
    with warehouse.locked(db, wait=False):  # the dead writer's lock went with it
        pass

    after = ingest.load_file(
        db,
        clients_csv(tmp_path / "c.csv", VALID_ROWS[:2]),
        project_code="VALPAS2",
        quarter="2021Q2",
        kind="clients",
    )

    assert after.status == "accepted"
    assert not any(p.exists() for p in leftovers)
    assert rows(db, "select sum(n_clients) from marts.client_counts where quarter = '2021Q2'") == [(2,)]
    assert rows(db, "select count(*) from audit.uploads where user_name = 'killed'") == [(0,)]
