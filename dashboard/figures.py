"""Figures computed from stored counts: shares with Wilson intervals, time to pathway, published figures.

Pure functions on Polars frames (no Streamlit, no database), so every rule can be unit-tested with a
three-row frame. A *profile* frame is what the ``client_profiles`` query returns: one row per client
profile (municipality, age group, gender, statuses, pathway...) with ``n_clients``.

The counting of clients, outcomes, statuses and pathways is ``pipelines.counts``, the one the CLI summary
and the upload preview count with (issue 14); it is re-exported here, so the pages keep reading
``figures.outcomes`` and the like.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from dashboard import privacy
from pipelines import counts
from pipelines.counts import (
    CHANGE_MIN_BASE,
    PATHWAYS,
    PROGRESSED,
    STATUSES,
    coaches_at,
    outcomes,
    participations_to,
    pathway_counts,
    status_change,
    status_counts,
)

__all__ = [  # the counting re-exported from pipelines.counts, then this module's own
    "CHANGE_MIN_BASE",
    "PATHWAYS",
    "PROGRESSED",
    "QUARTILES",
    "QUARTILES_FROM",
    "STATUSES",
    "WEEK",
    "Z95",
    "coaches_at",
    "computed_figures",
    "duration_quartiles",
    "is_share",
    "outcomes",
    "participations_to",
    "pathway_counts",
    "reconcile",
    "status_change",
    "status_counts",
    "time_to_pathway",
    "weeks",
    "wilson",
    "with_share",
]

Z95 = 1.959963984540054  # standard normal quantile for a two-sided 95 % interval


def wilson(k: int | None, n: int | None, z: float = Z95) -> tuple[float | None, float | None]:
    """Return the Wilson score interval of the share k/n (None, None when it cannot be computed)."""
    if k is None or n is None or n <= 0 or not 0 <= k <= n:
        return None, None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def with_share(df: pl.DataFrame, k: str, n: str, name: str = "share") -> pl.DataFrame:
    """Add ``name`` = k/n and its Wilson 95 % bounds ``name_low`` / ``name_high``."""
    bounds = [wilson(a, b) for a, b in zip(df[k].to_list(), df[n].to_list(), strict=True)]
    return df.with_columns(
        pl.when(pl.col(n) > 0).then(pl.col(k) / pl.col(n)).alias(name),
        pl.Series(f"{name}_low", [lo for lo, _ in bounds], dtype=pl.Float64),
        pl.Series(f"{name}_high", [hi for _, hi in bounds], dtype=pl.Float64),
    )


# Time to pathway (issue 13): quartiles of the days from start to end of those who found a pathway.
QUARTILES = (("q1_days", 0.25), ("median_days", 0.5), ("q3_days", 0.75))
QUARTILES_FROM = privacy.QUARTILES_FROM  # the rule lives in privacy (may_show_quartiles); kept for captions
WEEK = 7


def duration_quartiles(durations: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """Return each ``by`` group's clients and the quartiles of their ``days`` (one row per duration count).

    The quantile is linear interpolation between order statistics, Hyndman and Fan's type 7: position
    ``p * (n - 1)`` of the sorted durations (0-based), as DuckDB's ``quantile_cont``, NumPy's default and
    R's ``quantile`` compute it. For 100, 110, 150 and 200 days the median is 130 and Q1 107.5.
    """
    one_per_client = durations.filter(pl.col("n_clients") > 0).select(
        *by, pl.col("days").cast(pl.Float64).repeat_by(pl.col("n_clients"))
    )
    rows = one_per_client.explode("days")
    agg = [pl.len().cast(pl.Int64).alias("n_clients")]
    agg += [pl.col("days").quantile(q, interpolation="linear").alias(name) for name, q in QUARTILES]
    if not by:
        return rows.select(agg).filter(pl.col("n_clients") > 0)
    return rows.group_by(list(by)).agg(agg).sort(list(by))


def weeks(days: pl.Expr) -> pl.Expr:
    """Round days to whole weeks, a half week up (10.5 days -> 2 weeks, 10 days -> 1)."""
    return (days / WEEK + 0.5).floor().cast(pl.Int64)


def time_to_pathway(quartiles: pl.DataFrame, min_cell: int) -> pl.DataFrame:
    """Apply the disclosure rule to ``duration_quartiles``: what is shown, in whole weeks (docs/privacy.md).

    A group of fewer than ``min_cell`` clients is dropped (its count would be a small cell). Its median
    is shown from ``min_cell`` clients, its quartiles from ``QUARTILES_FROM * min_cell`` (the rules are
    ``privacy.may_show_group`` / ``may_show_median`` / ``may_show_quartiles``). A group whose
    middle half lies within one week (Q3 - Q1 < 7 days) shows neither: its median would be most of its
    members' duration. Days become whole weeks, so no client's exact dates follow from a figure.
    """
    n, spread = pl.col("n_clients"), (pl.col("q3_days") - pl.col("q1_days")) >= WEEK
    median_ok = spread & privacy.may_show_median(n, min_cell)
    quartiles_ok = spread & privacy.may_show_quartiles(n, min_cell)
    return quartiles.filter(privacy.may_show_group(n, min_cell)).select(
        pl.exclude("q1_days", "median_days", "q3_days"),
        pl.when(quartiles_ok).then(weeks(pl.col("q1_days"))).alias("q1_weeks"),
        pl.when(median_ok).then(weeks(pl.col("median_days"))).alias("median_weeks"),
        pl.when(quartiles_ok).then(weeks(pl.col("q3_days"))).alias("q3_weeks"),
    )


def computed_figures(profile: pl.DataFrame, n_coaches: int | None, n_participations: int | None) -> dict:
    """Return the computed value of every figure a final report publishes (keys of ref.published_figures)."""
    total = counts.headline(profile)
    n = total["n_clients"]
    out: dict[str, float | None] = {
        "n_clients": n,
        "n_coaches": n_coaches,
        "n_progressed": total["n_progressed"],
        "n_not_progressed": total["n_not_progressed"],
        "share_progressed": total["share_progressed"],
        "share_not_progressed": counts.share(total["n_not_progressed"], n),
        "n_professional_participations": n_participations,
    }
    # a final report's statuses are the ended clients' at both ends (status_counts of="ended"), as the
    # change needs; the summary's status_at_entry counts every listed client (the same once all ended)
    for row in status_counts(profile, of="ended").iter_rows(named=True):
        out[f"status_at_entry.{row['status']}"] = row["n_at_entry"]
        out[f"status_at_exit.{row['status']}"] = row["n_at_exit"]
        out[f"status_change.{row['status']}"] = row["change"]
    for row in pathway_counts(profile).iter_rows(named=True):
        out[f"pathway.{row['pathway']}"] = row["n_clients"]
        out[f"pathway_share.{row['pathway']}"] = row["n_clients"] / n if n else None
    return out


def is_share(figure: str) -> bool:
    """Say whether a published figure is a fraction (share or change) rather than a count."""
    return figure.startswith(("share_", "pathway_share.", "status_change."))


def reconcile(published: pl.DataFrame, computed: dict) -> pl.DataFrame:
    """Compare each published figure with the computed one; a share matches when it rounds the same.

    Reports round shares to whole percents, so 0.64 published against 0.656 computed does not match
    (the VALPAS 2 report's "84 (64 %)"), while 0.25 against 0.25 does.
    """
    rows = []
    for fig, value in published.select("figure", "value").iter_rows():
        got = computed.get(fig)
        if got is None:
            matches = None
        elif is_share(fig):
            matches = round(got * 100) == round(value * 100)
        else:
            matches = round(got) == round(value)
        rows.append({"figure": fig, "published": value, "computed": got, "matches": matches})
    schema = {"figure": pl.String, "published": pl.Float64, "computed": pl.Float64, "matches": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)
