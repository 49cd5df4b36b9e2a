"""Benchmark the personal-data scan on wide files: time and peak memory grow with cells, not width².

A wide, short upload (3 data rows, ``--columns`` text columns of client-list look-alike cells, about 8 bytes
per cell: 5 000 columns is a 39 KB CSV) is scanned by ``pipelines.pii.scan`` and by the per-column scan it
replaced (a lazy frame per column, each planned over the whole width), each in its own spawned process so
its peak RSS is its own. Prints time, peak RSS and the ratios. Reports, never gates.

    python -m benchmarks.pii [--columns 1000 5000] [--baseline-max 2000]

The old scan is run only up to ``--baseline-max`` columns: at 5 000 it took minutes and 13 GB.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from benchmarks._apptest import peak_rss_mib

ROWS = 3
CELLS = ("VAL2-001", "Kittilä", "18-24", "31.7.2023", "työtön", "kyllä", "2023Q2", None)


def _frame(width: int):
    import polars as pl

    columns = {f"sarake{i}": [CELLS[(i + r) % len(CELLS)] for r in range(ROWS)] for i in range(width)}
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)).with_row_index(
        "excel_row", offset=2
    )


def _per_column_scan(frame) -> int:
    """Find candidate cells as ``pii.scan`` did before: one lazy frame per column, collected together."""
    import polars as pl

    from pipelines import pii

    columns = [n for n, d in frame.schema.items() if d == pl.String and n != pii.ROW]
    found = pl.collect_all(
        frame.lazy().select(pii.ROW, cell=pl.col(n)).filter(pl.col("cell").str.contains(pii._CANDIDATE))
        for n in columns
    )
    return sum(f.height for f in found)


def _measure(width: int, which: str) -> tuple[float, float, int]:
    """Scan a ``width``-column frame in this (fresh) process: seconds, peak RSS MiB, problems found."""
    from pipelines import pii

    frame = _frame(width)
    frame[0, f"sarake{width - 1}"] = (
        "soita 040 123 4567"  # one real find, so both scans do the verifying step too
    )
    start = time.perf_counter()
    found = len(pii.scan(frame)) if which == "ours" else _per_column_scan(frame)
    return time.perf_counter() - start, peak_rss_mib(), found


def _in_child(width: int, which: str) -> tuple[float, float, int]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_measure, width, which).result()


def main(argv: list[str] | None = None) -> None:
    """Print the scan's time and peak RSS per width, against the per-column baseline where it runs."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pii")
    parser.add_argument("--columns", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--baseline-max", type=int, default=2000)
    args = parser.parse_args(argv)
    empty = _in_child(1, "ours")
    print(f"{'columns':>8} {'scan':>9} {'s':>8} {'peak MiB':>9}   (a 1-column process: {empty[1]:.0f} MiB)")
    for width in args.columns:
        ours = _in_child(width, "ours")
        print(f"{width:>8} {'ours':>9} {ours[0]:>8.3f} {ours[1]:>9.0f}")
        if width <= args.baseline_max:
            old = _in_child(width, "per-column")
            print(f"{width:>8} {'old':>9} {old[0]:>8.3f} {old[1]:>9.0f}")
            print(
                f"{'':>8} {'ratio':>9} {old[0] / ours[0]:>7.0f}x {old[1] / ours[1]:>8.1f}x"
                "   (old / ours: time, peak RSS)"
            )


if __name__ == "__main__":
    main()
