"""The headline counting (``pipelines.counts``) on hand-made profiles: whom each count is of."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines import counts

# two ended clients (unemployed -> employed, found work; employed -> unknown, dropped out), three active
PROFILE = pl.DataFrame(
    {
        "municipality_code": ["261", "261", "614"],
        "status_at_entry": ["unemployed", "employed", "unemployed"],
        "is_active": [False, False, True],
        "status_at_exit": ["employed", "unknown", None],
        "pathway": ["employment", "dropped_out", None],
        "is_progressed": [True, False, None],
        "n_clients": [1, 1, 3],
    },
    schema_overrides={"n_clients": pl.Int32},
)
EMPTY = PROFILE.clear()


def by_status(table: pl.DataFrame, column: str) -> dict[str, int]:
    return {s: n for s, n in zip(table["status"], table[column], strict=True) if n}


def test_status_at_entry_counts_the_ended_or_every_listed_client() -> None:
    ended = counts.status_counts(PROFILE)
    listed = counts.status_counts(PROFILE, of="listed")
    assert by_status(ended, "n_at_entry") == {"unemployed": 1, "employed": 1}
    assert by_status(listed, "n_at_entry") == {"unemployed": 4, "employed": 1}
    assert by_status(ended, "n_at_exit") == by_status(listed, "n_at_exit") == {"employed": 1, "unknown": 1}
    assert listed["change"].is_null().all()  # entry and exit of different clients: no change


def test_status_counts_refuses_an_unknown_population() -> None:
    with pytest.raises(ValueError, match="ended"):
        counts.status_counts(PROFILE, of="active")  # type: ignore[arg-type]


def test_headline_counts_every_listed_client() -> None:
    h = counts.headline(PROFILE)
    assert (h["n_clients"], h["n_progressed"], h["n_not_progressed"]) == (5, 1, 1)
    assert h["share_progressed"] == 0.2
    assert h["status_at_entry"] == dict.fromkeys(counts.STATUSES, 0) | {"unemployed": 4, "employed": 1}
    assert h["pathways"] == dict.fromkeys(counts.PATHWAYS, 0) | {"employment": 1, "dropped_out": 1}
    assert all(type(v) is int for v in h["pathways"].values())  # json.dumps for the CLI


def test_headline_of_no_clients_is_zeros_and_no_share() -> None:
    h = counts.headline(EMPTY)
    assert (h["n_clients"], h["n_progressed"], h["share_progressed"]) == (0, 0, None)
    assert set(h["status_at_entry"].values()) == set(h["pathways"].values()) == {0}


def test_coaches_at_a_quarter_and_participations_to_its_end() -> None:
    coaches = pl.DataFrame({"quarter": ["2023Q1", "2023Q2"], "n_coaches": [2, 3]})
    parts = pl.DataFrame({"quarter": ["2023Q1", "2023Q3"], "n_participations": [10, 5]})
    assert [counts.coaches_at(coaches, q) for q in ("2023Q2", "2023Q3")] == [3, 0]
    assert [counts.participations_to(parts, q) for q in ("2022Q4", "2023Q2", None)] == [0, 10, 15]
