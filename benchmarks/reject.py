"""Benchmark a rejected upload on the 1000x warehouse (issue 11): its time and what it publishes.

One ``ingest.load_file`` of Raahe's 2023Q3 client list with one impossible start date (so the file is
rejected), into a fresh clone of the warehouse each run (made before the clock starts). Reported: the
median time, and the snapshot files and bytes the rejected upload published (a copy of the whole
warehouse before rejected attempts were logged beside the snapshots instead).

    python -m benchmarks.reject [--runs 5] [--db PATH]   # PATH: a built 1000x warehouse to reuse
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import _warehouses

PROJECT, QUARTER = "VALPAS2", "2023Q3"


def rejected_list(path: Path) -> Path:
    """Write Raahe's 1x list with the last client's start date made impossible (31.2.)."""
    _warehouses.write_client_list(path, 1, "Valmentaja X")
    raw = path.read_bytes()
    lines = raw.split(b"\r\n") if b"\r\n" in raw else raw.split(b"\n")
    header = lines[0].decode("cp1252").split(";")
    at = next(i for i, h in enumerate(header) if h.startswith("aloitus"))
    last = max(i for i, line in enumerate(lines) if line.strip())
    cells = lines[last].split(b";")
    cells[at] = b"31.2.2021"
    lines[last] = b";".join(cells)
    path.write_bytes(b"\r\n".join(lines))
    return path


def run(db: Path, file: Path, work: Path) -> dict[str, float]:
    """Time one rejected ``load_file`` on a clone of ``db``; count what it published."""
    from pipelines import ingest, warehouse

    folder = Path(tempfile.mkdtemp(prefix="reject-", dir=work))
    clone = _warehouses.clone(db, folder)
    before = {p: p.stat().st_size for p in warehouse.snapshot_dir(clone).glob("*.duckdb")}
    start = time.perf_counter()
    result = ingest.load_file(clone, file, project_code=PROJECT, quarter=QUARTER, kind="clients")
    seconds = time.perf_counter() - start
    if result.status != "rejected":
        raise RuntimeError(f"load_file: {result}")
    new = [p for p in warehouse.snapshot_dir(clone).glob("*.duckdb") if p not in before]
    out = {"seconds": seconds, "snapshots": len(new), "bytes": sum(p.stat().st_size for p in new)}
    shutil.rmtree(folder)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reject", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed rejected uploads (default 5)")
    parser.add_argument("--db", type=Path, help="a 1000x warehouse to reuse (default: the cached one)")
    args = parser.parse_args([] if argv is None else argv)
    db = args.db or _warehouses.warehouse_for(1000).db
    with tempfile.TemporaryDirectory(prefix="bench-reject-") as tmp:
        work = Path(tmp)
        file = rejected_list(work / "raahe_rejected.csv")
        run(db, file, work)  # untimed first run
        runs = [run(db, file, work) for _ in range(args.runs)]
    median = statistics.median(r["seconds"] for r in runs)
    print(f"rejected upload on the 1000x warehouse ({_warehouses.describe(db)['snapshot bytes']} B snapshot)")
    print(f"  median {median:.3f} s, min {min(r['seconds'] for r in runs):.3f} s over {args.runs} runs")
    print(f"  published per rejected upload: {runs[-1]['snapshots']} snapshot(s), {runs[-1]['bytes']} bytes")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
