"""Settings of the dashboard, each read from the environment when used (so tests can set them).

| variable              | default                  | meaning                                              |
|-----------------------|--------------------------|------------------------------------------------------|
| ``DASHBOARD_DB``      | ``data/warehouse.duckdb`` | the warehouse the app reads (stable symlink path)    |
| ``DASHBOARD_MIN_CELL``| ``5``                    | client counts 1..MIN_CELL-1 hidden show ".."       |
| ``DASHBOARD_SMALL_N`` | ``30``                   | below this many clients a share gets a small-n note  |
"""

from __future__ import annotations

import os
from pathlib import Path

from dashboard import privacy

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"
DEFAULT_SMALL_N = 30


def db_path() -> Path:
    """Return the warehouse path: ``DASHBOARD_DB`` or the project's ``data/warehouse.duckdb``."""
    value = os.environ.get("DASHBOARD_DB", "").strip()
    path = Path(value) if value else DEFAULT_DB
    return path if path.is_absolute() else Path.cwd() / path


def _positive_int(name: str, default: int) -> int:
    """Read a whole number >= 1 from the environment; anything else falls back to ``default``."""
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value >= 1 else default


def min_cell() -> int:
    """Return the suppression threshold (pienin näytettävä asiakasmäärä)."""
    return _positive_int("DASHBOARD_MIN_CELL", privacy.MIN_CELL)


def quiet_streamlit() -> None:
    """Keep Streamlit's "no runtime" notices out of a command's output (its caches work without one).

    Call it before importing a module with a cache (``db``): Streamlit warns as the cache is made.
    """
    from streamlit import config, logger

    config.get_config_options()  # parse now: a later parse would reset the level
    logger.set_log_level("error")


def small_n() -> int:
    """Return the sample size below which a share's interval gets a visible "small n" note."""
    return _positive_int("DASHBOARD_SMALL_N", DEFAULT_SMALL_N)
