"""Small-cell suppression (pienten lukujen suojaus) of client counts before they are shown.

Pure functions on Polars frames: the dashboard's tables, charts and exports all pass their client counts
through here, and charts draw the suppressed table, never the raw one.

The rules (design.md, "Privacy rules for what is shown"):

1. Primary suppression. A client count from 1 to ``min_cell - 1`` (default 1..4) in a breakdown below the
   whole project is suppressed: the number becomes null and is shown as "<5" (``format_count``).
   Zero is shown, since it describes no person. ``min_cell`` is a parameter (a setting of the app).
2. Complementary suppression. Where the table also shows a total (a row total, a column total, or a
   headline total above a one-way breakdown), one suppressed cell alone protects nothing: an attacker
   subtracts the visible cells from the total and gets it back (total 40, visible 12 + 25 -> hidden 3).
   Nor do suppressed cells whose sum equals their number (total 21, visible 12 + 7 -> two hidden cells
   summing to 2): a suppressed cell is at least 1, so each is 1. So in every such line (row or column)
   the smallest other non-zero cell is suppressed too; among equal counts the first in the frame's row
   order. Each added cell can leave another line exposed, so the rule is applied again, all rows at once
   and then all columns at once, until a round adds nothing. Zero cells are never picked: a hidden zero
   would be known to be zero anyway (a suppressed cell is non-zero).
3. Shares computed from a suppressed count are hidden too (``hide_shares``): share × a visible total gives
   the count back.

Whole-project figures of the published categories are shown as the final report showed them, and counts
of professional participations are events, not people: neither goes through this module.

Output convention: the count column keeps its name and dtype and is null (``SUPPRESSED``) where
suppressed; a boolean column ``is_suppressed_<count_col>`` (``suppressed_flag(count_col)``) marks those
cells so that pages, charts and exports need not guess why a value is missing. Row order is kept.

4. Audits (``privacy_audit``): with both row and column totals shown, a hidden cell that the totals fix,
   exactly or together with "a hidden cell is at least 1", gets one more cell hidden beside it, and rules
   2 and 4 run again until nothing is fixed.

5. Single counts and groups: ``is_hidden`` / ``hide_count`` (a count or total shown alone), ``small_cells``
   / ``hide_small_cells`` (rule 1 on a column), ``may_show_group`` / ``may_show_median`` /
   ``may_show_quartiles`` (durations). Outside this package no code orders a count against ``min_cell``
   (tests/dashboard/test_structure.py): a builder asks one of these.

Limits, for whoever shows totals:
- This module suppresses cells, not totals. A total you show below the whole project is a count too: if it
  is 1..min_cell-1 it must be suppressed, and a line whose only non-zero cell is the suppressed one has a
  total equal to that cell (no other cell can be hidden to protect it).
- The audits find fixed values only; of the bounds they use that a suppressed cell is at least 1. The
  bounds can still narrow a hidden cell to an interval (two hidden cells summing to 3 are 1 and 2 in
  some order), as in every cell-suppression method short of tau-Argus's interval protection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from dashboard.privacy.legacy_audit import ALL as _ALL
from dashboard.privacy.legacy_audit import ROW as _ROW
from dashboard.privacy.legacy_audit import audit, bound_audit

MIN_CELL = 5
SUPPRESSED = None  # what a suppressed count becomes in the numeric column


def suppressed_flag(count_col: str) -> str:
    """Name the boolean column that marks the suppressed cells of ``count_col``."""
    return f"is_suppressed_{count_col}"


def suppress_counts(
    df: pl.DataFrame,
    count_col: str = "n_clients",
    *,
    min_cell: int = MIN_CELL,
    group_cols: Sequence[str] = (),
    total_shown: bool = True,
) -> pl.DataFrame:
    """Suppress small counts of a one-way breakdown, with a complement wherever its total is shown.

    One row per cell of the breakdown (e.g. per municipality). With ``group_cols`` (e.g. the quarter) each
    group is its own breakdown with its own total. ``total_shown=False`` applies primary suppression only.
    """
    lines = [list(group_cols)] if total_shown else []
    return _suppress(df, count_col, min_cell, lines)


def suppress_table(
    df: pl.DataFrame,
    row_col: str,
    col_col: str,
    count_col: str = "n_clients",
    *,
    min_cell: int = MIN_CELL,
    group_cols: Sequence[str] = (),
    row_totals: bool = True,
    col_totals: bool = True,
) -> pl.DataFrame:
    """Suppress small counts of a two-way table in long form, with complements along the shown totals.

    One row per ``row_col`` × ``col_col`` category (per ``group_cols``, each group its own table); a missing
    combination counts as zero and is left missing. ``row_totals`` / ``col_totals`` say which margins the
    page shows: only lines whose total is shown need complements.
    """
    keys = [*group_cols, row_col, col_col]
    duplicated = df.select(keys).is_duplicated()
    if duplicated.any():
        raise ValueError(
            f"suppress_table needs one row per {' × '.join(keys)}; {duplicated.sum()} rows repeat"
        )
    lines = [[*group_cols, col] for col, shown in ((row_col, row_totals), (col_col, col_totals)) if shown]
    return _suppress(df, count_col, min_cell, lines)


def hide_shares(df: pl.DataFrame, share_cols: str | Sequence[str], flag_col: str) -> pl.DataFrame:
    """Null the shares of rows whose count is suppressed (``flag_col`` true)."""
    cols = [share_cols] if isinstance(share_cols, str) else list(share_cols)
    return df.with_columns(pl.when(~pl.col(flag_col)).then(pl.col(col)).alias(col) for col in cols)


def format_count(n: int | None, min_cell: int = MIN_CELL, *, number: Callable[[int], str] = str) -> str:
    """Show a count, or "<min_cell" where it is suppressed; ``number`` formats it for the locale.

    A visible small count is shown as it is: whole-project figures are not suppressed, and deciding what
    to suppress belongs to ``suppress_counts`` / ``suppress_table``, not to formatting.
    """
    return f"<{min_cell}" if n is SUPPRESSED else number(n)


def _suppress(df: pl.DataFrame, count_col: str, min_cell: int, lines: list[list[str]]) -> pl.DataFrame:
    """Apply primary suppression, then complementary suppression along ``lines`` until stable."""
    _check_counts(df, count_col, min_cell)
    flag = suppressed_flag(count_col)
    work = df.with_row_index(_ROW).with_columns(
        pl.col(count_col).is_between(1, min_cell - 1).alias(flag), pl.lit(True).alias(_ALL)
    )
    lines = [line or [_ALL] for line in lines]
    while True:  # each round adds at least one cell or ends, so at most one round per cell
        before = work[flag].sum()
        for line in lines:
            work = _complement(work, count_col, flag, line)
        if work[flag].sum() == before:
            work = audit(work, count_col, flag, lines)
        if work[flag].sum() == before:
            work = bound_audit(work, count_col, flag, lines, min_cell)
        if work[flag].sum() == before:
            break
    return work.with_columns(pl.when(~pl.col(flag)).then(pl.col(count_col)).alias(count_col)).drop(_ROW, _ALL)


def _complement(work: pl.DataFrame, count_col: str, flag: str, line: list[str]) -> pl.DataFrame:
    """Suppress the smallest other non-zero cell of every line whose total gives its hidden cells away.

    That is a line with exactly one suppressed cell, or with suppressed cells that sum to their number:
    a suppressed cell is at least 1 (zeros are shown), so those can only all be 1.
    """
    n_hidden = pl.col(flag).sum().over(line)
    hidden_sum = pl.col(count_col).filter(pl.col(flag)).sum().over(line)
    exposed = (n_hidden == 1) | ((n_hidden > 1) & (hidden_sum == n_hidden))
    picks = (
        work.filter(exposed & ~pl.col(flag) & (pl.col(count_col) > 0))
        .group_by(line)
        .agg(pl.col(_ROW).sort_by(count_col, _ROW).first())
    )
    return work.with_columns(pl.col(flag) | pl.col(_ROW).is_in(picks[_ROW].to_list()))


def _check_counts(df: pl.DataFrame, count_col: str, min_cell: int) -> None:
    """Refuse input the rules cannot judge: missing, negative or non-integer counts, or a bad threshold."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise ValueError(f"min_cell must be a whole number of at least 1, not {min_cell!r}")
    dtype = df.schema[count_col]
    if not dtype.is_integer():
        raise TypeError(f"{count_col} must hold integer counts, not {dtype}")
    if df[count_col].null_count():
        raise ValueError(f"{count_col} has missing counts; suppress the complete counts (once)")
    if (df[count_col] < 0).any():
        raise ValueError(f"{count_col} has negative counts")


# Single counts and groups (issue 15, item 1): the rules the builders once wrote inline, one place each.
QUARTILES_FROM = 2  # quartiles need a group of QUARTILES_FROM x min_cell clients, the median min_cell


def is_small(n: int | None, min_cell: int = MIN_CELL) -> bool:
    """Whether a count is small, 1..min_cell-1 (rule 1): zero describes no person, None is hidden already."""
    return n is not None and 0 < n < min_cell


def is_hidden(n: int | None, min_cell: int = MIN_CELL, *, breakdown: bool = True) -> bool:
    """Whether a single count shown on its own, or as the total of a (sub-)table, is hidden.

    Hidden when it is small and the view is a breakdown below the whole project (``breakdown``): the
    whole project's figures are shown as the final report showed them. A total is a count too (see
    "Limits" above), so a node of the Sankey, a group subtotal and a headline total hide alike. No
    complement is added: callers whose totals add up to another shown figure suppress the table instead.
    """
    return bool(breakdown) and is_small(n, min_cell)


def hide_count(n: int | None, min_cell: int = MIN_CELL, *, breakdown: bool = True) -> int | None:
    """Return a single count, or ``SUPPRESSED`` where ``is_hidden`` hides it."""
    return SUPPRESSED if is_hidden(n, min_cell, breakdown=breakdown) else n


def small_cells(count: str | pl.Expr, min_cell: int = MIN_CELL) -> pl.Expr:
    """Flag the small counts of a column, 1..min_cell-1, as ``is_small`` does one (null stays null)."""
    n = pl.col(count) if isinstance(count, str) else count
    return (n > 0) & (n < min_cell)


def hide_small_cells(count: str | pl.Expr, min_cell: int = MIN_CELL) -> pl.Expr:
    """Return a column's counts with the small ones null (rule 1 alone: no complement is added).

    For counts that no shown total gives away, e.g. the subtotals of a table whose cells went through
    ``suppress_table``; the expression keeps the name of ``count``.
    """
    n = pl.col(count) if isinstance(count, str) else count
    return pl.when(~small_cells(n, min_cell)).then(n)


def may_show_group(n: int | pl.Expr, min_cell: int = MIN_CELL) -> bool | pl.Expr:
    """Whether a group of ``n`` clients gets a row of its own (time to pathway): from ``min_cell`` clients.

    Fewer would make the group's count a small cell; an empty group has nothing to show. Works on an
    ``int`` and on a Polars expression alike (docs/privacy.md, "Time to pathway").
    """
    return n >= min_cell


def may_show_median(n: int | pl.Expr, min_cell: int = MIN_CELL) -> bool | pl.Expr:
    """Whether the median of a group of ``n`` clients may be shown: from ``min_cell`` clients.

    The same threshold as the group's own count: a median of fewer would be a figure of a small cell.
    """
    return n >= min_cell


def may_show_quartiles(n: int | pl.Expr, min_cell: int = MIN_CELL) -> bool | pl.Expr:
    """Whether the quartiles (Q1, Q3) of a group of ``n`` may be shown: from ``QUARTILES_FROM * min_cell``.

    At n = 5 linear interpolation (type 7) puts Q1 exactly on the second-shortest duration, so it bounds
    the shortest one; from n = 10 Q1 sits at position >= 2.25, between two clients' durations with at
    least two below (docs/privacy.md, "Time to pathway").
    """
    return n >= QUARTILES_FROM * min_cell
