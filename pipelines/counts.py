"""The counting behind the headline figures, once: clients, outcomes, statuses and pathways of a profile.

Pure functions on Polars frames (no database, no Streamlit). A *profile* frame is what
``sql/shared/client_profiles.sql`` returns: one row per client profile listed at a quarter (municipality,
age group, gender, statuses, pathway, ``is_progressed``...) with ``n_clients``. ``pipelines.summary``
(the CLI and the upload preview a coordinator confirms) and the pages (``dashboard/figures.py`` re-exports
these, ``dashboard/builders``) count with the same functions from the same query, so the preview shows
what the overview then shows (issue 14).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from pipelines import codes

STATUSES = tuple(codes.STATUS)  # unemployed, outside_labour_force, employed, in_education, unknown
PATHWAYS = tuple(codes.PATHWAY)  # seven progressed, then two not progressed
PROGRESSED = tuple(codes.PROGRESSED_PATHWAYS)

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


def status_counts(
    profile: pl.DataFrame, by: Sequence[str] = (), of: Literal["ended", "listed"] = "ended"
) -> pl.DataFrame:
    """Count clients by status at entry and at exit (one row per ``by`` group and status, zeros kept).

    Whose status at entry is counted is the one difference between two tables that are both called
    "status at entry", so it is a parameter rather than a second function:

    - ``of="ended"`` (the pages' status tables, the published final-report figures): the ended clients'
      entry and exit statuses, the same clients at both ends, so ``change`` (``status_change``) means
      something.
    - ``of="listed"`` (``pipelines.summary``'s ``status_at_entry``, the CLI and the upload preview): every
      client listed at the quarter, active ones included. An exit status is known only for ended clients,
      so ``n_at_exit`` is the same in both; ``change`` is null, as the two columns count different clients.

    Mid-project the two differ (demo 2020Q1: 4 clients listed, none ended); in a final report every client
    has ended and they agree.
    """
    if of not in ("ended", "listed"):
        raise ValueError(f"status_counts counts the 'ended' or the 'listed' clients, not {of!r}")
    ended = profile.filter(~pl.col("is_active"))
    at_entry = ended if of == "ended" else profile
    entry = _count(at_entry, [*by, "status_at_entry"])
    entry = entry.rename({"status_at_entry": "status", "n": "n_at_entry"})
    leave = _count(ended, [*by, "status_at_exit"]).rename({"status_at_exit": "status", "n": "n_at_exit"})
    grid = _grid(profile, by, "status", STATUSES)
    out = grid.join(entry, on=[*by, "status"], how="left").join(leave, on=[*by, "status"], how="left")
    out = out.with_columns(pl.col("n_at_entry", "n_at_exit").fill_null(0).cast(pl.Int64))
    if of == "listed":
        return out.with_columns(pl.lit(None, dtype=pl.Float64).alias("change"))
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


def coaches_at(coaches_by_quarter: pl.DataFrame, quarter: str) -> int:
    """Return the distinct coaches as at ``quarter`` (0 when none), from ``coaches_by_quarter``'s rows.

    Coaches work in several municipalities, so the query counts them distinct per quarter; never sum
    quarters or places.
    """
    return int(coaches_by_quarter.filter(pl.col("quarter") == quarter)["n_coaches"].sum())


def participations_to(participations_by_quarter: pl.DataFrame, quarter: str | None) -> int:
    """Return the professionals' participations from the project's start to the end of ``quarter``
    (every quarter when None), from ``participations_by_quarter``'s rows."""
    rows = participations_by_quarter
    if quarter is not None:
        rows = rows.filter(pl.col("quarter") <= quarter)
    return int(rows["n_participations"].sum())


def share(part: int | None, whole: int | None) -> float | None:
    """Return part / whole, None when there is no whole (no clients) or no part (hidden)."""
    return part / whole if part is not None and whole else None


def headline(profile: pl.DataFrame) -> dict[str, object]:
    """Return the headline client figures of one selection, as ``pipelines summary`` prints them.

    ``status_at_entry`` counts every listed client (``status_counts(of="listed")``), ``status_at_exit``
    the ended ones; ``pathways`` all nine pathways, zeros kept.
    """
    total = outcomes(profile).row(0, named=True)
    statuses = status_counts(profile, of="listed")
    pathways = pathway_counts(profile)
    return {
        "n_clients": total["n_clients"],
        "status_at_entry": dict(zip(statuses["status"], statuses["n_at_entry"], strict=True)),
        "status_at_exit": dict(zip(statuses["status"], statuses["n_at_exit"], strict=True)),
        "pathways": dict(zip(pathways["pathway"], pathways["n_clients"], strict=True)),
        "n_progressed": total["n_progressed"],
        "n_not_progressed": total["n_not_progressed"],
        "share_progressed": share(total["n_progressed"], total["n_clients"]),
    }


def _count(df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return df.group_by(keys).agg(pl.col("n_clients").sum().cast(pl.Int64).alias("n"))


def _grid(profile: pl.DataFrame, by: Sequence[str], name: str, values: Sequence[str]) -> pl.DataFrame:
    """Every ``by`` group present in ``profile`` crossed with every category value, in category order."""
    cats = pl.DataFrame({name: list(values)}).with_row_index("_order")
    if not by:
        return cats.drop("_order")
    groups = profile.select(by).unique().sort(by)
    return groups.join(cats, how="cross").sort([*by, "_order"]).drop("_order")
