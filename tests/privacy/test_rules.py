"""The single-count and group rules of dashboard.privacy (issue 15, item 1): what the builders ask."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import privacy

THRESHOLDS = (3, privacy.MIN_CELL, 10)  # DASHBOARD_MIN_CELL may set any of these


def edges(min_cell: int) -> list[int | None]:
    """The counts each rule turns on: zero, one, just below, at and just above the threshold, missing."""
    return [0, 1, min_cell - 1, min_cell, min_cell + 1, None]


@pytest.mark.parametrize("min_cell", THRESHOLDS)
def test_a_count_is_small_from_one_to_below_min_cell(min_cell: int) -> None:
    result = [privacy.is_small(n, min_cell) for n in edges(min_cell)]
    assert result == [False, True, True, False, False, False]


def test_the_default_threshold_is_five() -> None:
    assert [privacy.is_small(n) for n in (0, 1, 4, 5, None)] == [False, True, True, False, False]


@pytest.mark.parametrize("min_cell", THRESHOLDS)
def test_a_single_count_hides_only_in_a_breakdown(min_cell: int) -> None:
    counts = edges(min_cell)
    assert [privacy.is_hidden(n, min_cell) for n in counts] == [False, True, True, False, False, False]
    assert not any(privacy.is_hidden(n, min_cell, breakdown=False) for n in counts)
    assert [privacy.hide_count(n, min_cell) for n in counts] == [0, None, None, min_cell, min_cell + 1, None]
    assert [privacy.hide_count(n, min_cell, breakdown=False) for n in counts] == counts


def test_a_hidden_single_count_is_the_suppressed_value_and_a_bool() -> None:
    assert privacy.hide_count(2, 3) is privacy.SUPPRESSED
    assert privacy.is_hidden(2, 3, breakdown=False) is False
    assert privacy.is_hidden(2, 3) is True


def test_min_cell_one_hides_nothing() -> None:
    assert not any(privacy.is_hidden(n, 1) for n in (0, 1, 2, None))


@pytest.mark.parametrize("min_cell", THRESHOLDS)
def test_small_cells_flag_a_column_as_is_small_does_one_count(min_cell: int) -> None:
    df = pl.DataFrame({"n_clients": edges(min_cell)}, schema={"n_clients": pl.Int64})
    result = df.select(privacy.small_cells("n_clients", min_cell).alias("is_small"))
    expected = pl.DataFrame({"is_small": [False, True, True, False, False, None]})
    assert_frame_equal(result, expected)
    scalar = [privacy.is_small(n, min_cell) for n in edges(min_cell)]
    assert [bool(x) for x in result["is_small"].fill_null(False)] == scalar


@pytest.mark.parametrize("min_cell", THRESHOLDS)
def test_small_cells_take_an_expression_and_match_the_primary_rule(min_cell: int) -> None:
    df = pl.DataFrame({"n": [min_cell + 1, min_cell, 2 * min_cell], "n_woman": [min_cell] * 3})
    unknown = pl.col("n") - pl.col("n_woman")  # a count no column holds, as the EU indicators' unknowns
    result = df.select(privacy.small_cells(unknown, min_cell).alias("x"))["x"].to_list()
    assert result == [True, False, False]  # 1 is small, 0 and min_cell are not
    primary = pl.DataFrame({"n_clients": list(range(0, min_cell + 2))})
    flagged = primary.select(privacy.small_cells("n_clients", min_cell))["n_clients"]
    assert flagged.to_list() == primary["n_clients"].is_between(1, min_cell - 1).to_list()


@pytest.mark.parametrize("min_cell", THRESHOLDS)
def test_hide_small_cells_nulls_the_small_counts_and_keeps_the_rest(min_cell: int) -> None:
    df = pl.DataFrame(
        {"group": list("abcdef"), "n_clients": edges(min_cell)},
        schema={"group": pl.String, "n_clients": pl.Int64},
    )
    result = df.with_columns(privacy.hide_small_cells("n_clients", min_cell))
    expected = df.with_columns(
        pl.Series("n_clients", [0, None, None, min_cell, min_cell + 1, None], pl.Int64)
    )
    assert_frame_equal(result, expected)
    renamed = df.select(privacy.hide_small_cells(pl.col("n_clients"), min_cell).alias("n_total"))
    assert renamed["n_total"].to_list() == expected["n_clients"].to_list()


@pytest.mark.parametrize("min_cell", THRESHOLDS)
def test_a_group_and_its_median_show_from_min_cell_its_quartiles_from_twice_that(min_cell: int) -> None:
    q = privacy.QUARTILES_FROM * min_cell
    ns = [0, min_cell - 1, min_cell, q - 1, q]
    assert [privacy.may_show_group(n, min_cell) for n in ns] == [False, False, True, True, True]
    assert [privacy.may_show_median(n, min_cell) for n in ns] == [False, False, True, True, True]
    assert [privacy.may_show_quartiles(n, min_cell) for n in ns] == [False, False, False, False, True]
    df = pl.DataFrame({"n_clients": [*ns, None]}, schema={"n_clients": pl.Int64})
    n = pl.col("n_clients")
    result = df.select(
        privacy.may_show_group(n, min_cell).alias("group"),
        privacy.may_show_median(n, min_cell).alias("median"),
        privacy.may_show_quartiles(n, min_cell).alias("quartiles"),
    )
    expected = pl.DataFrame(
        {
            "group": [False, False, True, True, True, None],
            "median": [False, False, True, True, True, None],
            "quartiles": [False, False, False, False, True, None],
        }
    )
    assert_frame_equal(result, expected)


def test_the_default_quartile_threshold_is_ten_clients() -> None:
    assert privacy.QUARTILES_FROM == 2
    assert not privacy.may_show_quartiles(9) and privacy.may_show_quartiles(10)
    assert not privacy.may_show_median(4) and privacy.may_show_median(5)
