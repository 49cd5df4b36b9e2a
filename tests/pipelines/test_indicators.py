"""The EU common indicators: every rule pinned on small hand-made profiles, the reference file kept whole."""

from __future__ import annotations

import csv

import duckdb
import polars as pl
import pytest

from pipelines import indicators
from tests.pipelines.conftest import summary_json

COLUMNS = {
    "age_group": pl.String,
    "gender": pl.String,
    "status_at_entry": pl.String,
    "is_long_term_unemployed": pl.Boolean,
    "is_active": pl.Boolean,
    "status_at_exit": pl.String,
    "pathway": pl.String,
    "n_clients": pl.Int64,
}


def profile(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=COLUMNS, orient="row")


# One row per kind of client: (age, gender, entry, long-term, active, exit, pathway, n)
CLIENTS = profile(
    ("15-17", "woman", "outside_labour_force", None, False, "unemployed", "dropped_out", 2),  # CR01
    ("18-24", "man", "in_education", None, False, "unemployed", "referred_elsewhere", 3),  # CR01: student
    ("18-24", "woman", "unemployed", True, False, "unemployed", "referred_elsewhere", 5),  # stays
    ("25-29", "other", "unemployed", False, False, "employed", "employment", 7),  # newly employed
    ("30-40", "man", "employed", None, False, "employed", "employment", 11),  # no CR04
    ("30-40", "woman", "outside_labour_force", None, False, "in_education", "education", 13),  # CR02
    ("25-29", "man", "in_education", None, False, "in_education", "education", 17),  # no CR02
    ("18-24", "unknown", "unknown", None, True, None, None, 19),  # active, entry unknown
)


def counts(programme: str) -> dict[str, tuple[int | None, int | None]]:
    table = indicators.compute(CLIENTS, programme)
    return {k: (n, b) for k, n, b in table.select("key", "n", "n_base").iter_rows()}


def test_esf_2014_output_indicators_count_the_situation_at_entry():
    result = counts("ESF2014")
    assert result["unemployed"] == (5 + 7, 77)  # CO01 includes the long-term unemployed
    assert result["long_term_unemployed"] == (5, 77)  # CO02
    assert result["inactive"] == (2 + 3 + 13 + 17, 77)  # CO03: students are inactive
    assert result["inactive_not_in_education"] == (2 + 13, 77)  # CO04
    assert result["employed"] == (11, 77)  # CO05
    assert result["below_25"] == (2 + 3 + 5 + 19, 77)  # CO06: 15-17 and 18-24
    assert result["above_54"] == (0, 77)  # CO07: no age group of the contract is above 54
    # "calculated automatically": CO01 + CO03 + CO05, so the unknown-status clients are not participants
    assert result["total_participants"] == (12 + 35 + 11, 77)


def test_esf_2014_results_count_a_change_of_situation():
    result = counts("ESF2014")
    # CR01: only the inactive at entry (incl. students) who are job searching upon leaving
    assert result["inactive_newly_job_searching"] == (2 + 3, 2 + 3 + 13 + 17)
    # CR02: in education upon leaving, not at entry (the student who stays does not count)
    assert result["in_education_upon_leaving"] == (13, 58 - 3 - 17)
    # CR04: employed upon leaving, not at entry (employed -> employed does not count)
    assert result["employed_upon_leaving"] == (7, 58 - 11)


# Every collected indicator of each programme on CLIENTS: (counted, out of whom). A rule added to the
# reference file without a pin here fails the test below.
PINNED = {
    "ESF2014": {
        "": (58, 77),  # the total: CO01 + CO03 + CO05, the 19 of unknown status are no participants
        "CO01": (5 + 7, 77),
        "CO02": (5, 77),
        "CO03": (2 + 3 + 13 + 17, 77),
        "CO04": (2 + 13, 77),
        "CO05": (11, 77),
        "CO06": (2 + 3 + 5 + 19, 77),
        "CO07": (0, 77),
        "CO08": (0, 77),
        "CR01": (2 + 3, 35),
        "CR02": (13, 2 + 5 + 7 + 11 + 13),
        "CR04": (7, 58 - 11),
    },
    "ESFPLUS2021": {
        "EECO01": (77, 77),
        "EECO02": (12, 77),
        "EECO03": (5, 77),
        "EECO04": (35, 77),
        "EECO05": (11, 77),
        "EECO06": (2, 77),
        "EECO07": (3 + 5 + 19 + 7 + 17, 77),
        "EECO08": (0, 77),
        "EECR01": (5, 35),
        "EECR02": (13, 38),
        "EECR04": (7, 47),
    },
}


@pytest.mark.parametrize("programme", PINNED)
def test_every_collected_indicator_is_pinned_on_the_hand_made_profile(programme):
    table = indicators.compute(CLIENTS, programme).filter(pl.col("is_collected"))
    got = {c: (n, b) for c, n, b in table.select("indicator_code", "n", "n_base").iter_rows()}
    assert got == PINNED[programme]


def test_outputs_count_active_clients_and_results_only_leavers():
    """Moved from dashboard.figures.esf_indicators (superseded): an active client counts at entry only."""
    few = profile(
        ("18-24", "woman", "unemployed", True, False, "employed", "employment", 2),
        ("18-24", "man", "unemployed", False, False, "unemployed", "referred_elsewhere", 1),
        ("15-17", "woman", "in_education", None, False, "in_education", "education", 1),
        ("25-29", "man", "unemployed", None, True, None, None, 1),  # active: long-term not known
    )
    table = indicators.compute(few, "ESF2014")
    rows = table.filter(pl.col("is_collected")).select("indicator_code", "n", "n_base").iter_rows()
    got = {c: (n, b) for c, n, b in rows}
    assert got["CO01"] == (4, 5)  # the active client too
    assert got["CO02"] == (2, 5)  # an unknown long-term status is not long-term
    assert got["CO03"] == (1, 5)
    assert got["CR01"] == (0, 1)  # the student stays a student: not newly job searching
    assert got["CR02"] == (0, 3)  # staying in education is no result
    assert got["CR04"] == (2, 4)  # four leavers, none employed at entry; the active is none


def test_not_collected_indicators_are_listed_without_a_count():
    table = indicators.compute(CLIENTS, "ESF2014")
    missing = table.filter(~pl.col("is_collected"))
    not_collected = {"CO09", "CO10", "CO11", "CO15", "CO16", "CO17", "CO18", "CO19", "CR03", "CR05"}
    assert set(missing["indicator_code"]) == not_collected
    assert missing["n"].null_count() == missing.height


def test_esf_plus_bands_and_codes():
    result = counts("ESFPLUS2021")
    assert result["total_participants"] == (77, 77)  # EECO01: every participant
    assert result["below_18"] == (2, 77)  # EECO06
    assert result["aged_18_29"] == (3 + 5 + 7 + 17 + 19, 77)  # EECO07: 18-24 and 25-29; 30-40 in none
    assert result["aged_55_plus"] == (0, 77)  # EECO08
    assert result["job_searching_upon_leaving"] == (5, 35)  # EECR01, change of situation
    assert result["employed_upon_leaving"] == (7, 47)  # EECR04
    codes = indicators.codes_and_counts(CLIENTS, "ESFPLUS2021")
    assert codes["EECO02"] == 12 and codes["EECO03"] == 5 and codes["EECO04"] == 35
    assert not any(code.startswith("CO") for code in codes)


def test_indicators_are_broken_down_by_gender():
    table = indicators.compute(CLIENTS, "ESF2014").filter(pl.col("key") == "unemployed").row(0, named=True)
    assert (table["n_woman"], table["n_man"], table["n_other"]) == (5, 0, 7)


def test_every_collected_indicator_has_a_rule_and_every_rule_is_used():
    with open(indicators.REFERENCE / "indicators.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    collected = {r["key"] for r in rows if r["is_collected"] == "yes"}
    assert collected == set(indicators.RULES)
    assert all(r["source"] and r["rule"] and r["name_en"] for r in rows)
    programmes = {r["programme_code"] for r in rows}
    with open(indicators.REFERENCE / "project_programmes.csv", encoding="utf-8") as fh:
        projects = list(csv.DictReader(fh))
    assert {p["programme_code"] for p in projects} - {""} <= programmes
    assert all(p["source"] for p in projects)  # a source, or the reason none is known


@pytest.mark.slow
def test_summary_json_reports_the_programme_and_its_indicators(demo_db):
    figures = summary_json(demo_db)
    assert figures["indicator_programme"] == "ESF 2014-2020"
    assert figures["indicators"]["CO01"] == 70
    assert figures["indicators"]["CO03"] == 45  # 36 outside the labour force and 9 students
    con = duckdb.connect(str(demo_db), read_only=True)
    try:  # the change-of-situation counts, by SQL straight on the mart
        cr01, cr04 = con.execute(
            """select sum(n_clients) filter (where status_at_exit = 'unemployed'
                          and status_at_entry in ('outside_labour_force', 'in_education')),
                      sum(n_clients) filter (where status_at_exit = 'employed'
                          and status_at_entry <> 'employed')
               from marts.client_counts
               where project_code = 'VALPAS2' and quarter = ? and not is_active""",
            [figures["quarter"]],
        ).fetchone()
    finally:
        con.close()
    assert (figures["indicators"]["CR01"], figures["indicators"]["CR04"]) == (cr01, cr04)
    assert cr01 != 45 and cr04 != 32  # not everyone unemployed / employed upon leaving


@pytest.mark.parametrize(
    ("programme", "page"),
    [("ESF2014", "indicators-esf-2014-2020.md"), ("ESFPLUS2021", "indicators-esf-plus-2021-2027.md")],
)
def test_each_indicator_set_has_a_docs_page_listing_every_code(programme, page):
    text = (indicators.REFERENCE.parent.parent / "docs" / page).read_text(encoding="utf-8")
    for d in indicators.definitions(programme):
        assert f"| {d.indicator_code or '(total)'} | {d.name_en} |" in text
