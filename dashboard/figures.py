"""Figures computed from stored counts: shares with Wilson intervals, status change, pathways.

Pure functions on Polars frames (no Streamlit, no database), so every rule can be unit-tested with a
three-row frame. A *profile* frame is what ``queries/client_profiles.sql`` returns: one row per client
profile (municipality, age group, gender, statuses, pathway...) with ``n_clients``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from pipelines import codes

Z95 = 1.959963984540054  # standard normal quantile for a two-sided 95 % interval
STATUSES = tuple(codes.STATUS)  # unemployed, outside_labour_force, employed, in_education, unknown
PATHWAYS = tuple(codes.PATHWAY)  # seven progressed, then two not progressed
PROGRESSED = tuple(codes.PROGRESSED_PATHWAYS)


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


# The smallest base a change in percent is computed from: the final report's smallest (in education
# 9 -> 15, +67 %). From a base of 1 or 2 a percentage is noise ("1 -> 17, +1 600 %"; issue 12 item 5).
CHANGE_MIN_BASE = 9


def status_change(at_entry: int | None, at_exit: int | None) -> float | None:
    """Return (exit - entry) / entry (e.g. employed 12 -> 32 is +1.67); None below ``CHANGE_MIN_BASE``."""
    if at_entry is None or at_entry < CHANGE_MIN_BASE or at_exit is None:
        return None
    return (at_exit - at_entry) / at_entry


def outcomes(profile: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """Count clients, active, ended, progressed and not progressed per ``by`` group."""
    n = pl.col("n_clients")
    agg = [
        n.sum().alias("n_clients"),
        n.filter(pl.col("is_active")).sum().alias("n_active"),
        n.filter(~pl.col("is_active")).sum().alias("n_ended"),
        n.filter(pl.col("is_progressed")).sum().alias("n_progressed"),
        n.filter(pl.col("is_progressed").not_()).sum().alias("n_not_progressed"),
    ]
    if not by:
        return profile.select(agg).with_columns(pl.all().fill_null(0).cast(pl.Int64))
    return (
        profile.group_by(by, maintain_order=True)
        .agg(agg)
        .with_columns(pl.exclude(by).fill_null(0).cast(pl.Int64))
        .sort(by)
    )


def status_counts(profile: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """Count ended clients by status at entry and at exit (one row per ``by`` group and status)."""
    ended = profile.filter(~pl.col("is_active"))
    entry = _count(ended, [*by, "status_at_entry"]).rename({"status_at_entry": "status", "n": "n_at_entry"})
    leave = _count(ended, [*by, "status_at_exit"]).rename({"status_at_exit": "status", "n": "n_at_exit"})
    grid = _grid(profile, by, "status", STATUSES)
    out = grid.join(entry, on=[*by, "status"], how="left").join(leave, on=[*by, "status"], how="left")
    out = out.with_columns(pl.col("n_at_entry", "n_at_exit").fill_null(0).cast(pl.Int64))
    return out.with_columns(
        pl.struct("n_at_entry", "n_at_exit")
        .map_elements(lambda s: status_change(s["n_at_entry"], s["n_at_exit"]), return_dtype=pl.Float64)
        .alias("change")
    )


def pathway_counts(profile: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """Count clients per pathway (all nine, zeros kept) per ``by`` group, with the group's client total."""
    counts = _count(profile.filter(pl.col("pathway").is_not_null()), [*by, "pathway"]).rename(
        {"n": "n_clients"}
    )
    grid = _grid(profile, by, "pathway", PATHWAYS)
    out = grid.join(counts, on=[*by, "pathway"], how="left").with_columns(
        pl.col("n_clients").fill_null(0).cast(pl.Int64),
        pl.col("pathway").is_in(PROGRESSED).alias("is_progressed"),
    )
    totals = outcomes(profile, by).select([*by, pl.col("n_clients").alias("n_total")]) if by else None
    if totals is None:
        return out.with_columns(pl.lit(int(profile["n_clients"].sum()), dtype=pl.Int64).alias("n_total"))
    return out.join(totals, on=list(by), how="left").with_columns(pl.col("n_total").fill_null(0))


# Time to pathway (issue 13): quartiles of the days from start to end of those who found a pathway.
QUARTILES = (("q1_days", 0.25), ("median_days", 0.5), ("q3_days", 0.75))
QUARTILES_FROM = 2  # quartiles need a group of QUARTILES_FROM x min_cell clients, the median min_cell
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
    is shown from ``min_cell`` clients, its quartiles from ``QUARTILES_FROM * min_cell``. A group whose
    middle half lies within one week (Q3 - Q1 < 7 days) shows neither: its median would be most of its
    members' duration. Days become whole weeks, so no client's exact dates follow from a figure.
    """
    n, spread = pl.col("n_clients"), (pl.col("q3_days") - pl.col("q1_days")) >= WEEK
    median_ok = spread & (n >= min_cell)
    quartiles_ok = spread & (n >= QUARTILES_FROM * min_cell)
    return quartiles.filter(n >= min_cell).select(
        pl.exclude("q1_days", "median_days", "q3_days"),
        pl.when(quartiles_ok).then(weeks(pl.col("q1_days"))).alias("q1_weeks"),
        pl.when(median_ok).then(weeks(pl.col("median_days"))).alias("median_weeks"),
        pl.when(quartiles_ok).then(weeks(pl.col("q3_days"))).alias("q3_weeks"),
    )


def computed_figures(profile: pl.DataFrame, n_coaches: int | None, n_participations: int | None) -> dict:
    """Return the computed value of every figure a final report publishes (keys of ref.published_figures)."""
    total = outcomes(profile).row(0, named=True)
    n = total["n_clients"]
    out: dict[str, float | None] = {
        "n_clients": n,
        "n_coaches": n_coaches,
        "n_progressed": total["n_progressed"],
        "n_not_progressed": total["n_not_progressed"],
        "share_progressed": total["n_progressed"] / n if n else None,
        "share_not_progressed": total["n_not_progressed"] / n if n else None,
        "n_professional_participations": n_participations,
    }
    for row in status_counts(profile).iter_rows(named=True):
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


def _count(df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return df.group_by(keys).agg(pl.col("n_clients").sum().cast(pl.Int64).alias("n"))


def _grid(profile: pl.DataFrame, by: Sequence[str], name: str, values: Sequence[str]) -> pl.DataFrame:
    """Every ``by`` group present in ``profile`` crossed with every category value, in category order."""
    cats = pl.DataFrame({name: list(values)}).with_row_index("_order")
    if not by:
        return cats.drop("_order")
    groups = profile.select(by).unique().sort(by)
    return groups.join(cats, how="cross").sort([*by, "_order"]).drop("_order")
