"""Who found a pathway has one definition: ``codes.py``, shipped as ``ref.pathways`` that the marts join."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb

from pipelines import codes, ingest, marts, users, warehouse
from tests.pipelines.conftest import clients_csv, rows

ROOT = Path(__file__).resolve().parents[2]
SQL_FILES = sorted((ROOT / "pipelines" / "sql").rglob("*.sql")) + sorted((ROOT / "dashboard").rglob("*.sql"))
ROWS = (  # every pathway once, ended, in Kittilä; KIT-010 is still active (no pathway yet)
    "KIT-001;261;18-24;nainen;1.2.2021;30.6.2021;työtön;ei;työllinen;palkkatyö tai yrittäjyys;",
    "KIT-002;261;18-24;mies;1.2.2021;30.6.2021;työtön;ei;opiskelija;koulutus;",
    "KIT-003;261;18-24;mies;1.2.2021;30.6.2021;työtön;ei;työtön;työkokeilu;",
    "KIT-004;261;18-24;mies;1.2.2021;30.6.2021;työtön;ei;työtön;kuntouttava työtoiminta;",
    "KIT-005;261;18-24;mies;1.2.2021;30.6.2021;työtön;ei;työtön;tuettu työtoiminta;",
    "KIT-006;261;18-24;mies;1.2.2021;30.6.2021;työtön;ei;työtön;sosiaalinen kuntoutus;",
    "KIT-007;261;18-24;mies;1.2.2021;30.6.2021;työtön;ei;työtön;muu jatkopolku;",
    "KIT-008;261;18-24;mies;1.2.2021;30.6.2021;työtön;ei;ei tiedossa;keskeytti;",
    "KIT-009;261;18-24;mies;1.2.2021;30.6.2021;työtön;ei;työtön;ohjattu muuhun tukeen;",
    "KIT-010;261;18-24;mies;1.2.2021;;työtön;ei;;;",
)


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
    ) == [(7,)]
    assert rows(db, "select count(distinct pathway) from marts.pathway_durations") == [(7,)]
