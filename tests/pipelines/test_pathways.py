"""Who found a pathway has one definition: ``codes.py``, shipped as ``ref.pathways`` that the marts join."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import figures
from pipelines import codes, counts, ingest, marts, users, warehouse
from tests.pipelines.conftest import clients_csv, rows

ROOT = Path(__file__).resolve().parents[2]
SQL_FILES = sorted((ROOT / "pipelines" / "sql").rglob("*.sql")) + sorted((ROOT / "dashboard").rglob("*.sql"))


def every_pathway() -> tuple[str, ...]:
    """One ended client in Kittilä per pathway codes.py has (by its Finnish name), and one still active."""
    ended = [
        f"KIT-{i:03d};261;18-24;mies;1.2.2021;30.6.2021;työtön;ei;työtön;{names[0]};"
        for i, names in enumerate(codes.PATHWAY.values(), start=1)
    ]
    return (*ended, f"KIT-{len(ended) + 1:03d};261;18-24;mies;1.2.2021;;työtön;ei;;;")


# every pathway once, so a code added to codes.py goes through every test here without editing them
ROWS = every_pathway()
PROFILES = (ROOT / "pipelines" / "sql" / "shared" / "client_profiles.sql").read_text(encoding="utf-8")


def progress_in_marts(con: duckdb.DuckDBPyConnection) -> tuple[dict, set]:
    counts = dict(
        con.execute(
            "select pathway, is_progressed from marts.client_counts where quarter = '2021Q2' group by all"
        ).fetchall()
    )
    timed = {r[0] for r in con.execute("select distinct pathway from marts.pathway_durations").fetchall()}
    return counts, timed


def test_ref_pathways_is_what_codes_says_every_pathway_once_in_report_order(db):
    found = rows(db, "select pathway, is_progressed from ref.pathways order by sort_order")
    assert found == [(code, code in codes.PROGRESSED_PATHWAYS) for code in codes.PATHWAY]
    assert set(codes.PATHWAY) == set(codes.PROGRESSED_PATHWAYS) | set(codes.NOT_PROGRESSED_PATHWAYS)
    assert [p for p, is_progressed in found if not is_progressed] == ["dropped_out", "referred_elsewhere"]


def test_no_sql_names_a_pathway_code_the_marts_take_progress_from_ref_pathways():
    literal = re.compile("|".join(rf"'{re.escape(code)}'" for code in codes.PATHWAY))
    named = {
        p.relative_to(ROOT).as_posix() for p in SQL_FILES if literal.search(p.read_text(encoding="utf-8"))
    }
    assert named == set()
    joined = {m.path.name for m in marts.files() if "ref.pathways" in m.reads}
    assert joined == {"020_client_counts.sql", "025_pathway_durations.sql"}


def test_the_marts_follow_ref_pathways_for_every_pathway(db, tmp_path):
    ingest.load_file(db, clients_csv(tmp_path / "a.csv", ROWS), project_code="VALPAS2", quarter="2021Q2",
                     kind="clients")  # fmt: skip
    con = warehouse.connect_reader(db)
    try:
        counts, timed = progress_in_marts(con)
    finally:
        con.close()
    assert counts == {**{code: code in codes.PROGRESSED_PATHWAYS for code in codes.PATHWAY}, None: None}
    assert timed == set(codes.PROGRESSED_PATHWAYS)

    scratch = tmp_path / "flipped.duckdb"  # a pathway that changed sides moves in every mart that uses it
    shutil.copyfile(warehouse.current_snapshot(db), scratch)
    con = duckdb.connect(str(scratch))
    try:
        con.execute("update ref.pathways set is_progressed = not is_progressed where pathway = 'work_trial'")
        marts.build(con)
        counts, timed = progress_in_marts(con)
    finally:
        con.close()
    assert counts["work_trial"] is False and timed == set(codes.PROGRESSED_PATHWAYS) - {"work_trial"}


def test_a_warehouse_whose_pathways_are_stale_catches_up_on_the_next_write(db, tmp_path):
    ingest.load_file(db, clients_csv(tmp_path / "a.csv", ROWS), project_code="VALPAS2", quarter="2021Q2",
                     kind="clients")  # fmt: skip
    with warehouse.write(db) as con:  # as a warehouse from before ref.pathways (or before a new pathway)
        con.execute("delete from ref.pathways")
    assert rows(db, "select count(*) from marts.client_counts where is_progressed is not null") == [(0,)]

    with warehouse.write(db) as con:  # any later write, here an account
        users.add_user(con, "anna", "salasana-123", "viewer")

    assert rows(db, "select count(*) from ref.pathways") == [(len(codes.PATHWAY),)]
    assert rows(
        db, "select count(*) from marts.client_counts where quarter = '2021Q2' and is_progressed"
    ) == [(len(codes.PROGRESSED_PATHWAYS),)]
    assert rows(db, "select count(distinct pathway) from marts.pathway_durations") == [
        (len(codes.PROGRESSED_PATHWAYS),)
    ]


def counted_alike(profile: pl.DataFrame) -> None:
    """Fail unless ``figures.py`` draws every pathway of the marts, on the side the marts count it."""
    in_marts = dict(
        profile.filter(pl.col("pathway").is_not_null()).select("pathway", "is_progressed").iter_rows()
    )
    drawn = figures.pathway_counts(profile)
    in_figures = dict(zip(drawn["pathway"], drawn["is_progressed"], strict=True))
    assert set(in_marts) <= set(in_figures), f"not drawn: {sorted(set(in_marts) - set(in_figures))}"
    assert {p: in_figures[p] for p in in_marts} == in_marts, "a pathway on another side in figures.py"
    total = figures.outcomes(profile).row(0, named=True)
    assert drawn.filter(pl.col("is_progressed"))["n_clients"].sum() == total["n_progressed"]
    assert drawn.filter(~pl.col("is_progressed"))["n_clients"].sum() == total["n_not_progressed"]


def test_every_pathway_of_codes_is_accepted_and_counted_alike_by_the_marts_and_figures(
    db, tmp_path, monkeypatch
):
    """dbt's accepted_values for pathways: codes.py's are the only ones, each counted alike everywhere."""
    ingest.load_file(db, clients_csv(tmp_path / "a.csv", ROWS), project_code="VALPAS2", quarter="2021Q2",
                     kind="clients")  # fmt: skip
    con = warehouse.connect_reader(db)
    try:
        params = dict.fromkeys(("region", "municipality", "age_group", "gender"))
        profile = con.sql(PROFILES, params={"project": "VALPAS2", "quarter": "2021Q2", **params}).pl()
        in_marts = {p for (p,) in con.execute("select distinct pathway from marts.client_counts").fetchall()}
        in_ref = {p for (p,) in con.execute("select pathway from ref.pathways").fetchall()}
    finally:
        con.close()
    assert in_marts - {None} == in_ref == set(codes.PATHWAY) == set(figures.PATHWAYS)
    assert set(figures.PROGRESSED) == set(codes.PROGRESSED_PATHWAYS)
    counted_alike(profile)
    total = figures.outcomes(profile).row(0, named=True)
    assert (total["n_progressed"], total["n_not_progressed"], total["n_active"]) == (
        len(codes.PROGRESSED_PATHWAYS), len(codes.NOT_PROGRESSED_PATHWAYS), 1,
    )  # fmt: skip

    # the check fails on counting that lags codes.py, as a list written out by hand would (pipelines.counts
    # is the counting's home; dashboard.figures re-exports it)
    monkeypatch.setattr(counts, "PROGRESSED", tuple(p for p in counts.PROGRESSED if p != "work_trial"))
    with pytest.raises(AssertionError, match="another side"):
        counted_alike(profile)
    monkeypatch.setattr(counts, "PATHWAYS", counts.PATHWAYS[:-1])
    with pytest.raises(AssertionError, match=r"not drawn: \['referred_elsewhere'\]"):
        counted_alike(profile)
