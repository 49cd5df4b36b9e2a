"""The upload page's helpers without Streamlit: quarters, temp files, checks and the annotated copies."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from dashboard.upload import annotate
from dashboard.upload import work as up
from pipelines.problems import Problem
from pipelines.users import User
from tests.dashboard import upload_support
from tests.dashboard.upload_support import BAD_ROWS, HEADER, SAMPLES, bad_clients_csv

cheap_hashes, upload_db = upload_support.cheap_hashes, upload_support.upload_db  # fixtures
ANNA = User("anna", "coordinator", frozenset({("VALPAS2", "261")}))
HETU = "131052-308T"  # a valid identity code (check character T), the kind pii.py must catch


def is_red(cell) -> bool:
    return str(cell.fill.fgColor.rgb).endswith(annotate.RED)  # ARGB: the alpha differs by writer


@pytest.mark.parametrize(
    ("today", "start", "end", "expected"),
    [
        (date(2026, 11, 23), date(2020, 1, 1), date(2023, 7, 31), "2023Q3"),  # ended: its last quarter
        (date(2026, 11, 23), date(2025, 1, 1), date(2027, 12, 31), "2026Q3"),  # the last finished quarter
        (date(2026, 1, 2), date(2025, 1, 1), date(2027, 12, 31), "2025Q4"),  # over the turn of the year
        (date(2026, 11, 23), date(2026, 10, 1), date(2027, 12, 31), "2026Q4"),  # started this quarter
    ],
)
def test_default_quarter(today: date, start: date, end: date, expected: str) -> None:
    assert up.default_quarter(start, end, today) == expected


def test_the_temporary_copy_keeps_the_suffix_and_is_removed() -> None:
    with up.saved(b"a;b\r\n", "Kittilän lista 2023.CSV") as path:
        assert path.suffix == ".csv" and path.read_bytes() == b"a;b\r\n"
    assert not path.exists() and not path.parent.exists()
    with up.saved(b"x", "../../etc/passwd") as path:  # a name is never a path
        assert path.name == "upload" and path.parent.name.startswith("upload-")


def test_identifying_values_never_reach_the_problem_table() -> None:
    table = up.problem_table((Problem("hetu", 2, "valmentaja"), Problem("empty_file")), "fi")
    assert table["value"].to_list() == [None, None]
    assert table["message"][0].startswith("Solussa on henkilötunnus.")


def test_check_rejects_a_stray_municipalitys_row_and_builds_the_csv_copy(upload_db) -> None:
    checked = up.check(bad_clients_csv(), "asiakkaat.csv", project="VALPAS2", quarter="2023Q3", kind="auto",
                       user=ANNA)  # fmt: skip
    assert checked.kind == "clients" and checked.was_guessed and checked.preview is None
    assert {(p.row, p.code) for p in checked.problems} >= {
        (3, "other_municipality"),
        (4, "date_does_not_exist"),
    }
    ws = openpyxl.load_workbook(io.BytesIO(checked.annotated)).active
    assert [c.value for c in ws[1]][:2] == ["asiakastunnus", "kunta"] and ws.cell(1, 12).value == "ongelmat"
    assert ws["B3"].value == "Posio" and is_red(ws["B3"])  # same row number as the table
    assert not is_red(ws["A2"]) and ws.cell(2, 12).value is None
    assert ws.cell(3, 12).value.startswith("kunta: Asiakaslista on yhden kunnan lista")
    assert ws["E4"].value == "31.2.2021" and ws["E4"].data_type == "s"  # text stays text


def test_the_xlsx_copy_is_the_same_workbook_marked(upload_db, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Asiakkaat"
    for line in (HEADER, *BAD_ROWS):
        ws.append(line.split(";"))
    ws["K2"].value = f"Valmentaja {HETU}"  # an identity code in a text cell
    ws["A1"].font = openpyxl.styles.Font(bold=True, color="FF0000")
    data = io.BytesIO()
    wb.save(data)
    checked = up.check(data.getvalue(), "lista.xlsx", project="VALPAS2", quarter="2023Q3", kind="clients",
                       user=ANNA, lang="en")  # fmt: skip
    assert [(p.row, p.column, p.code, p.value) for p in checked.problems] == [(2, "valmentaja", "hetu", None)]
    copy = openpyxl.load_workbook(io.BytesIO(checked.annotated))
    ws = copy["Asiakkaat"]
    assert ws["A1"].font.bold and ws["A1"].font.color.rgb == "00FF0000"  # their formatting is kept
    assert ws["K2"].value is None and is_red(ws["K2"])  # emptied: never sent back
    assert ws.cell(1, 12).value == "problems"
    assert (
        "personal identity code" in ws.cell(2, 12).value and "removed from this copy" in ws.cell(2, 12).value
    )
    assert HETU not in str([[c.value for c in row] for row in ws.iter_rows()])


def test_a_file_level_problem_goes_to_the_header_row() -> None:
    problems = (Problem("missing_column", column="ikäryhmä", params={"expected": "ikäryhmä / age_group"}),)
    notes = annotate.Notes("ongelmat", "", "fi")
    data = (SAMPLES / "asiakkaat.xlsx").read_bytes()
    ws = openpyxl.load_workbook(io.BytesIO(annotate.annotated_xlsx(data, problems, notes))).active
    last = ws.max_column
    assert ws.cell(1, last).value.startswith("ongelmat\nikäryhmä: ")


def test_a_valid_file_gets_a_preview_and_no_copy(upload_db) -> None:
    data = (SAMPLES / "asiakkaat_utf8.csv").read_bytes()
    checked = up.check(data, "clients.csv", project="VALPAS2", quarter="2023Q3", kind="auto", user=ANNA)
    assert not checked.problems and checked.annotated is None
    assert checked.preview.changes["municipality_code"].to_list() == ["261"]
    assert checked.preview.before["n_clients"] == checked.preview.after["n_clients"] == 128
