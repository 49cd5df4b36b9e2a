"""What is hidden of the client counts a view publishes (pienten lukujen suojaus), decided in one place.

Transitional: the table-by-table rules of ``legacy`` are re-exported until the builders declare their
releases to ``engine.protect`` (issue 15; see CONTRACT.md).
"""

from dashboard.privacy.legacy import (
    MIN_CELL,
    SUPPRESSED,
    _suppress,  # noqa: F401  (builders.common, until they declare releases)
    format_count,
    hide_shares,
    suppress_counts,
    suppress_table,
    suppressed_flag,
)

__all__ = [
    "MIN_CELL",
    "SUPPRESSED",
    "format_count",
    "hide_shares",
    "suppress_counts",
    "suppress_table",
    "suppressed_flag",
]
