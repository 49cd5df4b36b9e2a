"""A link's query string means one view: valid values are kept, invalid ones fall back and are reported."""

from __future__ import annotations

from dashboard.filters import Filters, ProjectChoices, Replaced, constrain, resolve, to_params

QUARTERS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
CHOICES = ProjectChoices(QUARTERS, "2023Q3", {"261": "21", "614": "21", "678": "19", "977": "19"})


def choices_for(project: str) -> ProjectChoices:
    return CHOICES if project == "VALPAS2" else ProjectChoices([], "", {})


def run(**params: str):
    return resolve(params, ["VALPAS2", "YHDESSA"], "VALPAS2", choices_for)


def test_defaults_without_parameters() -> None:
    f, _, replaced = run()
    assert f == Filters(lang="fi", project="VALPAS2", quarter="2023Q3", quarter_from="2023Q1")
    assert replaced == [] and not f.is_breakdown


def test_valid_parameters_are_kept() -> None:
    f, _, replaced = run(
        lang="sv", municipality="678", quarter="2023Q2", age="18-24", gender="woman", **{"from": "2023Q2"}
    )
    assert (f.lang, f.municipality, f.quarter, f.quarter_from, f.age_group, f.gender) == (
        "sv",
        "678",
        "2023Q2",
        "2023Q2",
        "18-24",
        "woman",
    )
    assert replaced == [] and f.is_breakdown


def test_invalid_parameters_fall_back_and_are_reported() -> None:
    f, _, replaced = run(
        lang="de", project="NOPE", municipality="091", quarter="2030Q1", age="99", gender="x"
    )
    assert f == Filters(lang="fi", project="VALPAS2", quarter="2023Q3", quarter_from="2023Q1")
    assert [r.param for r in replaced] == ["lang", "project", "municipality", "quarter", "age", "gender"]
    assert Replaced("municipality", "091") in replaced


def test_a_municipality_outside_the_region_is_invalid() -> None:
    f, _, replaced = run(region="21", municipality="678")
    assert f.region == "21" and f.municipality is None
    assert replaced == [Replaced("municipality", "678")]


def test_range_start_after_the_end_is_invalid() -> None:
    f, _, replaced = run(quarter="2023Q2", **{"from": "2023Q3"})
    assert f.quarter_from == "2023Q1" and replaced == [Replaced("from", "2023Q3")]


def test_round_trip_through_the_query_string() -> None:
    f, choices, _ = run(lang="en", region="19", municipality="977", quarter="2023Q4", gender="man")
    again, _, replaced = run(**to_params(f, choices))
    assert again == f and replaced == []


def test_to_params_leaves_out_all_and_the_first_quarter() -> None:
    f = Filters(lang="fi", project="VALPAS2", quarter="2023Q3", quarter_from="2023Q1")
    assert to_params(f, CHOICES) == {"lang": "fi", "project": "VALPAS2", "quarter": "2023Q3"}


def test_constrain_after_a_project_change() -> None:
    f = Filters(project="VALPAS2", region="19", municipality="261", quarter="2019Q1", quarter_from="2023Q4")
    got = constrain(f, CHOICES)
    assert (got.region, got.municipality, got.quarter, got.quarter_from) == ("19", None, "2023Q3", "2023Q3")
