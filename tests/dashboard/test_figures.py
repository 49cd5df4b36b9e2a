"""Figures computed from counts: Wilson intervals, status change, pathways, reconciliation."""

from __future__ import annotations

import math

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import figures
from pipelines import codes


def profile(*rows: tuple) -> pl.DataFrame:
    """Client profiles: (municipality, entry, long-term, exit or None, pathway or None, n)."""
    data = [
        {
            "municipality_code": m,
            "status_at_entry": e,
            "is_long_term_unemployed": lt,
            "is_active": x is None,
            "status_at_exit": x,
            "pathway": p,
            "is_progressed": None if p is None else p in figures.PROGRESSED,
            "n_clients": n,
        }
        for m, e, lt, x, p, n in rows
    ]
    return pl.DataFrame(
        data,
        schema_overrides={
            "n_clients": pl.Int32,
            "status_at_exit": pl.String,
            "pathway": pl.String,
            "is_progressed": pl.Boolean,
        },
    )


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (84, 128, 0.570496, 0.732898),  # VALPAS 2: 84 of 128 progressed
        (0, 10, 0.0, 0.277533),
        (10, 10, 0.722467, 1.0),
        (1, 2, 0.094531, 0.905469),
    ],
)
def test_wilson_interval_known_values(k: int, n: int, low: float, high: float) -> None:
    got_low, got_high = figures.wilson(k, n)
    assert math.isclose(got_low, low, abs_tol=1e-6)
    assert math.isclose(got_high, high, abs_tol=1e-6)


@pytest.mark.parametrize(("k", "n"), [(None, 10), (3, None), (1, 0), (5, 3), (-1, 3)])
def test_wilson_without_a_valid_share(k, n) -> None:
    assert figures.wilson(k, n) == (None, None)


def test_with_share_adds_share_and_bounds() -> None:
    result = figures.with_share(pl.DataFrame({"k": [84, 0], "n": [128, 0]}), "k", "n")
    assert result["share"].to_list()[0] == pytest.approx(0.65625)
    assert result["share"][1] is None and result["share_low"][1] is None


@pytest.mark.parametrize(
    ("entry", "leave", "change"),
    [
        (70, 45, -0.357143),
        (36, 19, -0.472222),
        (12, 32, 1.666667),
        (9, 15, 0.666667),
        (0, 3, None),
        (1, 17, None),  # below the smallest published base, 9: no percentage
        (8, 20, None),
    ],
)
def test_status_change_of_the_report(entry: int, leave: int, change: float | None) -> None:
    got = figures.status_change(entry, leave)
    assert got == change if change is None else math.isclose(got, change, abs_tol=1e-6)


def test_status_counts_are_over_ended_clients() -> None:
    p = profile(
        ("261", "unemployed", True, "employed", "employment", 2),
        ("261", "unemployed", False, None, None, 5),  # active: not in the status change
        ("261", "employed", False, "unknown", "dropped_out", 1),
    )
    result = figures.status_counts(p).filter(pl.col("status").is_in(["unemployed", "employed"]))
    expected = pl.DataFrame(
        {
            "status": ["unemployed", "employed"],
            "n_at_entry": [2, 1],
            "n_at_exit": [0, 2],
            "change": [None, None],  # bases of 2 and 1: below CHANGE_MIN_BASE, no percentage
        },
        schema_overrides={"change": pl.Float64},
    )
    assert_frame_equal(result, expected)


def test_pathway_counts_keep_all_nine_in_order() -> None:
    p = profile(
        ("261", "unemployed", False, "employed", "employment", 3), ("261", "unemployed", False, None, None, 1)
    )
    result = figures.pathway_counts(p)
    assert result["pathway"].to_list() == list(figures.PATHWAYS)
    assert result["n_clients"].sum() == 3 and result["n_total"][0] == 4
    assert result.filter(pl.col("is_progressed"))["pathway"].to_list() == list(figures.PROGRESSED)


def test_pathway_counts_take_the_sides_the_marts_join() -> None:
    """The page's nine pathways and who found one are the rows of ``ref.pathways`` (codes.pathway_rows)."""
    result = figures.pathway_counts(profile(("261", "unemployed", False, None, None, 1)))
    shipped = [(code, is_progressed) for code, _, _, is_progressed, _ in codes.pathway_rows()]
    assert list(zip(result["pathway"], result["is_progressed"], strict=True)) == shipped


def test_outcomes_count_progressed_and_not() -> None:
    p = profile(
        ("261", "unemployed", False, "employed", "employment", 3),
        ("261", "unemployed", False, "unemployed", "referred_elsewhere", 2),
        ("614", "unemployed", False, None, None, 1),
    )
    result = figures.outcomes(p, ["municipality_code"])
    assert result.row(0, named=True) == {
        "municipality_code": "261",
        "n_clients": 5,
        "n_active": 0,
        "n_ended": 5,
        "n_progressed": 3,
        "n_not_progressed": 2,
    }
    assert result.row(1, named=True)["n_active"] == 1


def test_reconcile_rounds_shares_as_the_report_did() -> None:
    published = pl.DataFrame(
        {
            "figure": ["n_progressed", "share_progressed", "pathway_share.employment", "n_coaches"],
            "value": [84.0, 0.64, 0.25, 4.0],
        }
    )
    computed = {"n_progressed": 84, "share_progressed": 84 / 128, "pathway_share.employment": 32 / 128}
    result = dict(figures.reconcile(published, computed).select("figure", "matches").iter_rows())
    assert result == {
        "n_progressed": True,
        "share_progressed": False,
        "pathway_share.employment": True,
        "n_coaches": None,
    }
