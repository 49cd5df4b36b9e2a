"""How big an upload may be: one place for the reader's limits, each overridable by an environment variable.

A file past a limit is rejected whole before the reader allocates for it, with a message naming the limit.
The defaults are far above what a coordinator's quarter needs (a few hundred rows, eleven columns) and far
below what would exhaust the server. ``UPLOAD_MAX_ROWS=500000`` (etc.) raises one for a deployment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 2**20  # the file as uploaded (the upload page's own limit is the same 20 MB)
    max_rows: int = 200_000  # data rows of a sheet or CSV, the header not counted
    max_columns: int = 200  # columns of a sheet or CSV (the widest contract has 11)
    max_cells: int = 4_000_000  # rows x columns of a sheet's filled area
    max_cell_chars: int = 32_767  # characters in one cell: Excel's own limit
    max_xml_bytes: int = 256 * 2**20  # an .xlsx's XML once unzipped (catches zip bombs)
    # The reader's child process (pipelines.isolate): address space it may add, and its time.
    reader_memory_mb: int = 2048
    reader_seconds: int = 60


def current() -> Limits:
    """Return the limits in force: the defaults above, each replaced by ``UPLOAD_<NAME>`` when set."""
    values = {}
    for f in fields(Limits):
        env = os.environ.get(f"UPLOAD_{f.name.upper()}")
        if env and env.isdigit():
            values[f.name] = int(env)
    return Limits(**values)
