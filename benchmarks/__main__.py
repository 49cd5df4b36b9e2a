"""Run every benchmark in this folder: ``python -m benchmarks`` (what ``make bench`` runs).

A benchmark is a module ``benchmarks/<name>.py`` whose name does not start with ``_`` (those are helpers)
and that defines ``main()``; they run in name order, each with its defaults. Benchmarks report, they do not
gate: a missed target never fails the run. A benchmark that crashes does, after the others have run.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

FOLDER = Path(__file__).parent


def discover() -> list[str]:
    """Return the module names of the benchmarks in this folder, in run order."""
    return sorted(p.stem for p in FOLDER.glob("*.py") if not p.stem.startswith("_"))


def main() -> int:
    """Run each benchmark's ``main()``; return 1 if any of them raised."""
    failed = []
    for name in discover():
        print(f"\n=== benchmarks.{name} ===", flush=True)
        try:
            importlib.import_module(f"benchmarks.{name}").main()
        except Exception:  # one broken benchmark must not hide the others' numbers
            traceback.print_exc()
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that crashed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
