"""Small-cell suppression: small counts hidden, none recoverable from a shown total and one line."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from dashboard.privacy import format_count, hide_shares, suppress_counts, suppress_table, suppressed_flag

FLAG = "is_suppressed_n_clients"


def breakdown(n_clients: list[int]) -> pl.DataFrame:
    """Build a one-way breakdown: one row per municipality A, B, C, … with its client count."""
    return pl.DataFrame(
        {"municipality": [chr(65 + i) for i in range(len(n_clients))], "n_clients": n_clients}
    )


def shown(n_clients: list[int | None]) -> pl.DataFrame:
    """Build the expected output of ``breakdown``: None where suppressed, and the flag beside it."""
    return breakdown(n_clients).with_columns(pl.Series(FLAG, [n is None for n in n_clients]))


def table(rows: dict[str, list[int | None]]) -> pl.DataFrame:
    """Build a two-way table in long form from {row: [c1, c2, …]}; None leaves the combination out."""
    return pl.DataFrame(
        [
            {"municipality": row, "age_group": f"c{j + 1}", "n_clients": n}
            for row, counts in rows.items()
            for j, n in enumerate(counts)
            if n is not None
        ],
        schema={"municipality": pl.String, "age_group": pl.String, "n_clients": pl.Int64},
    )


def hidden_cells(df: pl.DataFrame) -> set[tuple[str, str]]:
    """List the (row, column) cells of a suppressed long table that are hidden."""
    return set(df.filter(FLAG).select("municipality", "age_group").iter_rows())


# --- one-way breakdowns -------------------------------------------------------------------------------


def test_no_small_cells_leaves_the_counts_as_they_are():
    result = suppress_counts(breakdown([12, 0, 7, 30]))
    assert_frame_equal(result, shown([12, 0, 7, 30]))


def test_one_small_cell_with_a_total_also_hides_the_smallest_other_non_zero_cell():
    # total 52 - 12 - 0 - 30 would give the 3 back if only the 3 were hidden; the 0 is no cover
    result = suppress_counts(breakdown([3, 12, 0, 7, 30]))
    assert_frame_equal(result, shown([None, 12, 0, None, 30]))


def test_two_small_cells_hide_only_themselves():
    result = suppress_counts(breakdown([3, 2, 12, 7]))
    assert_frame_equal(result, shown([None, None, 12, 7]))


def test_zero_cells_are_never_suppressed():
    assert_frame_equal(suppress_counts(breakdown([0, 0, 10])), shown([0, 0, 10]))
    assert_frame_equal(suppress_counts(breakdown([0, 4, 0, 6, 8])), shown([0, None, 0, None, 8]))


@pytest.mark.parametrize(
    ("n_clients", "expected"),
    [
        ([3, 9, 6, 6], [None, 9, None, 6]),
        ([6, 9, 6, 3], [None, 9, 6, None]),
    ],
    ids=["tie-after-the-small-cell", "tie-before-the-small-cell"],
)
def test_ties_for_the_complement_go_to_the_first_in_row_order(n_clients, expected):
    assert_frame_equal(suppress_counts(breakdown(n_clients)), shown(expected))


def test_without_a_total_shown_only_small_cells_are_suppressed():
    result = suppress_counts(breakdown([3, 12, 0, 7, 30]), total_shown=False)
    assert_frame_equal(result, shown([None, 12, 0, 7, 30]))


def test_group_cols_make_each_quarter_its_own_breakdown():
    df = pl.DataFrame(
        {
            "quarter": ["2025Q1"] * 3 + ["2025Q2"] * 3 + ["2025Q3"] * 3,
            "municipality": ["A", "B", "C"] * 3,
            "n_clients": [3, 8, 20, 6, 8, 20, 2, 4, 9],
        }
    )
    expected = df.with_columns(
        n_clients=pl.Series([None, None, 20, 6, 8, 20, None, None, 9], dtype=pl.Int64),
        is_suppressed_n_clients=pl.Series([True, True, False, False, False, False, True, True, False]),
    )
    assert_frame_equal(suppress_counts(df, group_cols=["quarter"]), expected)
    # one breakdown over all quarters has three small cells and needs no complement
    assert suppress_counts(df)[FLAG].to_list() == [True, False, False, False, False, False, True, True, False]


@pytest.mark.parametrize(
    ("min_cell", "expected"),
    [
        (1, [1, 3, 4, 8, 12, 40]),
        (3, [None, None, 4, 8, 12, 40]),  # 1 alone, so 3 (smallest other) goes too
        (5, [None, None, None, 8, 12, 40]),
        (10, [None, None, None, None, 12, 40]),
        (13, [None, None, None, None, None, 40]),
    ],
)
def test_min_cell_sets_the_threshold(min_cell, expected):
    result = suppress_counts(breakdown([1, 3, 4, 8, 12, 40]), min_cell=min_cell)
    assert_frame_equal(result, shown(expected))


def test_the_count_column_keeps_its_name_dtype_and_place_and_the_flag_follows():
    df = pl.DataFrame(
        {"n_clients": [3, 9, 7], "municipality": ["A", "B", "C"]}, schema_overrides={"n_clients": pl.UInt32}
    )
    expected = pl.DataFrame(
        {"n_clients": [None, 9, None], "municipality": ["A", "B", "C"], FLAG: [True, False, True]},
        schema_overrides={"n_clients": pl.UInt32},
    )
    assert_frame_equal(suppress_counts(df), expected)
    assert suppressed_flag("n_clients") == FLAG


@pytest.mark.parametrize(
    ("n_clients", "error", "message"),
    [
        ([3, None, 7], ValueError, "missing counts"),
        ([3, -1, 7], ValueError, "negative"),
        ([3.0, 1.5, 7.0], TypeError, "integer counts"),
    ],
)
def test_counts_the_rules_cannot_judge_are_refused(n_clients, error, message):
    with pytest.raises(error, match=message):
        suppress_counts(pl.DataFrame({"n_clients": n_clients}))


def test_a_threshold_below_one_is_refused():
    with pytest.raises(ValueError, match="min_cell"):
        suppress_counts(breakdown([3, 9]), min_cell=0)


# --- two-way tables -----------------------------------------------------------------------------------

CASCADE = {"r1": [2, 6, 9], "r2": [7, 20, 11], "r3": [15, 8, 30]}


def test_complements_cascade_until_every_row_and_column_is_covered():
    # round 1: row r1 takes (r1,c2); column c1 takes (r2,c1); column c2, now single, takes (r3,c2)
    # round 2: rows r2 and r3 are now single: (r2,c3), (r3,c1); column c3 then single: (r1,c3)
    # round 3: nothing new
    result = suppress_table(table(CASCADE), "municipality", "age_group")
    expected = table(CASCADE).with_columns(
        n_clients=pl.Series([None, None, None, None, 20, None, None, None, 30], dtype=pl.Int64),
        is_suppressed_n_clients=pl.Series([True, True, True, True, False, True, True, True, False]),
    )
    assert_frame_equal(result, expected)


@pytest.mark.parametrize(
    ("row_totals", "col_totals", "expected"),
    [
        (True, False, {("r1", "c1"), ("r1", "c2")}),
        (False, True, {("r1", "c1"), ("r2", "c1")}),
        (False, False, {("r1", "c1")}),
    ],
)
def test_only_the_margins_shown_call_for_complements(row_totals, col_totals, expected):
    result = suppress_table(
        table(CASCADE), "municipality", "age_group", row_totals=row_totals, col_totals=col_totals
    )
    assert hidden_cells(result) == expected


def test_missing_combinations_count_as_zero_and_stay_missing():
    rows = {"r1": [3, None, 10], "r2": [12, 6, 20]}
    result = suppress_table(table(rows), "municipality", "age_group")
    expected = table(rows).with_columns(
        n_clients=pl.Series([None, None, None, 6, None], dtype=pl.Int64),
        is_suppressed_n_clients=pl.Series([True, True, True, False, True]),
    )
    assert_frame_equal(result, expected)


def test_group_cols_make_each_quarter_its_own_table():
    df = pl.concat(
        [
            table({"r1": [3, 10], "r2": [12, 20]}).with_columns(quarter=pl.lit("2025Q1")),
            table({"r1": [6, 10], "r2": [12, 20]}).with_columns(quarter=pl.lit("2025Q2")),
        ]
    )
    result = suppress_table(df, "municipality", "age_group", group_cols=["quarter"])
    assert result[FLAG].to_list() == [True] * 4 + [False] * 4


def test_a_table_with_a_repeated_cell_is_refused():
    df = pl.concat([table({"r1": [3, 10]}), table({"r1": [4]})])
    with pytest.raises(ValueError, match="one row per municipality × age_group"):
        suppress_table(df, "municipality", "age_group")


def test_two_closed_blocks_joined_by_one_cell_do_not_give_that_cell_away():
    # the per-line rule leaves every row and column with two or more hidden cells, yet
    # (r1,c3) = (rows r1+r2) - (columns c1+c2): the exact audit must hide one more cell
    rows = {"r1": [2, 3, 4, 20], "r2": [1, 2, 20, 20], "r3": [20, 20, 3, 1], "r4": [20, 20, 2, 4]}
    df = table(rows)
    result = suppress_table(df, "municipality", "age_group")
    hidden = result.filter(FLAG).join(df, on=["municipality", "age_group"], suffix="_true")
    in_rows = hidden.filter(pl.col("municipality").is_in(["r1", "r2"]))["n_clients_true"].sum()
    in_cols = hidden.filter(pl.col("age_group").is_in(["c1", "c2"]))["n_clients_true"].sum()
    # both sums are known to an attacker: shown totals minus shown cells
    assert in_rows - in_cols != rows["r1"][2]


# --- shares and formatting ----------------------------------------------------------------------------


def test_hide_shares_nulls_the_shares_of_suppressed_counts_only():
    df = pl.DataFrame(
        {
            "n_clients": [None, 12, None, 30],
            "share_clients": [0.06, 0.24, 0.14, 0.60],
            "share_ended": [0.5, 0.25, 0.0, 0.1],
            FLAG: [True, False, True, False],
        }
    )
    expected = df.with_columns(
        share_clients=pl.Series([None, 0.24, None, 0.60]), share_ended=pl.Series([None, 0.25, None, 0.1])
    )
    assert_frame_equal(hide_shares(df, ["share_clients", "share_ended"], FLAG), expected)
    assert_frame_equal(
        hide_shares(df, "share_clients", FLAG), expected.with_columns(share_ended=df["share_ended"])
    )


@pytest.mark.parametrize(
    ("n", "min_cell", "text"),
    [(None, 5, ".."), (None, 10, ".."), (0, 5, "0"), (3, 5, "3"), (128, 5, "128")],
)
def test_format_count_marks_suppressed_counts_only(n, min_cell, text):
    assert format_count(n, min_cell) == text


def test_format_count_formats_visible_counts_with_the_given_number_format():
    assert format_count(12345, number=lambda n: f"{n:,}".replace(",", "\u00a0")) == "12\u00a0345"
    assert format_count(None, number=lambda n: f"{n:,}") == ".."


# --- properties on random tables ----------------------------------------------------------------------

counts = st.one_of(st.just(0), st.integers(1, 12), st.integers(13, 200), st.none())  # None: no such row


@st.composite
def random_tables(draw) -> tuple[pl.DataFrame, int, bool, bool]:
    """Draw a small two-way table with zeros, small and large counts and missing combinations."""
    n_rows, n_cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    rows = {f"r{i}": draw(st.lists(counts, min_size=n_cols, max_size=n_cols)) for i in range(n_rows)}
    return table(rows), draw(st.sampled_from([3, 5, 10])), draw(st.booleans()), draw(st.booleans())


def lines_with_one_hidden_cell_and_other_cover(cells: pl.DataFrame, line: str) -> pl.DataFrame:
    """Find the lines where exactly one cell is hidden although another non-zero cell could hide it."""
    return (
        cells.group_by(line)
        .agg(
            n_hidden=pl.col(FLAG).sum(),
            n_other_cover=(~pl.col(FLAG) & (pl.col("n_true") > 0)).sum(),
        )
        .filter((pl.col("n_hidden") == 1) & (pl.col("n_other_cover") > 0))
    )


@settings(max_examples=300, deadline=None)
@given(random_tables())
def test_property_no_small_count_shown_and_none_recoverable_from_one_line(drawn):
    df, min_cell, row_totals, col_totals = drawn
    result = suppress_table(
        df, "municipality", "age_group", min_cell=min_cell, row_totals=row_totals, col_totals=col_totals
    )
    cells = result.with_columns(n_true=df["n_clients"])
    is_small = pl.col("n_true").is_between(1, min_cell - 1)

    # the frame is the input with some non-zero counts nulled, and the flag says exactly which
    assert_frame_equal(result.drop("n_clients", FLAG), df.drop("n_clients"))
    assert (cells["n_clients"].is_null() == cells[FLAG]).all()
    assert cells.filter(~pl.col(FLAG))["n_clients"].equals(cells.filter(~pl.col(FLAG))["n_true"])
    assert cells.filter(pl.col(FLAG) & (pl.col("n_true") == 0)).is_empty()
    # no visible cell is a small count
    assert cells.filter(is_small & ~pl.col(FLAG)).is_empty()
    # no shown total gives back a lone hidden cell (unless every other cell of its line is zero)
    for line, shown_total in (("municipality", row_totals), ("age_group", col_totals)):
        if shown_total:
            assert lines_with_one_hidden_cell_and_other_cover(cells, line).is_empty(), line
    # without any total shown, nothing beyond the small counts is hidden
    if not (row_totals or col_totals):
        assert cells[FLAG].equals(cells.select(is_small.alias(FLAG))[FLAG])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["2025Q1", "2025Q2", "2025Q3"]), counts.filter(lambda n: n is not None))
    ),
    st.sampled_from([3, 5, 10]),
)
def test_property_each_group_total_covers_its_hidden_cells(cells, min_cell):
    df = pl.DataFrame(cells, schema={"quarter": pl.String, "n_clients": pl.Int64}, orient="row")
    result = suppress_counts(df, min_cell=min_cell, group_cols=["quarter"]).with_columns(
        n_true=df["n_clients"]
    )
    assert result.filter(pl.col("n_true").is_between(1, min_cell - 1) & ~pl.col(FLAG)).is_empty()
    assert lines_with_one_hidden_cell_and_other_cover(result, "quarter").is_empty()
    # a complement is one cell per quarter at most: never more than the small ones plus one
    per_quarter = result.group_by("quarter").agg(
        n_hidden=pl.col(FLAG).sum(), n_small=pl.col("n_true").is_between(1, min_cell - 1).sum()
    )
    assert per_quarter.filter(pl.col("n_hidden") - pl.col("n_small") > 1).is_empty()


def exactly_known(result: pl.DataFrame, lines: list[str]) -> list[tuple]:
    """Return the hidden cells an attacker can solve for, by floating-point rank (independent of privacy)."""
    import numpy as np

    hidden = result.filter(FLAG)
    cells = list(hidden.select("municipality", "age_group").iter_rows())
    equations = [
        [1.0 if cell[i] == key else 0.0 for cell in cells]
        for i, line in enumerate(lines)
        for key in hidden[line].unique().to_list()
    ]
    a = np.array(equations or [[0.0] * len(cells)])
    rank = np.linalg.matrix_rank(a)
    known = []
    for j, cell in enumerate(cells):
        unit = np.zeros((1, len(cells)))
        unit[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            known.append(cell)
    return known


@settings(max_examples=300, deadline=None)
@given(random_tables())
def test_property_no_hidden_cell_can_be_solved_for_from_both_margins(drawn):
    df, min_cell, _, _ = drawn
    result = suppress_table(df, "municipality", "age_group", min_cell=min_cell)
    known = exactly_known(result, ["municipality", "age_group"])
    # a cell is only left solvable when nothing could hide it: its whole table has no visible non-zero cell
    if known:
        assert result.filter(~pl.col(FLAG) & (pl.col("n_clients") > 0)).height == 0, known


# --- hidden cells are at least 1 (zeros are shown), and an attacker knows it ---------------------------


def test_hidden_cells_that_could_only_all_be_one_get_a_complement():
    # total 21 - 12 - 7 leaves 2 for the two hidden cells: each at least 1, so both would be 1
    assert_frame_equal(suppress_counts(breakdown([1, 1, 12, 7])), shown([None, None, 12, None]))
    assert_frame_equal(suppress_counts(breakdown([1, 2, 12, 7])), shown([None, None, 12, 7]))


def feasible_values(
    result: pl.DataFrame, truth: pl.DataFrame, lines: list[str], min_cell: int
) -> dict[tuple, set[int]]:
    """Every value each hidden cell can take given the shown totals and that a hidden cell is at least 1.

    A line total of 1..min_cell-1 is a small count itself, which the page must not show (the module's
    stated limit), so such lines give the attacker nothing. Brute force over the hidden cells (small
    tables only), independent of ``dashboard.privacy``.
    """
    totals = {
        (i, key): n
        for i, line in enumerate(lines)
        for key, n in truth.group_by(line).agg(pl.col("n_clients").sum()).iter_rows()
    }
    cells = result.with_columns(n_true=truth["n_clients"]).filter(FLAG)
    keys = list(cells.select("municipality", "age_group").iter_rows())
    true = cells["n_true"].to_list()
    sums = {(i, k[i]): 0 for k in keys for i in range(len(lines))}  # each line's hidden sum
    for key, n in zip(keys, true, strict=True):
        for i in range(len(lines)):
            sums[(i, key[i])] += n
    hidden_total = {r for r in sums if 0 < totals[r] < min_cell}
    unknown = max(totals.values(), default=0) + 2  # a line without an equation: room for two values
    left = {r: (unknown if r in hidden_total else n) for r, n in sums.items()}
    values: dict[tuple, set[int]] = {k: set() for k in keys}
    assigned: list[int] = []

    def search(j: int) -> None:
        if j == len(keys):
            if all(v == 0 or r in hidden_total for r, v in left.items()):
                for key, v in zip(keys, assigned, strict=True):
                    values[key].add(v)
            return
        key = keys[j]
        rest = [(i, key[i]) for i in range(len(lines))]
        for v in range(1, min(left[r] for r in rest) + 1):
            for r in rest:
                left[r] -= v
            assigned.append(v)
            # every line must keep at least 1 for each of its cells still to come
            if all(left[(i, k[i])] >= sum(1 for q in keys[j + 1 :] if q[i] == k[i]) for k in keys[j + 1 :]
                   for i in range(len(lines))) and min(left.values()) >= 0:  # fmt: skip
                search(j + 1)
            assigned.pop()
            for r in rest:
                left[r] += v

    search(0)
    return values


small_counts = st.one_of(st.just(0), st.just(1), st.integers(1, 9), st.none())


@st.composite
def small_tables(draw) -> tuple[pl.DataFrame, int]:
    n_rows, n_cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rows = {f"r{i}": draw(st.lists(small_counts, min_size=n_cols, max_size=n_cols)) for i in range(n_rows)}
    return table(rows), draw(st.sampled_from([3, 5]))


@settings(max_examples=300, deadline=None)
@given(small_tables())
@example((table({"r0": [1, 1, 9], "r1": [8, 9, 7]}), 5))  # found by hand: 1 + 1 = 2 pinned all four
def test_property_no_hidden_cell_is_pinned_by_the_totals_and_its_lower_bound(drawn):
    df, min_cell = drawn
    lines = ["municipality", "age_group"]
    result = suppress_table(df, *lines, min_cell=min_cell)
    pinned = {k: v for k, v in feasible_values(result, df, lines, min_cell).items() if len(v) < 2}
    if pinned:  # only where nothing could hide it: its table has no visible non-zero cell
        assert result.filter(~pl.col(FLAG) & (pl.col("n_clients") > 0)).height == 0, pinned
