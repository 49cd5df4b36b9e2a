"""Contract: every named query runs on the demo warehouse and returns the columns its header promises."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from dashboard import db

QUERIES = list(db.query_files())  # queries/ and pipelines/sql/shared/
ALL = {
    "project": "VALPAS2",
    "quarter": "2023Q3",
    "quarter_from": "2020Q1",
    "region": None,
    "municipality": None,
    "age_group": None,
    "gender": None,
}
NARROW = ALL | {"region": "19", "municipality": "678", "age_group": "18-24", "gender": "woman"}


def params_for(name: str, values: dict) -> dict:
    wanted = db.parameters(name)
    out = {k: v for k, v in values.items() if k in wanted}
    if "event_id" in wanted:
        out["event_id"] = db.query("events", **{k: ALL[k] for k in db.parameters("events")})["event_id"][0]
    assert set(out) == wanted, f"no sample value for {wanted - set(out)}"
    return out


def test_there_are_queries() -> None:
    assert len(QUERIES) >= 10


@pytest.mark.parametrize("name", QUERIES)
def test_query_returns_its_declared_columns(name: str, warehouse: Path, use_db) -> None:
    use_db(warehouse)
    for values in (ALL, NARROW):
        result = db.query(name, **params_for(name, values))
        assert result.columns == db.declared_columns(name)
    assert db.query(name, **params_for(name, ALL)).height > 0, f"{name} returned nothing on the demo"


@pytest.mark.parametrize("name", QUERIES)
def test_query_file_says_its_grain_and_binds_its_parameters(name: str) -> None:
    text = db.sql_text(name)
    first = text.splitlines()[0]
    assert first.startswith("-- One row per"), f"{name}: first line must state the grain"
    assert "{" not in text and "%s" not in text, f"{name}: parameters are bound as $name, never formatted"
    assert re.search(r"\$[a-z_]+", text) or not db.parameters(name)


def test_query_refuses_missing_or_unknown_parameters(warehouse: Path, use_db) -> None:
    use_db(warehouse)
    with pytest.raises(TypeError, match="takes"):
        db.query("published_figures")
    with pytest.raises(TypeError, match="takes"):
        db.query("published_figures", project="VALPAS2", quarter="2023Q3")


def test_readers_move_to_a_new_snapshot(tmp_path: Path, use_db) -> None:
    from dashboard import settings
    from pipelines import warehouse as wh

    path = wh.ensure(tmp_path / "warehouse.duckdb")
    use_db(path)
    first = db.pin(settings.db_path())
    with wh.write(path) as con:
        wh.set_info(con, "is_demo", "true")
    assert db.query("warehouse_info").height == 0  # this rerun keeps reading the snapshot it pinned
    second = db.pin(settings.db_path())
    assert second != first
    assert db.query("warehouse_info").rows() == [("is_demo", "true")]


def test_an_upload_reruns_only_the_queries_of_its_project(tmp_path: Path, use_db, monkeypatch) -> None:
    from pipelines import ingest
    from pipelines import warehouse as wh
    from tests.pipelines.conftest import clients_csv

    path = use_db(wh.ensure(tmp_path / "warehouse.duckdb"))
    before = db.pin(path)
    opened: list[str] = []  # every query that really runs opens its snapshot's cursor first
    real = db._connection
    monkeypatch.setattr(db, "_connection", lambda snapshot: opened.append(snapshot) or real(snapshot))
    db.query("last_uploads", project="VALPAS2")
    db.query("last_uploads", project="YHDESSA")
    assert opened == [str(before)] * 3  # the project versions, then each project's query

    loaded = ingest.load_file(
        path, clients_csv(tmp_path / "kittila.csv"), project_code="VALPAS2", quarter="2021Q2", kind="clients"
    )
    assert loaded.status == "accepted"
    after = db.pin(path)
    opened.clear()
    assert len(db.query("last_uploads", project="YHDESSA")) == 0  # the other project: served from cache
    assert opened == [str(after)]  # only the new snapshot's project versions were read
    assert len(db.query("last_uploads", project="VALPAS2")) == 1  # the uploaded one: run on the new data
    assert opened == [str(after)] * 2
    assert db.version(before, "YHDESSA") == db.version(after, "YHDESSA")
    assert db.version(before, "VALPAS2") != db.version(after, "VALPAS2")


def test_two_warehouses_with_the_same_uploads_never_share_results(tmp_path: Path, use_db) -> None:
    from pipelines import warehouse as wh

    first, second = (wh.ensure(tmp_path / name / "warehouse.duckdb") for name in ("a", "b"))
    keys = [db.version(use_db(p) and db.pin(p), "VALPAS2") for p in (first, second)]
    assert keys[0] != keys[1]


@pytest.mark.parametrize(("lang", "raahe"), [("fi", "Raahe"), ("sv", "Brahestad"), ("en", "Raahe")])
def test_municipality_names_are_the_reference_names_in_the_language(lang, raahe, warehouse, use_db) -> None:
    from dashboard.i18n import I18n

    use_db(warehouse)
    names = db.municipality_names("VALPAS2", I18n(lang))
    assert names == {"261": "Kittilä", "614": "Posio", "678": raahe, "977": "Ylivieska"}
    assert names == dict(db.places("VALPAS2", I18n(lang)).select("municipality_code", "municipality").rows())


def reference(name: str) -> pl.DataFrame:
    """Return a reference table as the pipeline reads it, every column text (``data/reference/``)."""
    return pl.read_csv(
        Path(__file__).resolve().parents[2] / "data" / "reference" / f"{name}.csv", infer_schema=False
    )


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_projects_municipality_names_are_the_reference_names(lang, warehouse, use_db) -> None:
    """English shows the Finnish names: the reference data has municipality names in Finnish and Swedish."""
    from dashboard.i18n import I18n

    use_db(warehouse)
    column = "name_sv" if lang == "sv" else "name_fi"
    names = reference("municipalities").select("municipality_code", column)
    members = reference("project_municipalities").join(names, on="municipality_code")
    for project in reference("projects")["project_code"]:
        expected = dict(members.filter(pl.col("project_code") == project).drop("project_code").rows())
        assert db.municipality_names(project, I18n(lang)) == expected, project
    assert db.municipality_names("VALPAS2", I18n(lang))["678"] == ("Brahestad" if lang == "sv" else "Raahe")


@pytest.mark.parametrize(
    ("lang", "north_ostrobothnia"),
    [
        ("fi", "Pohjois-Pohjanmaan hyvinvointialue"),
        ("sv", "Norra Österbottens välfärdsområde"),
        ("en", "North Ostrobothnia wellbeing services county"),
    ],
)
def test_region_names_are_the_reference_names_in_the_language(
    lang, north_ostrobothnia, warehouse, use_db
) -> None:
    from dashboard.i18n import I18n

    use_db(warehouse)
    names = db.region_names(I18n(lang))
    assert names == dict(
        reference("wellbeing_regions").select("wellbeing_region_code", f"name_{lang}").rows()
    )
    assert len(names) == 23 and names["19"] == north_ostrobothnia
    for project in reference("projects")["project_code"]:  # the same names as the project's places
        places = db.places(project, I18n(lang)).select("wellbeing_region_code", "region").unique()
        assert all(names[code] == region for code, region in places.rows()), project


def test_last_uploads_reads_the_upload_log_and_names_what_the_staged_lists_carried(warehouse, use_db) -> None:
    """The upload calendar gives what it gave when it read staging itself (issue 14: no staging reads)."""
    use_db(warehouse)
    staged = db.sql_text("last_uploads").replace(
        "select upload_id, municipality_code from audit.upload_municipalities where project_code = $project",
        "select distinct upload_id, municipality_code from staging.clients where project_code = $project"
        " union select upload_id, municipality_code from staging.client_snapshots"
        " where project_code = $project",
    )
    assert staged != db.sql_text("last_uploads")
    for project in ("VALPAS2", "YHDESSA"):
        with db.reading() as cur:
            expected = cur.sql(staged, params={"project": project}).pl()
        result = db.query("last_uploads", project=project)
        assert result.equals(expected)
        assert project != "VALPAS2" or result.filter(result["kind"] == "clients").height >= 4


def test_quarters_with_client_data_are_the_marts_and_a_carried_list_is_not_one(
    tmp_path: Path, make_view
) -> None:
    """A list counts on in later quarters (carried forward) but is client data of its own quarter only."""
    from dashboard.builders import about
    from pipelines import ingest, summary
    from pipelines import warehouse as wh
    from tests.pipelines.conftest import clients_csv

    path = wh.ensure(tmp_path / "warehouse.duckdb")
    ingest.load_file(
        path, clients_csv(tmp_path / "kittila.csv"), project_code="VALPAS2", quarter="2021Q2", kind="clients"
    )
    con = wh.connect_reader(path)
    try:
        mart = dict(
            con.execute(
                "select quarter, has_client_data from marts.quarters where project_code = 'VALPAS2'"
            ).fetchall()
        )
        counted = con.execute("select distinct quarter from marts.client_counts order by 1").fetchall()
        latest = summary.latest_quarter(con, "VALPAS2")
        totals = con.execute(
            "select distinct sum(n_clients) from marts.client_counts group by quarter"
        ).fetchall()
    finally:
        con.close()
    assert [q for (q,) in counted][:2] == ["2021Q2", "2021Q3"] and counted[-1] == ("2023Q3",)  # carried
    assert [q for q, has in mart.items() if has] == ["2021Q2"]
    assert len(totals) == 1  # the carried list counts the same in every later quarter

    view = make_view(path)
    shown = db.query("project_quarters", project="VALPAS2")
    assert dict(zip(shown["quarter"], shown["has_client_data"], strict=True)) == mart
    assert about.latest_client_quarter(view) == latest == "2021Q2"
    compared = db.query("project_comparison").filter(pl.col("project_code") == "VALPAS2")
    listed = db.query("projects").filter(pl.col("project_code") == "VALPAS2")
    assert compared["latest_quarter"].to_list() == [latest]  # not 2023Q3, the last quarter it is carried to
    assert compared["n_clients"].to_list() == listed["n_clients"].to_list() == [totals[0][0]]
