"""Benchmark the summary deck (PPTX / PDF) of the demo's whole-project view (issue 12 item 16).

One process, the demo warehouse (1x), the builders' caches filled first by an untimed deck (a presenter
exports the view the page already shows). Then, in rounds, each of:

- cold: the chart browser closed and no image kept, so the deck starts chromium and draws every chart;
  what every first export paid before the app started the browser ahead (``export.images.warm_up``);
- warm: the browser running, no image kept: the first deck after the warm-up, and what every later
  deck paid before drawn images were kept;
- reused: the PDF of a view whose PPTX was just made: every chart image is reused;
- (info) tables only: no browser at all, the slides show tables: the builders and the writer alone.

    python -m benchmarks.deck [--runs 3] [--profile]   # --profile: cProfile of one warm deck
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import time
from pathlib import Path

from benchmarks import _warehouses

TARGET = 5.0  # seconds: the goal for an export on this machine


def _view(db: Path):
    from dashboard import settings

    settings.quiet_streamlit()
    from dashboard import db as dashboard_db
    from dashboard.export import __main__ as cli

    args = cli.parser().parse_args(["--db", str(db), "--project", "VALPAS2", "--format", "pptx",
                                       "--out", os.devnull])  # fmt: skip
    dashboard_db.pin(db)
    view, error = cli._view(args)
    assert view is not None, error
    return view


def _timed(view, fmt: str) -> tuple[float, str | None]:
    from dashboard.export import summary

    start = time.perf_counter()
    result = summary(view, fmt)
    return time.perf_counter() - start, result.note


def _forget_images() -> None:
    from dashboard.export import images

    with images._renderer._lock:
        images._renderer._cache.clear()


def measure(view, runs: int) -> dict[str, list[float]]:
    """Time each way of making a deck ``runs`` times, one of each in turn."""
    from dashboard.export import images

    times: dict[str, list[float]] = {"cold": [], "warm": [], "reused": [], "tables": []}
    browser = os.environ.get("BROWSER_PATH")
    for _ in range(runs):
        images.close()
        _forget_images()
        times["cold"].append(_timed(view, "pptx")[0])
        _forget_images()
        times["warm"].append(_timed(view, "pptx")[0])
        times["reused"].append(_timed(view, "pdf")[0])
        images.close()
        os.environ["BROWSER_PATH"] = os.devnull + "-no-chromium"
        _forget_images()
        seconds, note = _timed(view, "pptx")
        assert note, "the tables-only deck drew charts"
        times["tables"].append(seconds)
        if browser is None:
            del os.environ["BROWSER_PATH"]
        else:
            os.environ["BROWSER_PATH"] = browser
    images.close()
    return times


def report(times: dict[str, list[float]]) -> None:
    rows = {
        "cold": "cold: chromium started, every chart drawn (the first export, before)",
        "warm": "warm: chromium running, every chart drawn (first export after warm-up)",
        "reused": "reused: PDF after the PPTX of the same view (charts kept)",
        "tables": "(info) tables only: no chromium, builders and writer alone",
    }
    base = statistics.median(times["cold"])
    print(f"  {'deck (VALPAS 2, whole project, 7 slides)':<74} median s   min s  / cold  target")
    for key, label in rows.items():
        med, low = statistics.median(times[key]), min(times[key])
        verdict = "" if key in ("cold", "tables") else ("PASS" if med < TARGET else "MISS")
        target = f"< {TARGET:.0f} s {verdict}" if verdict else ""
        print(f"  {label:<74} {med:8.2f} {low:7.2f} {med / base:6.2f}x  {target}")
    print("  / cold: the median over the cold median. PASS / MISS judged on the medians; it does not gate.")


def profile(view) -> None:
    """Print the hottest calls of one warm deck (chromium running, charts not drawn yet)."""
    from dashboard.export import images

    _timed(view, "pptx")  # start the browser outside the profile
    _forget_images()
    prof = cProfile.Profile()
    prof.runcall(_timed, view, "pptx")
    images.close()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.deck", description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--profile", action="store_true")
    args = p.parse_args(argv)
    from dashboard.export import images

    if images.browser_path() is None:
        print("  chromium not found: the deck benchmark needs it (`make browser`); skipped")
        return
    built = _warehouses.warehouse_for(1)
    view = _view(built.db)
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average {_load()}")
    _timed(view, "pptx")  # untimed: fill the builders' caches (and start the browser once)
    report(measure(view, args.runs))
    print(f"  load average at the end {_load()}")
    if args.profile:
        profile(view)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
