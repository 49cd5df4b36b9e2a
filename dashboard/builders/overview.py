"""Overview (Yleiskatsaus): headline figures at the quarter, a plain-language summary, the client trend."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard import charts, db, figures, privacy
from dashboard.builders.common import Built, Column, Metric, View, flag, texts
from dashboard.i18n import fi_elative

TREND_SERIES = ("n_active", "n_new", "n_ended_in_quarter")


@dataclass(frozen=True)
class Headline:
    """The counts behind the headline at one quarter (None where hidden)."""

    n_clients: int | None
    n_active: int | None
    n_progressed: int | None
    n_not_progressed: int | None
    n_coaches: int | None
    n_participations: int | None

    def share(self, part: int | None) -> float | None:
        if part is None or not self.n_clients:
            return None
        return part / self.n_clients


def previous_quarter(view: View) -> str | None:
    """Return the quarter before the selected one in the project's calendar."""
    quarters = list(view.choices.quarters)
    i = quarters.index(view.filters.quarter) if view.filters.quarter in quarters else 0
    return quarters[i - 1] if i > 0 else None


def has_clients(view: View) -> bool:
    """Say whether the project has any client data in the warehouse."""
    return not db.query("client_totals_by_quarter", **view.filters.client_params()).is_empty()


def headline_at(view: View, quarter: str | None) -> Headline | None:
    """Return the headline counts at ``quarter``, suppressed when the view is a breakdown.

    Counted as ``pipelines summary`` and the upload preview count them: the same queries (client
    profiles, coaches, participations) and the same functions (``figures`` re-exports ``pipelines.counts``).
    """
    if quarter is None:
        return None
    f = view.filters
    profile = db.query("client_profiles", **f.client_params(), quarter=quarter)
    row = figures.outcomes(profile).row(0, named=True)
    coaches = db.query("coaches_by_quarter", **f.place_params())
    parts = db.query("participations_by_quarter", **f.place_params())
    outcome = pl.DataFrame(
        {
            "outcome": ["n_progressed", "n_not_progressed", "n_active"],
            "n_clients": [row["n_progressed"], row["n_not_progressed"], row["n_active"]],
        }
    )
    n_clients = row["n_clients"]
    if f.is_breakdown:  # a filtered view is a breakdown: hide 1..4, with a complement (the total is shown)
        outcome = privacy.suppress_counts(outcome, min_cell=view.min_cell)
        n_clients = privacy.hide_count(n_clients, view.min_cell)
    counts = dict(zip(outcome["outcome"], outcome["n_clients"], strict=True))
    return Headline(
        n_clients=n_clients,
        n_active=counts["n_active"],
        n_progressed=counts["n_progressed"],
        n_not_progressed=counts["n_not_progressed"],
        n_coaches=figures.coaches_at(coaches, quarter),
        n_participations=figures.participations_to(parts, quarter),
    )


def _delta(view: View, now: int | None, before: int | None) -> str | None:
    """Change since the previous quarter, shown exactly when both counts are shown (it follows from them).

    Hiding a change of 1..4 between two shown counts protected nobody and read "+.." beside 128 -> 129; a
    hidden count (None) at either end gives no change.
    """
    if now is None or before is None:
        return None
    return view.tr.signed(now - before)


def headline(view: View) -> list[Metric]:
    """Return the headline metrics: clients, coaches, progressed, not progressed, participations."""
    tr, now = view.tr, headline_at(view, view.filters.quarter)
    before = headline_at(view, previous_quarter(view))
    assert now is not None

    def prev(attr: str) -> int | None:
        return getattr(before, attr) if before else None

    def with_share(n: int | None) -> str:
        share = now.share(n)
        return tr.count(n) if share is None else f"{tr.count(n)} ({tr.share(share, 0)})"

    coach_help = tr.t("overview.help.coaches")
    if view.filters.age_group or view.filters.gender:
        coach_help += " " + tr.t("overview.help.coaches_not_by_person")
    return [
        Metric(
            tr.t("figure.n_clients"),
            tr.count(now.n_clients),
            _delta(view, now.n_clients, prev("n_clients")),
            tr.t("overview.help.clients"),
        ),
        Metric(
            tr.t("figure.n_coaches"),
            tr.number(now.n_coaches),
            _delta(view, now.n_coaches, prev("n_coaches")),
            coach_help,
        ),
        Metric(
            tr.t("figure.n_progressed"),
            with_share(now.n_progressed),
            _delta(view, now.n_progressed, prev("n_progressed")),
            tr.t("overview.help.progressed"),
        ),
        Metric(
            tr.t("figure.n_not_progressed"),
            with_share(now.n_not_progressed),
            _delta(view, now.n_not_progressed, prev("n_not_progressed")),
            tr.t("overview.help.not_progressed"),
            delta_color="off",
        ),
        Metric(
            tr.t("overview.participations_short"),
            tr.number(now.n_participations),
            _delta(view, now.n_participations, prev("n_participations")),
            tr.t("overview.help.participations"),
        ),
    ]


def summary(view: View) -> str:
    """Say the quarter's outcome in one sentence ("84 asiakasta 128:sta (66 %) löysi jatkopolun.")."""
    tr, h = view.tr, headline_at(view, view.filters.quarter)
    assert h is not None
    if not h.n_clients:
        return tr.t("overview.summary_none") if h.n_clients == 0 else tr.t("overview.summary_hidden")
    if h.n_progressed is None:
        return tr.t("overview.summary_hidden")
    key = "overview.summary_one" if h.n_progressed == 1 else "overview.summary"
    text = tr.t(
        key,
        progressed=tr.number(h.n_progressed),
        clients=tr.number(h.n_clients),
        ela=fi_elative(h.n_clients),
        share=tr.share(h.share(h.n_progressed), 0),
    )
    if h.n_active:
        text += " " + tr.t("overview.summary_active", active=tr.number(h.n_active))
    elif h.n_active is None:
        text += " " + tr.t("overview.summary_active_hidden", min_cell=view.min_cell)
    return text


def trend(view: View) -> Built:
    """Return active clients and new and ended clients per quarter, up to the selected quarter."""
    tr, f = view.tr, view.filters
    quarters = list(view.choices.quarters)
    upto = quarters[: quarters.index(f.quarter) + 1] if f.quarter in quarters else quarters
    raw = db.query("client_totals_by_quarter", **f.client_params())
    grid = pl.DataFrame({"quarter": upto}).join(raw, on="quarter", how="left").fill_null(0)
    data = grid.select("quarter")
    for key in TREND_SERIES:  # a quarter is a breakdown: hide 1..4 (no total is shown, so no complement)
        hidden = privacy.suppress_counts(
            grid.select("quarter", pl.col(key).alias("n")), "n", min_cell=view.min_cell, total_shown=False
        )
        data = data.with_columns(hidden["n"].alias(key), hidden[flag("n")].alias(f"{key}_hidden"))
        data = texts(data, view, key)
    labels = {key: tr.t(f"overview.trend.{key}") for key in TREND_SERIES}
    fig = charts.client_trend(
        data,
        labels=labels,
        value_title=tr.t("common.clients"),
        separators=tr.plotly_separators,
        empty=tr.t("charts.empty"),
    )
    columns = {"quarter": Column(tr.t("common.quarter"))} | {k: Column(v, "count") for k, v in labels.items()}
    caption = tr.t("overview.trend.caption", min_cell=view.min_cell)
    return Built(tr.t("overview.trend.title"), data, columns, fig, caption)
