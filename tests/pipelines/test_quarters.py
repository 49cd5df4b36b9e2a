"""Quarter arithmetic has one home (``pipelines.quarters``) and the SQL macros say the same."""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta

import duckdb
import pytest

from pipelines import marts, quarters, warehouse

FIRST_DAY, LAST_DAY = date(2015, 1, 1), date(2035, 12, 31)
DAYS = [FIRST_DAY + timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]
EVERY_QUARTER = quarters.between("2015Q1", "2035Q4")


@pytest.fixture(scope="module")
def con():
    """An in-memory DuckDB with the warehouse's migrations (and so its quarter macros)."""
    connection = duckdb.connect()
    warehouse.migrate(connection)
    yield connection
    connection.close()


def test_the_sql_macros_equal_the_python_on_every_day_and_quarter_of_2015_2035(con):
    in_sql = con.execute("select d, quarter_of(d) from unnest(?::date[]) t(d) order by d", [DAYS]).fetchall()
    assert in_sql == [(d, quarters.quarter_of(d)) for d in DAYS]
    bounds = con.execute(
        "select q, quarter_start(q), quarter_end(q) from unnest(?::varchar[]) t(q) order by q",
        [EVERY_QUARTER],
    ).fetchall()
    assert bounds == [(q, *quarters.bounds(q)) for q in EVERY_QUARTER]


def test_quarters_tile_the_calendar():
    assert len(EVERY_QUARTER) == 21 * 4 and EVERY_QUARTER[:2] == ["2015Q1", "2015Q2"]
    for q in EVERY_QUARTER:
        first, last = quarters.bounds(q)
        assert quarters.quarter_of(first) == quarters.quarter_of(last) == q
        assert quarters.quarter_of(first - timedelta(days=1)) == quarters.preceding(q)
        assert quarters.start(quarters.following(q)) == last + timedelta(days=1)
    assert sum((quarters.end(q) - quarters.start(q)).days + 1 for q in EVERY_QUARTER) == len(DAYS)


@pytest.mark.parametrize("text", ["2023Q0", "2023Q5", "2023q3", "23Q3", " 2023Q3", "2023Q3 ", "2023-Q3"])
def test_only_yyyyqn_is_a_quarter(text):
    assert not quarters.is_quarter(text)
    with pytest.raises(ValueError, match="YYYYQn"):
        quarters.start(text)


def test_the_quarters_overlapping_a_period():
    assert quarters.overlapping(date(2020, 2, 1), date(2021, 1, 1)) == [
        "2020Q1", "2020Q2", "2020Q3", "2020Q4", "2021Q1",
    ]  # fmt: skip
    assert quarters.overlapping(date(2023, 9, 30), date(2023, 10, 1)) == ["2023Q3", "2023Q4"]
    assert quarters.overlapping(date(2024, 1, 1), date(2023, 1, 1)) == []


def test_the_marts_quarter_calendar_is_the_python_one(db, tmp_path):
    """``marts.quarters`` steps its own calendar in SQL; it is ``quarters.overlapping`` of each period."""
    rng = random.Random(14)
    edges = [(date(2021, 3, 31), date(2021, 4, 1)), (date(2022, 5, 15), date(2022, 5, 15)),
             (date(2019, 12, 31), date(2020, 1, 1)), (date(2024, 2, 29), date(2025, 9, 30))]  # fmt: skip
    periods = edges + [tuple(sorted(rng.sample(DAYS, 2))) for _ in range(200)]  # no data: the period alone
    scratch = tmp_path / "periods.duckdb"
    shutil.copyfile(warehouse.current_snapshot(db), scratch)
    con = duckdb.connect(str(scratch))
    try:
        con.executemany(
            """insert into ref.projects (project_code, name, funding, start_date, end_date, age_min, age_max)
               values (?, 'test', 'test', ?, ?, 15, 29)""",
            [[f"P{i:03d}", first, last] for i, (first, last) in enumerate(periods)],
        )
        marts.build(con)
        found = con.execute(
            """select project_code, list((quarter, quarter_start_date, quarter_end_date)
                                         order by quarter_start_date)
               from marts.quarters where project_code like 'P%' group by all"""
        ).fetchall()
    finally:
        con.close()
    calendars = {code: [tuple(q) for q in listed] for code, listed in found}
    for i, (first, last) in enumerate(periods):
        expected = [(q, *quarters.bounds(q)) for q in quarters.overlapping(first, last)]
        assert calendars[f"P{i:03d}"] == expected, (first, last)
