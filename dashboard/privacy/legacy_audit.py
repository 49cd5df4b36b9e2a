"""Audits of a suppressed two-way table: is any hidden cell still fixed by the totals an attacker sees?

Rows and columns are nodes of a bipartite graph and hidden cells its edges; each shown line total is an
equation over its hidden cells. ``privacy._suppress`` runs these after complementary suppression, and
hides one more cell (``_cover``) beside each cell they find, until they find none.

Exact audit (``audit``). Complementary suppression protects each line on its own; with both row and
column totals some patterns still pin a cell down by combining lines (two closed 2×2 blocks joined by one
cell: the sum of two rows minus the sum of two columns). A hidden cell whose value this linear system
fixes is a bridge of the graph (``_bridges``).

Bound audit (``bound_audit``). A hidden cell is at least 1 (zeros are shown), so the totals can fix a cell
that no linear combination gives: two rows each hiding 2 + 1 (row totals leave 3 each), and a column
whose hidden cells sum to 4: each row's first cell is at most 3 - 1 = 2, so both are 2, and the 1s follow.
A cell is fixed when no balanced change can move it up or down (``_pinned``).
"""

from __future__ import annotations

import polars as pl

ROW = "__privacy_row"  # original row position: the tie-break, and the key that marks a pick
ALL = "__privacy_all"  # one line holding every cell, for a breakdown without group columns


def audit(work: pl.DataFrame, count_col: str, flag: str, lines: list[list[str]]) -> pl.DataFrame:
    """Hide one more cell beside each hidden cell whose value the row and column totals fix exactly."""
    if len(lines) != 2:  # one kind of line: rule 2 already leaves no line with one hidden cell
        return work
    shared = [c for c in lines[0] if c in lines[1]] or [ALL]
    picks: list[int] = []
    for _, block in work.group_by(shared, maintain_order=True):  # lines never cross a block
        hidden = block.filter(pl.col(flag))
        edges = list(zip(*(hidden.select(line).iter_rows() for line in lines), strict=True))
        touched: set[tuple] = set()  # a row once a round: its cover may already close its other bridges
        for i in _bridges(edges):
            if edges[i][0] not in touched:
                touched.add(edges[i][0])
                picks += _cover(block, edges, i, count_col, flag, lines)
    return work.with_columns(pl.col(flag) | pl.col(ROW).is_in(picks))


def bound_audit(
    work: pl.DataFrame, count_col: str, flag: str, lines: list[list[str]], min_cell: int
) -> pl.DataFrame:
    """Hide one more cell beside a hidden cell that the totals and "at least 1" pin down.

    Rows and columns are nodes and hidden cells edges, as in ``_bridges``. A line total of 1..min_cell-1
    gives no equation: the page must not show it (``dashboard/privacy.py``, its limits).
    """
    if len(lines) != 2:  # one kind of line: rule 2 already covers a line pinned by "at least 1"
        return work
    shared = [c for c in lines[0] if c in lines[1]] or [ALL]
    picks: list[int] = []
    for _, block in work.group_by(shared, maintain_order=True):
        hidden = block.filter(pl.col(flag))
        edges = list(zip(*(hidden.select(line).iter_rows() for line in lines), strict=True))
        free = {
            (side, tuple(key))
            for side, line in zip("rc", lines, strict=True)
            for *key, total in block.group_by(line).agg(pl.col(count_col).sum()).iter_rows()
            if 0 < total < min_cell
        }
        pinned = _pinned(edges, hidden[count_col].to_list(), free)
        if pinned:  # one a round: the cover may free the others
            picks += _cover(block, edges, pinned[0], count_col, flag, lines)
    return work.with_columns(pl.col(flag) | pl.col(ROW).is_in(picks))


def _pinned(edges: list[tuple[tuple, tuple]], values: list[int], free: set[tuple]) -> list[int]:
    """Return the hidden cells that can move neither up nor down, by position.

    The attacker knows each shown line's hidden sum and that every hidden cell is at least 1. Changing a
    cell by +1 or -1 must be balanced at its row and at its column: by an alternating walk of -1/+1 changes
    on other hidden cells that closes back on the cell (a cycle) or ends at free nodes (lines without an
    equation). A -1 needs a cell of at least 2. A cell that neither change can be balanced for is fixed.
    """
    at: dict[tuple, list[int]] = {}
    for i, (row, col) in enumerate(edges):
        at.setdefault(("r", row), []).append(i)
        at.setdefault(("c", col), []).append(i)

    def ends(i: int) -> tuple[tuple, tuple]:
        return ("r", edges[i][0]), ("c", edges[i][1])

    def reach(start: tuple, sign: int, skip: int) -> set[tuple]:
        """States (node, sign due next) an alternating walk from ``start`` reaches, never using ``skip``."""
        seen, todo = {(start, sign)}, [(start, sign)]
        while todo:
            node, s = todo.pop()
            for j in at.get(node, []):
                if j == skip or (s < 0 and values[j] < 2):
                    continue
                a, b = ends(j)
                state = (b if a == node else a, -s)
                if state not in seen:
                    seen.add(state)
                    todo.append(state)
        return seen

    def balanced(i: int, change: int) -> bool:
        row, col = ends(i)
        from_col = reach(col, -change, i)
        if (row, change) in from_col:  # arrived at the row with -change: a cycle through the cell
            return True
        col_done = col in free or any(node in free for node, _ in from_col)
        row_done = row in free or any(node in free for node, _ in reach(row, -change, i))
        return col_done and row_done

    return [i for i in range(len(edges)) if not balanced(i, +1) and not (values[i] >= 2 and balanced(i, -1))]


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
    open_cells = block.filter(~pl.col(flag) & (pl.col(count_col) > 0)).sort(count_col, ROW)
    keys = zip(*(open_cells.select(line).iter_rows() for line in lines), strict=True)
    for position, (r, c) in enumerate(keys):
        if (("r", r) in near and ("c", c) in far) or (("r", r) in far and ("c", c) in near):
            return [open_cells[ROW][position]]
    same = [pl.all_horizontal(pl.col(c) == v for c, v in zip(line, key, strict=True)) for line, key in
            zip(lines, (row, col), strict=True)]  # fmt: skip
    for candidates in (*(open_cells.filter(s) for s in same), open_cells):
        if candidates.height:
            return [candidates[ROW][0]]
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
