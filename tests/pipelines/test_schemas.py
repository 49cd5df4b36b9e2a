"""Schema tests: each invalid frame fails with the expected named check, on the expected row."""

from __future__ import annotations

import dataclasses

import pandera.errors
import polars as pl
import pytest
from pandera.config import ValidationDepth

from pipelines import schemas, transform
from tests.pipelines.test_transform import CTX

GOOD = {
    "client_id": "KIT-001",
    "municipality": "Kittilä",
    "age_group": "18-24",
    "gender": "nainen",
    "start_date": "1.2.2021",
    "end_date": "30.6.2021",
    "status_at_entry": "työtön",
    "is_long_term_unemployed": "kyllä",
    "status_at_exit": "työllinen",
    "pathway": "palkkatyö tai yrittäjyys",
    "coach": "Valmentaja A",
}
HEADERS = {"client_id": "asiakastunnus", "pathway": "jatkopolku"}


def clients(*changes: dict) -> pl.DataFrame:
    """A clients frame: row 2 is GOOD, each further row is GOOD with the given changes."""
    rows = [GOOD, *({**GOOD, "client_id": f"KIT-{i + 10:03d}", **c} for i, c in enumerate(changes))]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(GOOD, pl.String))
    return frame.with_columns(excel_row=pl.int_range(2, 2 + frame.height, dtype=pl.Int64)).select(
        "excel_row", *GOOD
    )


def found(frame: pl.DataFrame, ctx=CTX) -> list[tuple]:
    parsed = transform.parse_clients(frame, ctx)
    return [(p.row, p.column, p.value, p.code) for p in schemas.problems(parsed, "clients", ctx, HEADERS)]


def test_valid_frame_has_no_problems():
    assert found(clients()) == []


@pytest.mark.parametrize(
    ("change", "column", "code"),
    [
        ({"client_id": None}, "asiakastunnus", "required"),
        ({"client_id": "K1"}, "asiakastunnus", "client_id_format"),
        ({"municipality": "Atlantis"}, "municipality", "unknown_municipality"),
        ({"municipality": "077"}, "municipality", "municipality_not_in_project"),
        ({"age_group": "41-50"}, "age_group", "invalid_category"),
        ({"gender": "x"}, "gender", "invalid_category"),
        ({"start_date": "31.2.2021"}, "start_date", "date_does_not_exist"),  # well written, no such day
        ({"start_date": "31.12.2019"}, "start_date", "date_outside_project"),
        ({"end_date": "1.7.2021"}, "end_date", "date_after_quarter"),
        ({"end_date": "1.1.2021"}, "end_date", "end_before_start"),
        ({"status_at_entry": None}, "status_at_entry", "required"),
        ({"is_long_term_unemployed": "ehkä"}, "is_long_term_unemployed", "invalid_yes_no"),
        ({"status_at_entry": "opiskelija"}, "is_long_term_unemployed", "long_term_not_unemployed"),
        ({"end_date": None, "pathway": None}, "status_at_exit", "exit_status_while_active"),
        ({"end_date": None, "status_at_exit": None}, "jatkopolku", "pathway_while_active"),
        ({"pathway": None}, "jatkopolku", "pathway_required"),
        ({"pathway": "lomalla"}, "jatkopolku", "invalid_category"),
        ({"coach": "x" * 41}, "coach", "text_too_long"),
    ],
)
def test_each_rule_fails_on_its_row_and_column(change, column, code):
    result = found(clients(change))

    assert result == [(3, column, change.get(_canonical(column), _raw(change, column)), code)]


def _canonical(column: str) -> str:
    return {v: k for k, v in HEADERS.items()}.get(column, column)


def _raw(change: dict, column: str):
    return {**GOOD, **change}[_canonical(column)]


def test_duplicate_client_ids_are_reported_on_every_row():
    result = found(clients({"client_id": "KIT-001"}))

    assert result == [
        (2, "asiakastunnus", "KIT-001", "duplicate_client_id"),
        (3, "asiakastunnus", "KIT-001", "duplicate_client_id"),
    ]


def test_every_problem_in_the_file_is_reported_at_once():
    result = found(clients({"age_group": "x"}, {"start_date": "x", "gender": "y"}))

    assert sorted((r, c) for r, c, _, _ in result) == [(3, "age_group"), (4, "gender"), (4, "start_date")]


def test_a_file_of_another_municipality_is_said_once_first_in_the_users_language():
    ctx = dataclasses.replace(CTX, allowed_municipalities=frozenset({"678"}))
    parsed = transform.parse_clients(clients({}, {}, {"age_group": "x"}), ctx)

    result = schemas.problems(parsed, "clients", ctx, HEADERS)

    assert [(p.row, p.code) for p in result] == [(None, "file_out_of_scope"), (5, "invalid_category")]
    assert result[0].message("en") == "You may upload for Raahe (678) only; this file is for Kittilä (261)."
    assert result[0].message("sv").startswith("Du får ladda upp uppgifter endast för Brahestad (678);")


def test_a_stray_row_of_another_municipality_is_an_error_not_a_new_list():
    result = found(clients({}, {"municipality": "Raahe"}))

    assert result == [(4, "municipality", "Raahe", "other_municipality")]
    # a tie: the municipality of the first row is the list's
    assert found(clients({"municipality": "Raahe"})) == [(3, "municipality", "Raahe", "other_municipality")]


def test_pandera_reports_the_failing_check_by_name():
    parsed = transform.parse_clients(clients({"pathway": None}), CTX)

    with pytest.raises(pandera.errors.SchemaErrors) as err:
        schemas.input_schema("clients", CTX).validate(parsed, lazy=True)

    cases = err.value.failure_cases.select("check", "index").rows()
    assert cases == [("pathway:pathway_required", 1)]


def test_staging_schema_rejects_codes_outside_the_contract():
    parsed = transform.parse_clients(clients(), CTX)
    staged = transform.to_staging(parsed, "clients", CTX).with_columns(pathway=pl.lit("holiday"))

    with pytest.raises(pandera.errors.SchemaError, match="isin"):
        schemas.STAGING["clients"].validate(staged)


def test_tests_check_staged_rows_in_full():
    parsed = transform.parse_clients(clients(), CTX)
    staged = transform.to_staging(parsed, "clients", CTX).with_columns(pathway=pl.lit("holiday"))

    with pytest.raises(pandera.errors.SchemaError, match="isin"):
        schemas.staged(staged, "clients")


def test_uploads_check_the_shape_of_staged_rows(monkeypatch):
    monkeypatch.setattr(schemas, "STAGING_DEPTH", ValidationDepth.SCHEMA_ONLY)  # as at run time
    staged = transform.to_staging(transform.parse_clients(clients(), CTX), "clients", CTX)

    assert schemas.staged(staged, "clients").equals(staged)
    with pytest.raises(pandera.errors.SchemaError, match="column 'coach' not in dataframe"):
        schemas.staged(staged.drop("coach"), "clients")
    with pytest.raises(pandera.errors.SchemaError, match="start_date"):
        schemas.staged(staged.with_columns(pl.col("start_date").cast(pl.String)), "clients")
