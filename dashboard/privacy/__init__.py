"""What is hidden of the client counts a view publishes (pienten lukujen suojaus), decided in one place.

Transitional: the table-by-table rules of ``legacy`` are re-exported until the builders declare their
releases to ``engine.protect`` (issue 15; see CONTRACT.md).
"""

from collections.abc import Callable

from dashboard.privacy.legacy import (
    MIN_CELL,
    QUARTILES_FROM,
    SUPPRESSED,
    _suppress,  # noqa: F401  (builders.common, until they declare releases)
    hide_count,
    hide_shares,
    hide_small_cells,
    is_hidden,
    is_small,
    may_show_group,
    may_show_median,
    may_show_quartiles,
    small_cells,
    suppress_counts,
    suppress_table,
    suppressed_flag,
)

# One neutral mark for every hidden count (Statistics Finland's ".."): it claims no range, so it is true
# of a hidden 3 and of a hidden 40 alike (issue 15, item 4). The i18n key privacy.mark spells it.
MARK = ".."


def format_count(n: int | None, min_cell: int = MIN_CELL, *, number: Callable[[int], str] = str) -> str:
    """Show a count, or the neutral mark ".." where it is hidden (``min_cell`` kept for callers)."""
    return MARK if n is SUPPRESSED else number(n)


__all__ = [
    "MARK",
    "MIN_CELL",
    "QUARTILES_FROM",
    "SUPPRESSED",
    "format_count",
    "hide_count",
    "hide_shares",
    "hide_small_cells",
    "is_hidden",
    "is_small",
    "may_show_group",
    "may_show_median",
    "may_show_quartiles",
    "small_cells",
    "suppress_counts",
    "suppress_table",
    "suppressed_flag",
]
