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
   So in every such line (row or column) that has exactly one suppressed cell, the smallest other non-zero
   cell is suppressed too; among equal counts the first in the frame's row order. Each added cell can
   leave another line with exactly one suppressed cell, so the rule is applied again, all rows at once
   and then all columns at once, until a round adds nothing. Zero cells are never picked: a hidden zero
   would be known to be zero anyway (a suppressed cell is non-zero).
3. Shares computed from a suppressed count are hidden too (``hide_shares``): share × a visible total gives
   the count back.

Whole-project figures of the published categories are shown as the final report showed them, and counts
of professional participations are events, not people: neither goes through this module.

Output convention: the count column keeps its name and dtype and is null (``SUPPRESSED``) where
suppressed; a boolean column ``is_suppressed_<count_col>`` (``suppressed_flag(count_col)``) marks those
cells so that pages, charts and exports need not guess why a value is missing. Row order is kept.

4. Exact audit. The rule above protects each line on its own; with both row and column totals some
   patterns still pin a cell down by combining lines (two closed 2×2 blocks joined by one cell: the sum
   of two rows minus the sum of two columns). So the hidden cells are audited as the linear system an
   attacker has (each shown line total minus its visible cells): a hidden cell whose value the system
   fixes (a bridge of the graph of hidden cells, see ``_bridges``) gets the smallest visible non-zero
   cell of its row (else of its column, else of its table) hidden beside it, and rules 2 and 4 run
   again until nothing is fixed.

Limits, for whoever shows totals:
- This module suppresses cells, not totals. A total you show below the whole project is a count too: if it
  is 1..min_cell-1 it must be suppressed, and a line whose only non-zero cell is the suppressed one has a
  total equal to that cell (no other cell can be hidden to protect it).
- The audit finds exact values only. The known bounds (a suppressed primary is 1..min_cell-1, a complement
  at least min_cell) can still narrow a hidden sum to an interval, as in every cell-suppression method
  short of tau-Argus's interval protection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

MIN_CELL = 5
SUPPRESSED = None  # what a suppressed count becomes in the numeric column

_ROW = "__privacy_row"  # original row position: the tie-break, and the key that marks a pick
_ALL = "__privacy_all"  # one line holding every cell, for a breakdown without group columns


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
            work = _audit(work, count_col, flag, lines)
        if work[flag].sum() == before:
            break
    return work.with_columns(pl.when(~pl.col(flag)).then(pl.col(count_col)).alias(count_col)).drop(_ROW, _ALL)


def _complement(work: pl.DataFrame, count_col: str, flag: str, line: list[str]) -> pl.DataFrame:
    """In every line with exactly one suppressed cell, suppress its smallest other non-zero cell."""
    exposed = pl.col(flag).sum().over(line) == 1
    picks = (
        work.filter(exposed & ~pl.col(flag) & (pl.col(count_col) > 0))
        .group_by(line)
        .agg(pl.col(_ROW).sort_by(count_col, _ROW).first())
    )
    return work.with_columns(pl.col(flag) | pl.col(_ROW).is_in(picks[_ROW].to_list()))


def _audit(work: pl.DataFrame, count_col: str, flag: str, lines: list[list[str]]) -> pl.DataFrame:
    """Hide one more cell beside each hidden cell whose value the row and column totals fix exactly."""
    if len(lines) != 2:  # one kind of line: rule 2 already leaves no line with one hidden cell
        return work
    shared = [c for c in lines[0] if c in lines[1]] or [_ALL]
    picks: list[int] = []
    for _, block in work.group_by(shared, maintain_order=True):  # lines never cross a block
        hidden = block.filter(pl.col(flag))
        edges = list(zip(*(hidden.select(line).iter_rows() for line in lines), strict=True))
        touched: set[tuple] = set()  # a row once a round: its cover may already close its other bridges
        for i in _bridges(edges):
            if edges[i][0] not in touched:
                touched.add(edges[i][0])
                picks += _cover(block, edges, i, count_col, flag, lines)
    return work.with_columns(pl.col(flag) | pl.col(_ROW).is_in(picks))


def _bridges(edges: list[tuple[tuple, tuple]]) -> list[int]:
    """Return the hidden cells that the row and column totals determine, by position.

    Take each row and column as a node and each hidden cell as an edge between its row and its column.
    The attacker's equations are this bipartite graph's incidence matrix; its null space is spanned by
    the graph's cycles, so a cell's value is fixed exactly when its edge lies on no cycle: a bridge
    (Tarjan's bridge-finding, iterative depth-first search).
    """
    adjacent: dict[tuple, list[tuple[tuple, int]]] = {}
    for i, (row, col) in enumerate(edges):
        adjacent.setdefault(("r", row), []).append((("c", col), i))
        adjacent.setdefault(("c", col), []).append((("r", row), i))
    order: dict[tuple, int] = {}
    low: dict[tuple, int] = {}
    found = []
    for root in adjacent:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack = [(root, -1, iter(adjacent[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            step = next(neighbours, None)
            if step is None:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(via)
                continue
            other, edge = step
            if edge == via:
                continue
            if other in order:
                low[node] = min(low[node], order[other])
            else:
                order[other] = low[other] = len(order)
                stack.append((other, edge, iter(adjacent[other])))
    return sorted(found)


def _cover(
    block: pl.DataFrame, edges: list[tuple], bridge: int, count_col: str, flag: str, lines: list[list[str]]
) -> list[int]:
    """Return the smallest visible non-zero cell that puts hidden cell ``bridge`` on a cycle.

    Without the bridge the hidden cells fall into two parts, one holding its row and one its column; a
    cell joining a row of one part to a column of the other closes a cycle through it. When no such cell
    is visible, the smallest on its row (else its column, else the table) extends the graph, and the next
    round looks again.
    """
    row, col = edges[bridge]
    near = _reachable(edges, bridge, ("r", row))
    far = _reachable(edges, bridge, ("c", col))
    open_cells = block.filter(~pl.col(flag) & (pl.col(count_col) > 0)).sort(count_col, _ROW)
    keys = zip(*(open_cells.select(line).iter_rows() for line in lines), strict=True)
    for position, (r, c) in enumerate(keys):
        if (("r", r) in near and ("c", c) in far) or (("r", r) in far and ("c", c) in near):
            return [open_cells[_ROW][position]]
    same = [pl.all_horizontal(pl.col(c) == v for c, v in zip(line, key, strict=True)) for line, key in
            zip(lines, (row, col), strict=True)]  # fmt: skip
    for candidates in (*(open_cells.filter(s) for s in same), open_cells):
        if candidates.height:
            return [candidates[_ROW][0]]
    return []


def _reachable(edges: list[tuple], without: int, start: tuple) -> set[tuple]:
    """Return the row and column nodes reachable from ``start`` over the hidden cells but one."""
    adjacent: dict[tuple, list[tuple]] = {}
    for i, (row, col) in enumerate(edges):
        if i != without:
            adjacent.setdefault(("r", row), []).append(("c", col))
            adjacent.setdefault(("c", col), []).append(("r", row))
    seen, todo = {start}, [start]
    while todo:
        for other in adjacent.get(todo.pop(), []):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


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
