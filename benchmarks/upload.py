"""Benchmark uploads against the published-snapshot design (issue 5): their cost, and what readers feel.

(a) One upload, ``ingest.load_file`` of Raahe's 2023Q3 client list, on the 1x and the 1000x warehouse
(a fresh clone each run, made before the clock starts), split into the snapshot copy, validation, the
marts rebuild, the fsyncs and the rest (lock, migrations check, insert, audit, commit, checkpoint, kept
cells, manifest copy, symlink swap). (b) Viewer page times on the 1000x warehouse while another process
loads client lists into it again and again, against the same pages with no writer, in the same run.
(c) ``--isolation`` only: reading in a child process (``pipelines.isolate``) against reading in the
caller, on a normal file alone and in a whole upload on the 1x warehouse, with the ratio.

    python -m benchmarks.upload [--runs 5] [--rounds 4] [--isolation]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from benchmarks import _warehouses
from benchmarks._apptest import PAGES, peak_rss_mib, run_page

PROJECT, QUARTER = "VALPAS2", "2023Q3"
RUNS = 5  # timed uploads per measurement, after one untimed first
ROUNDS = 4  # rounds over every page in each reader phase
PARTS = ("copy", "validate", "marts", "fsync")


# --- (a) one upload, split into parts -------------------------------------------------------------

_parts: dict[str, float] = {}


def _timed_part(name: str, fn, *args, **kwargs):
    start = time.perf_counter()
    try:
        return fn(*args, **kwargs)
    finally:
        _parts[name] = _parts.get(name, 0.0) + time.perf_counter() - start


@functools.cache
def _instrument() -> None:
    """Wrap, in this process only, the functions whose time the report splits out of ``load_file``."""
    from pipelines import ingest, marts, warehouse

    warehouse.private_copy = functools.partial(_timed_part, "copy", warehouse.private_copy)  # the snapshot
    validate, build, fsync = ingest.validate_upload, marts.build, warehouse._fsync
    ingest.validate_upload = functools.partial(_timed_part, "validate", validate)
    marts.build = functools.partial(_timed_part, "marts", build)
    warehouse._fsync = functools.partial(_timed_part, "fsync", fsync)


def run_upload(source_db: str, file: str, workdir: str) -> dict[str, float]:
    """Clone the warehouse (untimed), then time one ``load_file`` of ``file`` into it, part by part."""
    from pipelines import ingest

    _instrument()
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=workdir))
    db = _warehouses.clone(Path(source_db), folder)
    _parts.clear()
    start = time.perf_counter()
    result = ingest.load_file(db, file, project_code=PROJECT, quarter=QUARTER, kind="clients")
    total = time.perf_counter() - start
    if result.status != "accepted":
        raise RuntimeError(f"load_file: {result}")
    shutil.rmtree(folder)
    return {"total": total, **{p: _parts.get(p, 0.0) for p in PARTS}}


@dataclass(frozen=True)
class Upload:
    label: str
    scale: int  # of the warehouse
    file_scale: int  # of Raahe's list


UPLOADS = (
    Upload("1x warehouse, Raahe 1x list", 1, 1),
    Upload("1000x warehouse, Raahe 1x list", 1000, 1),
    Upload("1000x warehouse, Raahe 1000x list", 1000, 1000),
)


def measure_uploads(dbs: dict[int, Path], files: dict[int, Path], workdir: Path, runs: int) -> dict:
    """Time each upload in its own long-lived process (spawn), in rounds; return runs and peak RSS."""
    spawn = multiprocessing.get_context("spawn")
    todo = [u for u in UPLOADS if u.scale in dbs and u.file_scale in files]
    with contextlib.ExitStack() as stack:
        pools = {u.label: stack.enter_context(ProcessPoolExecutor(1, mp_context=spawn)) for u in todo}

        def once(u: Upload) -> dict[str, float]:
            return (
                pools[u.label]
                .submit(run_upload, str(dbs[u.scale]), str(files[u.file_scale]), str(workdir))
                .result()
            )

        first = {u.label: once(u) for u in todo}
        timed: dict[str, list] = {u.label: [] for u in todo}
        for _ in range(runs):
            for u in todo:
                timed[u.label].append(once(u))
        rss = {u.label: pools[u.label].submit(peak_rss_mib).result() for u in todo}
    return {"todo": todo, "first": first, "timed": timed, "rss": rss}


def report_uploads(m: dict, files: dict[int, Path], sizes: dict[int, int]) -> None:
    print(f"  {'upload (load_file, median of runs)':<36} {'rows':>6} {'total s':>8} {'min s':>7} "
          + " ".join(f"{p:>8}" for p in PARTS) + f" {'rest':>7} {'first s':>7} {'RSS':>5}")  # fmt: skip
    for u in m["todo"]:
        runs = m["timed"][u.label]
        med = {k: statistics.median(r[k] for r in runs) for k in ("total", *PARTS)}
        rest = statistics.median(r["total"] - sum(r[p] for p in PARTS) for r in runs)
        rows = files[u.file_scale].read_bytes().count(b"\n") - 1
        print(f"  {u.label:<36} {rows:6d} {med['total']:8.3f} {min(r['total'] for r in runs):7.3f} "
              + " ".join(f"{med[p]:8.3f}" for p in PARTS)
              + f" {rest:7.3f} {m['first'][u.label]['total']:7.3f} {m['rss'][u.label]:5.0f}")  # fmt: skip
    mib = ", ".join(f"{s}x {b / 2**20:.0f} MiB" for s, b in sizes.items())
    print(f"  copy: warehouse.private_copy of the snapshot ({mib}); validate: ingest.validate_upload;")
    print("  marts: marts.build; fsync: warehouse._fsync (snapshot file and folders); rest: the")
    print("  others (lock, migrations check, insert, audit row, commit, checkpoint, cells, manifest, swap)")
    by = {u.label: statistics.median(r["total"] for r in m["timed"][u.label]) for u in m["todo"]}
    if len(by) == 3:
        a, b, c = (by[u.label] for u in UPLOADS)
        print(f"  (info) same 40-row file, 1000x / 1x warehouse: {b / a:.2f}x;"
              f" 1000x list on 1000x / 1x list on 1x: {c / a:.2f}x")  # fmt: skip


# --- (b) readers while a writer loads -------------------------------------------------------------


def writer_loop(db: str, files: list[str], stop, out) -> None:
    """Load the files in turn into ``db`` until ``stop`` is set; put each load's seconds on ``out``."""
    from pipelines import ingest

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # DuckDB draws a progress bar on stderr when the marts rebuild is slow
    n = 0
    while not stop.is_set():
        start = time.perf_counter()
        result = ingest.load_file(
            db, files[n % len(files)], project_code=PROJECT, quarter=QUARTER, kind="clients"
        )
        out.put((result.status, time.perf_counter() - start, time.time()))
        n += 1


def measure_readers(db: Path, variants: list[Path], rounds: int) -> dict:
    """Time every page in a reader process: quiet, with a writer process loading, quiet again."""
    spawn = multiprocessing.get_context("spawn")
    phases: dict[str, dict[str, list[float]]] = {
        p: {page.key: [] for page in PAGES} for p in ("quiet", "busy")
    }
    new_snapshot = {page.key: 0 for page in PAGES}
    errors: dict[str, str] = {}
    loads: list[tuple[str, float, float]] = []
    with ProcessPoolExecutor(1, mp_context=spawn) as reader:

        def once(page, phase: str | None) -> None:
            before = os.path.realpath(db)
            run = reader.submit(run_page, str(db), page).result()
            if run.error:
                errors[page.key] = run.error
            if phase:
                phases[phase][page.key].append(run.seconds)
            if phase == "busy" and before != once.last.get(page.key, before):
                new_snapshot[page.key] += 1  # a new snapshot since this page's last run: its cache is cold
            once.last[page.key] = before

        once.last = {}
        for page in PAGES:
            once(page, None)  # warm-up: imports and caches
        for _ in range(rounds):
            for page in PAGES:
                once(page, "quiet")
        stop, out = spawn.Event(), spawn.Queue()
        writer = spawn.Process(target=writer_loop, args=(str(db), [str(v) for v in variants], stop, out))
        writer.start()
        while out.empty():  # the writer is up and has published once: from now on it overlaps the readers
            time.sleep(0.05)
        busy_from = time.time()
        for _ in range(rounds):
            for page in PAGES:
                once(page, "busy")
        busy_until = time.time()
        stop.set()
        while writer.is_alive() or not out.empty():
            with contextlib.suppress(Exception):
                loads.append(out.get(timeout=0.5))
        writer.join()
        for _ in range(rounds):
            for page in PAGES:
                once(page, "quiet")
        rss = reader.submit(peak_rss_mib).result()
    return {
        "phases": phases,
        "new_snapshot": new_snapshot,
        "errors": errors,
        "loads": loads,
        "busy": (busy_from, busy_until),
        "rss": rss,
    }


def report_readers(m: dict, rounds: int) -> None:
    quiet, busy = m["phases"]["quiet"], m["phases"]["busy"]
    print(f"  {'page (1000x warehouse)':<24} {'no writer':>9} {'writer':>8} {'ratio':>7} {'new snap':>8}")
    for page in PAGES:
        q, b = statistics.median(quiet[page.key]), statistics.median(busy[page.key])
        flag = "  (ERROR: the page raises)" if page.key in m["errors"] else ""
        print(
            f"  {page.key:<24} {q:9.3f} {b:8.3f} {b / q:6.2f}x {m['new_snapshot'][page.key]}/{rounds}{flag}"
        )
    q_all = statistics.median(x for v in quiet.values() for x in v)
    b_all = statistics.median(x for v in busy.values() for x in v)
    print(f"  {'every page':<24} {q_all:9.3f} {b_all:8.3f} {b_all / q_all:6.2f}x")
    busy_from, busy_until = m["busy"]
    during = [s for status, s, end in m["loads"] if busy_from <= end <= busy_until]
    statuses = sorted({status for status, *_ in m["loads"]})
    print(
        f"  writer: {len(m['loads'])} loads of Raahe's 1000x list ({', '.join(statuses)}), {len(during)} of"
    )
    if during:
        print(f"  them finished while the readers were timed; median load {statistics.median(during):.2f} s")
    print("  no writer: median of the runs before the writer started and after it stopped; writer: runs")
    print("  while it loaded; new snap: runs that found a snapshot published since that page's last run, so")
    print(f"  read a cold cache; reader process peak RSS {m['rss']:.0f} MiB")


def main(argv: list[str] | None = None) -> None:
    """Build or reuse the warehouses, then run (a) and (b) and print both reports."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.upload", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"timed uploads per measurement (default {RUNS})"
    )
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help=f"reader rounds per phase (default {ROUNDS})"
    )
    parser.add_argument("--isolation", action="store_true", help="run only (c), the child-process reader")
    args = parser.parse_args([] if argv is None else argv)
    if args.isolation:
        measure_isolation(args.runs * 4)
        return

    libs = ", ".join(f"{lib} {version(lib)}" for lib in ("streamlit", "duckdb", "polars"))
    print(f"python {platform.python_version()}, {libs}, {os.cpu_count()} CPUs, load average {_load()}")
    dbs = {}
    for scale in (1, 1000):
        built = _warehouses.warehouse_for(scale)
        when = "from the cache" if built.cached else f"built in {built.seconds:.0f} s"
        print(f"{scale}x warehouse ({when}): {built.db}")
        dbs[scale] = built.db
    sizes = {s: _warehouses.describe(db)["snapshot bytes"] for s, db in dbs.items()}
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        work = Path(tmp)
        files = {s: _warehouses.write_client_list(work / f"raahe_{QUARTER}_{s}x.csv", s, "Valmentaja X")
                 for s in (1, 1000)}  # fmt: skip
        print("\n(a) one upload: ingest.load_file of Raahe's 2023Q3 list (one coach changed), into a fresh")
        print("    clone of the warehouse each run; each measurement in its own process, in rounds\n")
        report_uploads(measure_uploads(dbs, files, work, args.runs), files, sizes)

        print(
            f"\n(b) viewer pages on a clone of the 1000x warehouse, {args.rounds} rounds of all pages each,"
        )
        print("    AppTest in one reader process; writer: another process running load_file in a loop\n")
        variants = [
            _warehouses.write_client_list(work / f"raahe_{c}.csv", 1000, f"Valmentaja {c}") for c in "YZ"
        ]
        db = _warehouses.clone(dbs[1000], work / "concurrent")
        report_readers(measure_readers(db, variants, args.rounds), args.rounds)
    print(f"\nload average at the end {_load()}")


def measure_isolation(runs: int) -> None:
    """(c): median seconds of a read and of a whole upload, read in a child process or in the caller."""
    from pipelines import ingest, isolate, read

    print(f"(c) reading in a child process (pipelines.isolate), median of {runs}; load average {_load()}")
    built = _warehouses.warehouse_for(1)
    sample = Path(__file__).resolve().parents[1] / "data" / "samples" / "tapahtumat_ja_osallistumiset.xlsx"
    with tempfile.TemporaryDirectory(prefix="bench-isolation-") as tmp:
        work = Path(tmp)
        csv = _warehouses.write_client_list(work / "raahe.csv", 1, "Valmentaja X")
        readers = {"caller": read.read_upload, "child": isolate.read_upload}
        for label, path, kind in (
            ("Raahe 1x list (.csv)", csv, "clients"),
            ("sample workbook", sample, "workbook"),
        ):
            isolate.read_upload(path, kind)  # the fork server's start is once per server process
            times = {where: [] for where in readers}
            for _ in range(runs):
                for where, reader in readers.items():
                    start = time.perf_counter()
                    reader(path, kind)
                    times[where].append(time.perf_counter() - start)
            _print_ratio(f"read {label}", times)
        times = {where: [] for where in readers}
        for n in range(runs):
            for where, reader in readers.items():
                db = _warehouses.clone(built.db, work / f"{where}{n}")
                ingest.isolate.read_upload = reader  # this process only: the caller's reader for "caller"
                start = time.perf_counter()
                result = ingest.load_file(db, csv, project_code=PROJECT, quarter=QUARTER, kind="clients")
                times[where].append(time.perf_counter() - start)
                assert result.status == "accepted", result
        ingest.isolate.read_upload = readers["child"]
        _print_ratio("upload of the Raahe 1x list, 1x warehouse (load_file)", times)


def _print_ratio(label: str, times: dict[str, list[float]]) -> None:
    caller, child = (statistics.median(times[w]) for w in ("caller", "child"))
    print(f"  {label:<56} caller {caller * 1000:7.1f} ms  child {child * 1000:7.1f} ms  "
          f"ratio {child / caller:5.2f}  (+{(child - caller) * 1000:.1f} ms)")  # fmt: skip


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main(sys.argv[1:])
