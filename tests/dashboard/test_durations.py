"""Time to pathway: the quantile definition, the small-group rule, the builder on a hand-made warehouse."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import figures
from dashboard.builders import durations, pathways
from pipelines import warehouse as wh
from tests.dashboard.test_app import shown_tables


def frame(*rows: tuple) -> pl.DataFrame:
    """Duration counts: (group, days, n_clients)."""
    return pl.DataFrame(
        list(rows), schema={"g": pl.String, "days": pl.Int32, "n_clients": pl.Int32}, orient="row"
    )


def duckdb_one(sql: str, params: list | None = None) -> object:
    """The one value DuckDB returns for ``sql`` (an in-memory database: the engine, not our code)."""
    with duckdb.connect() as con:
        return con.execute(sql, params or []).fetchone()[0]


def duckdb_quartiles(days: list[int]) -> list[float]:
    return duckdb_one("select quantile_cont(x, [0.25, 0.5, 0.75]) from unnest(?::integer[]) t(x)", [days])


def test_quartiles_are_linear_interpolation_as_duckdb_quantile_cont() -> None:
    got = figures.duration_quartiles(frame(("a", 100, 1), ("a", 110, 1), ("a", 150, 1), ("a", 200, 1)))
    assert got.row(0, named=True) == {
        "n_clients": 4,
        "q1_days": 107.5,
        "median_days": 130.0,
        "q3_days": 162.5,
    }
    assert duckdb_quartiles([100, 110, 150, 200]) == [107.5, 130.0, 162.5]
    disc = duckdb_one("select quantile_disc(x, 0.5) from unnest([100, 110, 150, 200]) t(x)")
    assert disc == 110  # quantile_disc would give a client's own duration: not the definition used


def test_a_duration_counts_once_per_client_and_groups_stay_apart() -> None:
    durations = frame(("a", 10, 3), ("a", 40, 1), ("b", 7, 2), ("b", 99, 0))
    got = figures.duration_quartiles(durations, ["g"])
    assert got["g"].to_list() == ["a", "b"] and got["n_clients"].to_list() == [4, 2]
    a = got.row(0, named=True)
    assert [a["q1_days"], a["median_days"], a["q3_days"]] == duckdb_quartiles([10, 10, 10, 40])
    assert got.row(1, named=True)["q3_days"] == 7.0  # the zero-client row of 99 days counts for nothing


@pytest.mark.parametrize(("days", "weeks"), [(0, 0), (3, 0), (3.5, 1), (10, 1), (10.5, 2), (203, 29)])
def test_days_round_to_whole_weeks_a_half_week_up(days: float, weeks: int) -> None:
    assert pl.select(figures.weeks(pl.lit(days)))[0, 0] == weeks


def shown(n: int, spread_days: int = 70, min_cell: int = 5) -> dict | None:
    """The rule applied to a group of ``n`` clients whose durations run 100 .. 100 + spread_days."""
    step = spread_days / max(n - 1, 1)
    rows = [("a", round(100 + i * step), 1) for i in range(n)]
    out = figures.time_to_pathway(figures.duration_quartiles(frame(*rows), ["g"]), min_cell)
    return out.row(0, named=True) if out.height else None


def test_groups_below_min_cell_have_no_row() -> None:
    assert shown(4) is None
    assert shown(9, min_cell=10) is None


def test_the_median_shows_from_min_cell_the_quartiles_from_twice_min_cell() -> None:
    five, nine, ten = shown(5), shown(9), shown(10)
    assert five["n_clients"] == 5 and five["median_weeks"] == 19  # 135 days
    assert five["q1_weeks"] is None and five["q3_weeks"] is None
    assert nine["median_weeks"] is not None and nine["q1_weeks"] is None
    assert (ten["q1_weeks"], ten["median_weeks"], ten["q3_weeks"]) == (17, 19, 22)  # 117.5, 135, 152.5 days


def test_a_group_within_one_week_shows_no_median() -> None:
    same = shown(12, spread_days=0)
    assert same["n_clients"] == 12 and same["median_weeks"] is None and same["q1_weeks"] is None
    assert shown(12, spread_days=13)["median_weeks"] is None  # middle half 3.25 days: still one week
    assert shown(12, spread_days=30)["median_weeks"] is not None


# Hand-made warehouse, VALPAS 2 at 2023Q3: (municipality, pathway, days of each client)
CLIENTS = (
    ("678", "employment", (35, 70, 91, 120, 150, 400)),
    ("678", "education", (50, 60, 70)),
    ("977", "employment", tuple(14 * k for k in range(1, 11))),
    ("977", "dropped_out", (600, 600)),  # did not progress: no duration counted
)
START = date(2021, 6, 1)


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("durations") / "warehouse.duckdb"
    with wh.write(path, fresh=True) as con:
        for upload, muni in enumerate(("678", "977"), start=1):
            con.execute(
                "insert into audit.uploads values (?, ?, 'test', 'VALPAS2', '2023Q3', 'clients', ?, 'x', 0, "
                "'accepted', 0, null)",
                [upload, datetime(2023, 9, 30, 12), f"{muni}.csv"],
            )
            con.execute(
                "insert into staging.client_snapshots values ('VALPAS2', ?, '2023Q3', ?)", [muni, upload]
            )
            con.execute("insert into audit.upload_municipalities values (?, 'VALPAS2', ?)", [upload, muni])
            number = 0
            for m, pathway, days in CLIENTS:
                for d in days if m == muni else ():
                    number += 1
                    exit_status = "employed" if pathway == "employment" else "unemployed"
                    con.execute(
                        "insert into staging.clients values "
                        "(?, 'VALPAS2', '2023Q3', ?, ?, '18-24', 'woman', ?, ?, 'unemployed', false, ?, ?, "
                        "'V')",
                        [
                            upload,
                            muni,
                            f"C{muni}-{number:03d}",
                            START,
                            START + timedelta(days=d),
                            exit_status,
                            pathway,
                        ],
                    )
    return path


def table(view) -> dict[str, tuple]:
    b = durations.time_to_pathway(view)
    return {r[1]: r[2:] for r in b.table().iter_rows()}


def test_whole_project_by_pathway_and_municipality(dated, make_view) -> None:
    got = table(make_view(dated))
    employment = sorted([35, 70, 91, 120, 150, 400, *(14 * k for k in range(1, 11))])
    assert duckdb_quartiles(employment) == [52.5, 87.5, 121.5]  # 7.5, 12.5 and 17.4 weeks
    assert got["Palkkatyö tai yrittäjyys"] == (16, 8, 13, 17)
    assert got["Kaikki jatkopolun löytäneet"][0] == 19
    assert "Koulutus" not in got  # 3 clients: no row
    assert got["Raahe"] == (9, None, 10, None)  # 70 days; 9 clients: the median only
    assert got["Ylivieska"] == (10, 7, 11, 16)  # 45.5, 77, 108.5 days: 6.5 and 15.5 weeks round up
    assert list(got) == ["Kaikki jatkopolun löytäneet", "Palkkatyö tai yrittäjyys", "Raahe", "Ylivieska"]


def test_a_group_whose_count_the_page_hides_has_no_row(dated, make_view) -> None:
    view = make_view(dated, municipality="678")
    # Raahe: 6 in employment, 3 in education; the page shows the 9 who progressed, so it hides the 6
    # with the 3 (else 9 - 6 gives the 3 away): the 6 get no median either
    assert table(view) == {"Kaikki jatkopolun löytäneet": (9, None, 10, None)}
    b = durations.time_to_pathway(view)
    assert "9" in b.caption and b.chart is None


def test_the_page_s_own_tables_give_the_same_table(dated, make_view) -> None:
    for filters in ({}, {"municipality": "678"}):
        view = make_view(dated, **filters)
        given = durations.time_to_pathway(
            view, pathways.pathway_table(view), pathways.pathway_by(view, "municipality_code")
        )
        assert given.data.equals(durations.time_to_pathway(view).data)


def test_in_swedish_and_english(dated, make_view) -> None:
    sv = durations.time_to_pathway(make_view(dated, lang="sv"))
    en = durations.time_to_pathway(make_view(dated, lang="en"))
    assert sv.title == "Tid till fortsatt väg" and en.title == "Time to pathway"
    assert [c.header for c in en.columns.values()][-3:] == [
        "Lower quartile, weeks",
        "Median, weeks",
        "Upper quartile, weeks",
    ]
    assert "Everyone who found a pathway" in en.data["label"].to_list()


def test_the_pathways_page_shows_the_table(app, warehouse: Path, make_view) -> None:
    at = app(warehouse, "views/pathways.py")
    assert not at.exception, [e.value for e in at.exception]
    assert "Aika jatkopolulle" in [h.value for h in at.header]
    rows = [row for t in shown_tables(at) for row in t if row[1:2] == ["Kaikki jatkopolun löytäneet"]]
    built = durations.time_to_pathway(make_view(warehouse)).text_table(make_view(warehouse).tr)
    assert rows == [list(built.row(0))]  # the page shows what the builder (and the table's downloads) hold
    assert rows[0][2] == "84" and all(cell.isdigit() for cell in rows[0][3:])
    assert any("lineaarisella interpoloinnilla" in c.value for c in at.caption)
