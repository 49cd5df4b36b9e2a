"""Benchmark the dashboard's pages at 1x and 1000x the VALPAS 2 volume (issue 4).

Builds (or takes from the cache) the 1x demo warehouse and one with 1000 times its clients, events and
participations (``benchmarks/_warehouses.py``), then times each page's whole script run under Streamlit's
AppTest: the cold first run of a fresh process, warm runs (``st.cache_data`` filled), runs with the caches
cleared (the first viewer after a new snapshot), and an empty page in the same processes. Prints the
ratios 1000x / 1x and the peak memory against the issue's targets. A miss is reported, never raised.

    python -m benchmarks.pages [--scales 1,1000] [--runs 7] [--profile PAGE]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import multiprocessing
import os
import platform
import pstats
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from benchmarks import _warehouses
from benchmarks._apptest import PAGES, Page, Run, peak_rss_mib, run_empty, run_page

SCALES = (1, 1000)
WARM_RUNS = 7  # warm runs per page and view, in rounds over every process
CACHE_COLD_RUNS = 3
FILTERED = (("municipality", "678"), ("gender", "woman"))  # Raahe, women: a view below the whole project
MAX_SCALE_RATIO = 2.0  # the targets: each page at 1000x <= 2x its time at 1x (warm) ...
MAX_SECONDS = 0.5  # ... and under 0.5 s ...
MAX_RSS_MIB = 500.0  # ... and the app's RSS under 500 MB (MiB here, the stricter reading)


def views() -> list[Page]:
    """Return every page in its default view (whole project, latest quarter) and in a filtered view."""
    return [*PAGES, *(Page(p.key, p.url, p.title, FILTERED) for p in PAGES)]


# --- measurements ---------------------------------------------------------------------------------


@dataclass
class Series:
    """The runs of one page view on one warehouse."""

    warm: list[Run] = field(default_factory=list)
    cache_cold: list[Run] = field(default_factory=list)
    first: Run | None = None

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.warm)

    @property
    def min(self) -> float:
        return min(r.seconds for r in self.warm)

    @property
    def error(self) -> str | None:
        runs = [*self.warm, *self.cache_cold, *([self.first] if self.first else [])]
        return next((r.error for r in runs if r.error), None)


@dataclass
class Results:
    """Everything one run of the benchmark measured."""

    series: dict[tuple[int, str], Series]  # (scale, view label) -> runs
    page_rss: dict[tuple[int, str], float]  # (scale, page key) -> peak RSS MiB of that page's process
    empty: list[Run]  # the empty script, run in every page process
    empty_first: Run
    app_rss: dict[int, float]  # scale -> peak RSS of one process that served every view
    app_seconds: dict[int, float]


def _serve_every_view(db: str) -> tuple[float, float]:
    """Open every view twice (cold, then warm) in this one process, as one server holds them; RSS, s."""
    start = time.perf_counter()
    for _ in range(2):
        for page in views():
            run_page(db, page)
    return peak_rss_mib(), time.perf_counter() - start


def measure(dbs: dict[int, Path], runs: int) -> Results:
    """Time every view on every warehouse; one long-lived process (spawn) per page and warehouse.

    The process's first run is the process-cold run (imports, first connection, empty caches). Then warm
    runs go in rounds, one run of each view in each process in turn, so a burst of load from elsewhere
    spreads over all of them; the empty script runs once per round in each process too. Cache-cold runs
    come after the warm ones (clearing the caches would make the next warm run cold).
    """
    spawn = multiprocessing.get_context("spawn")
    keys = [(scale, page.key) for scale in dbs for page in PAGES]
    series = {(scale, v.label): Series() for scale in dbs for v in views()}
    by_key = {page.key: [v for v in views() if v.key == page.key] for page in PAGES}
    empty: list[Run] = []
    with contextlib.ExitStack() as stack:
        empty_pool = stack.enter_context(ProcessPoolExecutor(1, mp_context=spawn))
        empty_first = empty_pool.submit(run_empty).result()  # AppTest alone, in a fresh process
        pools = {k: stack.enter_context(ProcessPoolExecutor(1, mp_context=spawn)) for k in keys}

        def once(key, page: Page, **kw) -> Run:
            return pools[key].submit(run_page, str(dbs[key[0]]), page, **kw).result()

        for key in keys:
            default, *others = by_key[key[1]]
            series[(key[0], default.label)].first = once(key, default)
            for view in others:  # untimed: fill its cache, so its timed runs are warm too
                series[(key[0], view.label)].first = once(key, view)
        for _ in range(runs):
            for key in keys:
                for view in by_key[key[1]]:
                    series[(key[0], view.label)].warm.append(once(key, view))
                empty.append(pools[key].submit(run_empty).result())
        for _ in range(CACHE_COLD_RUNS):
            for key in keys:
                default = by_key[key[1]][0]
                series[(key[0], default.label)].cache_cold.append(once(key, default, cache_cold=True))
        page_rss = {k: pools[k].submit(peak_rss_mib).result() for k in keys}
    app_rss, app_seconds = {}, {}
    for scale, db in dbs.items():
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            app_rss[scale], app_seconds[scale] = pool.submit(_serve_every_view, str(db)).result()
    return Results(series, page_rss, empty, empty_first, app_rss, app_seconds)


# --- the report -----------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: Results, scales: tuple[int, ...]) -> None:
    """Print the times per view and warehouse, then the ratios and memory against the targets."""
    empty = statistics.median(r.seconds for r in results.empty)
    print(f"  {'view':<46} {'scale':>5} {'warm med':>8} {'warm min':>8} {'runs':>4} {'net med':>7}"
          f" {'c-cold':>7} {'first s':>7} {'RSS':>5}")  # fmt: skip
    for (scale, label), s in results.series.items():
        cold = f"{statistics.median(r.seconds for r in s.cache_cold):7.3f}" if s.cache_cold else f"{'':>7}"
        first = f"{s.first.seconds:7.3f}" if s.first and "?" not in label else f"{'':>7}"
        rss = f"{results.page_rss[(scale, label.split()[0])]:5.0f}" if "?" not in label else f"{'':>5}"
        print(f"  {label:<46} {scale:>4}x {s.median:8.3f} {s.min:8.3f} {len(s.warm):4d}"
              f" {s.median - empty:7.3f} {cold} {first} {rss}")  # fmt: skip
    first = results.empty_first.seconds
    print(
        f"  {'empty page (st.write only), in the page processes':<52} {empty:8.3f}"
        f" {min(r.seconds for r in results.empty):8.3f} {len(results.empty):4d}"
        f"  (first, fresh process: {first:.3f} s)"
    )
    print("  warm: st.cache_data filled; net: warm median minus the empty page's; c-cold: median of runs")
    print("  after st.cache_data/cache_resource.clear() (first viewer of a new snapshot); first s: the")
    print("  first run of a fresh process (imports too); RSS: peak MiB of that page's process")

    errors = {(scale, label): s.error for (scale, label), s in results.series.items() if s.error}
    for (scale, label), error in errors.items():
        print(f"  ERROR {label} at {scale}x: {error}")

    big, small = max(scales), min(scales)
    if big != small:
        print(f"\n  {'view':<46} {f'{big}x/{small}x':>9} {'mins':>7} {'target':>7}      {f'{big}x s':>7}"
              f" {'target':>7}")  # fmt: skip
        for v in views():
            s_big, s_small = results.series[(big, v.label)], results.series[(small, v.label)]
            ratio = s_big.median / s_small.median
            broken = (big, v.label) in errors or (small, v.label) in errors
            r_ok = "ERROR" if broken else _verdict(ratio <= MAX_SCALE_RATIO)
            t_ok = "ERROR" if broken else _verdict(s_big.median < MAX_SECONDS)
            print(f"  {v.label:<46} {ratio:8.2f}x {s_big.min / s_small.min:6.2f}x"
                  f" {f'<= {MAX_SCALE_RATIO:g}x':>7} {r_ok:<5} {s_big.median:7.3f} {f'< {MAX_SECONDS:g}':>7}"
                  f" {t_ok}")  # fmt: skip
    print("\n  one process serving every view twice (cold, then warm), as one app server holds them all:")
    for scale in scales:
        rss, seconds = results.app_rss[scale], results.app_seconds[scale]
        target = f"target < {MAX_RSS_MIB:g} MiB  {_verdict(rss < MAX_RSS_MIB)}" if scale == big else "(info)"
        print(
            f"  {scale:>5}x  peak RSS {rss:5.0f} MiB  ({seconds:.1f} s for {2 * len(views())} runs)  {target}"
        )
    print("  PASS/MISS is judged on the warm medians; ERROR: the page raised, its time means little.")
    print("  A MISS or ERROR is reported, it does not fail the run.")


def profile_page(db: Path, key: str, top: int = 30) -> None:
    """cProfile one warm run of a page (in this process, after a warm-up) and print where the time goes."""
    page = next(p for p in PAGES if p.key == key)
    run_page(str(db), page)  # warm-up: imports and caches
    profiler = cProfile.Profile()
    profiler.runcall(run_page, str(db), page)
    stats = pstats.Stats(profiler)
    print(f"\ncProfile of one warm run of {key} on {db}: functions in dashboard/ by cumulative time")
    rows = [
        (f"{Path(file).parent.name}/{Path(file).stem}.{name}", calls, own, cumulative)
        for (file, _, name), (_, calls, own, cumulative, _) in stats.stats.items()
        if f"{os.sep}dashboard{os.sep}" in file
    ]
    print(f"  {'function':<52} {'cumulative s':>12} {'own s':>7} {'calls':>7}")
    for name, calls, own, cumulative in sorted(rows, key=lambda r: -r[3])[:top]:
        print(f"  {name:<52} {cumulative:12.3f} {own:7.3f} {calls:7d}")
    print(f"\nhottest calls by own time (top {top}):")
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    """Build or reuse the warehouses, time every page and print the report (``-h`` for options)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales", default=",".join(map(str, SCALES)), help="comma-separated, default 1,1000"
    )
    parser.add_argument(
        "--runs", type=int, default=WARM_RUNS, help=f"warm runs per view (default {WARM_RUNS})"
    )
    parser.add_argument("--profile", metavar="PAGE", choices=[p.key for p in PAGES],
                        help="also cProfile one warm run of PAGE on the largest warehouse")  # fmt: skip
    args = parser.parse_args([] if argv is None else argv)
    scales = tuple(int(s) for s in args.scales.split(","))

    libs = ", ".join(f"{lib} {version(lib)}" for lib in ("streamlit", "duckdb", "polars", "plotly"))
    print(f"python {platform.python_version()}, {libs}, {os.cpu_count()} CPUs, load average {_load()}")
    dbs = {}
    for scale in scales:
        built = _warehouses.warehouse_for(scale)
        size = _warehouses.describe(built.db)
        when = "from the cache" if built.cached else f"built in {built.seconds:.0f} s"
        print(f"{scale}x warehouse ({when}; {built.how}):")
        print("  " + ", ".join(f"{k} {v:,}" for k, v in size.items()))
        dbs[scale] = built.db
    print(f"  cache: {_warehouses.CACHE} (keyed by a hash of pipelines/ and the builder)")
    print("AppTest on dashboard/app.py, one new session per run, the page opened by its url path;")
    print(f"wall-clock times (time.perf_counter) of at.run(); views: default and ?{_query(FILTERED)}\n")
    report(measure(dbs, args.runs), scales)
    print(f"\nload average at the end {_load()}")
    if args.profile:
        profile_page(dbs[max(scales)], args.profile)


def _query(params) -> str:
    return "&".join(f"{k}={v}" for k, v in params)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main(sys.argv[1:])
