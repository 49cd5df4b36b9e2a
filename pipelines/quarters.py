"""Reporting quarters (raportointineljännes): the ``YYYYQn`` text and the days it stands for.

The one home of quarter arithmetic in Python. The SQL macros of ``sql/migrations/002_macros.sql``
(``quarter_of``, ``quarter_start``, ``quarter_end``) say the same for the marts; a test holds them equal to
these functions on every day of 2015-2035, and the calendar ``marts.quarters`` steps in SQL equal to
``overlapping`` of a project's period.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

PATTERN = re.compile(r"^(\d{4})Q([1-4])$")  # "2023Q3"; the staging schema checks the same pattern


def is_quarter(text: str) -> bool:
    """Tell whether ``text`` is a ``YYYYQn`` quarter."""
    return PATTERN.match(text) is not None


def _parts(quarter: str) -> tuple[int, int]:
    m = PATTERN.match(quarter)
    if not m:
        raise ValueError(f"not a YYYYQn quarter: {quarter!r}")
    return int(m.group(1)), int(m.group(2))


def quarter_of(day: date) -> str:
    """Return the ``YYYYQn`` quarter a day falls in."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def start(quarter: str) -> date:
    """Return the first day of a quarter."""
    year, n = _parts(quarter)
    return date(year, 3 * n - 2, 1)


def end(quarter: str) -> date:
    """Return the last day of a quarter."""
    year, n = _parts(quarter)
    return (date(year + 1, 1, 1) if n == 4 else date(year, 3 * n + 1, 1)) - timedelta(days=1)


def bounds(quarter: str) -> tuple[date, date]:
    """Return the first and the last day of a quarter."""
    return start(quarter), end(quarter)


def following(quarter: str) -> str:
    """Return the quarter after ``quarter``."""
    return quarter_of(end(quarter) + timedelta(days=1))


def preceding(quarter: str) -> str:
    """Return the quarter before ``quarter``."""
    return quarter_of(start(quarter) - timedelta(days=1))


def between(first: str, last: str) -> list[str]:
    """Return the quarters from ``first`` to ``last``, both included, oldest first."""
    out, quarter = [], first
    while start(quarter) <= start(last):
        out.append(quarter)
        quarter = following(quarter)
    return out


def overlapping(first_day: date, last_day: date) -> list[str]:
    """Return the quarters that overlap a period (a project's start and end dates), oldest first."""
    return between(quarter_of(first_day), quarter_of(last_day))
