"""Unit tests of the pure transforms, on tiny inline frames."""

from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal, assert_series_equal

from pipelines import codes, transform
from pipelines.transform import Context

CTX = Context(
    project_code="VALPAS2",
    quarter="2021Q2",
    project_start=date(2020, 1, 1),
    project_end=date(2023, 7, 31),
    quarter_end=date(2021, 6, 30),
    municipalities={"261": "261", "kittilä": "261", "077": "077", "brahestad": "678", "raahe": "678"},
    project_municipalities=frozenset({"261", "678"}),
    regions={"21": "21", "lapin hyvinvointialue": "21", "19": "19", "13": "13"},
    municipality_regions={"261": "21", "077": "13", "678": "19"},
    municipality_names={
        "261": ("Kittilä", "Kittilä"),
        "077": ("Hartola", "Gustav Adolfs"),
        "678": ("Raahe", "Brahestad"),
    },
)


def _apply(expr: pl.Expr, values: list) -> pl.Series:
    return pl.DataFrame({"x": values}, schema={"x": pl.String}).select(expr.alias("x"))["x"]


def test_categories_accept_finnish_english_any_case_and_spacing():
    result = _apply(
        transform.coded("x", codes.STATUS), ["Työtön", "  unemployed ", "TYÖELÄMÄN  ulkopuolella", "x", None]
    )

    expected = pl.Series("x", ["unemployed", "unemployed", "outside_labour_force", None, None])
    assert_series_equal(result, expected)


def test_age_group_accepts_en_dash():
    result = _apply(transform.coded("x", codes.AGE_GROUP), ["15–17", "18-24", "18 - 24"])

    assert result.to_list() == ["15-17", "18-24", None]


def test_dates_in_finnish_and_iso_forms_only():
    result = _apply(
        transform.parsed_date("x"),
        [
            "1.7.2023",
            "01.07.2023",
            "2023-07-31",
            "2023-07-31 00:00:00",
            "31.7.23",
            "31.2.2023",
            "7/31/2023",
            None,
        ],
    )

    assert result.to_list() == [
        date(2023, 7, 1),
        date(2023, 7, 1),
        date(2023, 7, 31),
        date(2023, 7, 31),
        None,
        None,
        None,
        None,
    ]


def test_repeated_cells_each_get_their_parsed_value_and_nulls_stay_null():
    result = _apply(transform.parsed_date("x"), ["1.7.2023", None, "x", "1.7.2023", "x", None])

    assert result.to_list() == [date(2023, 7, 1), None, None, date(2023, 7, 1), None, None]


def test_an_empty_column_parses_to_an_empty_typed_column():
    result = _apply(transform.coded("x", codes.STATUS), [])

    assert_series_equal(result, pl.Series("x", [], pl.String))


def test_yes_no_spellings():
    result = _apply(transform.yes_no("x"), ["kyllä", "EI", "y", "0", "true", "maybe"])

    assert result.to_list() == [True, False, True, False, True, None]


def test_municipality_by_code_with_or_without_zeros_and_by_either_name():
    result = _apply(
        transform.municipality_code("x", CTX.municipalities), ["261", "77", "Brahestad", " raahe ", "Oulu"]
    )

    assert result.to_list() == ["261", "077", "678", "678", None]


def test_parse_clients_keeps_raw_text_beside_typed_values():
    frame = pl.DataFrame(
        {
            "excel_row": [2, 3],
            "client_id": ["KIT-001", "KIT-002"],
            "municipality": ["Kittilä", "261"],
            "age_group": ["18–24", "bad"],
            "gender": [None, "woman"],
            "start_date": ["1.2.2021", "2021-02-03"],
            "end_date": [None, "30.6.2021"],
            "status_at_entry": ["työtön", "opiskelija"],
            "is_long_term_unemployed": ["kyllä", None],
            "status_at_exit": [None, "in education"],
            "pathway": [None, "koulutus"],
            "coach": ["A", None],
        },
        schema_overrides={"excel_row": pl.Int64},
    )

    parsed = transform.parse_clients(frame, CTX)

    assert parsed["raw_age_group"].to_list() == ["18–24", "bad"]
    assert parsed["age_group"].to_list() == ["18-24", None]
    staged = transform.to_staging(parsed, "clients", CTX)
    expected = pl.DataFrame(
        {
            "project_code": ["VALPAS2", "VALPAS2"],
            "quarter": ["2021Q2", "2021Q2"],
            "municipality_code": ["261", "261"],
            "client_id": ["KIT-001", "KIT-002"],
            "age_group": ["18-24", None],
            "gender": ["unknown", "woman"],
            "start_date": [date(2021, 2, 1), date(2021, 2, 3)],
            "end_date": [None, date(2021, 6, 30)],
            "status_at_entry": ["unemployed", "in_education"],
            "is_long_term_unemployed": [True, None],
            "status_at_exit": [None, "in_education"],
            "pathway": [None, "education"],
            "coach": ["A", None],
        }
    )
    assert_frame_equal(staged, expected)
