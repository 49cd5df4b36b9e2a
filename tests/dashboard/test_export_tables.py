"""Table exports: the formula-injection guard, numbers as numbers, hidden cells hidden, the stamp."""

from __future__ import annotations

import csv
import io

import openpyxl
import polars as pl
import pytest

from dashboard.builders import Built, Column
from dashboard.export.stamp import Stamp
from dashboard.export.tables import cell, neutralise, sheet_name, to_csv, to_xlsx
from dashboard.i18n import I18n

TR = I18n("fi")
STAMP = Stamp(
    project="VALPAS 2",
    filters="Rajaukset: Hanke: VALPAS 2 · Kunta: Raahe · Vuosineljännes: 2023Q3",
    data_date="Tilanne 30.9.2023 (2023Q3)",
    source="Lähde: testi",
    exported_at="Viety 1.12.2026 12.00",
)
EVIL = ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd")


@pytest.mark.parametrize("text", EVIL)
def test_text_that_a_spreadsheet_would_run_gets_a_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Raahe", "a=b", "", " =x", "<5", "–", 128, -36, 0.656, None])
def test_everything_else_passes_unchanged(value: object) -> None:
    assert neutralise(value) == value


def test_cells_keep_numbers_as_numbers_and_hidden_as_shown() -> None:
    assert cell(TR, "count", 128) == 128 and isinstance(cell(TR, "count", 128), int)
    assert cell(TR, "count", None) == ".."  # suppressed stays suppressed
    assert cell(TR, "share", 0.65625) == 0.65625
    assert cell(TR, "share", None) == "–"
    assert cell(TR, "number", -3) == -3  # a negative number is a number, not a formula
    assert cell(TR, "text", "-3 kokousta") == "'-3 kokousta"


@pytest.fixture
def built() -> Built:
    data = pl.DataFrame(
        {
            "title": ["=cmd|' /C calc'!A0", "Verkostotapaaminen", "@pelit"],
            "n_clients": [128, None, 3],
            "share": [0.65625, None, 0.5],
            "n_participations": [1259, 40, -2],
        }
    )
    columns = {
        "title": Column("Tapahtuma"),
        "n_clients": Column("Asiakkaat", "count"),
        "share": Column("Osuus", "share"),
        "n_participations": Column("Osallistumiset", "number"),
    }
    return Built("=Testitaulukko", data, columns, None, "Selite", ["+huomio"])


def test_csv_is_excel_friendly_and_stamped(built: Built) -> None:
    raw = to_csv(built, TR, STAMP)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[:4] == [[line] for line in STAMP.lines()]
    assert rows[5] == ["'=Testitaulukko"]
    assert rows[6] == ["Tapahtuma", "Asiakkaat", "Osuus", "Osallistumiset"]
    assert rows[7] == [
        "'=cmd|' /C calc'!A0",
        "128",
        "65,6 %",
        "1259",
    ]  # no group separator: Excel reads a number
    assert rows[8] == ["Verkostotapaaminen", "..", "–", "40"]
    assert rows[9] == ["'@pelit", "3", "50,0 %", "-2"]
    assert rows[10:] == [["Selite"], ["'+huomio"]]


def test_english_csv_uses_commas_and_points(built: Built) -> None:
    raw = to_csv(built, I18n("en"), STAMP).decode("utf-8-sig")
    assert raw.splitlines()[7] == "'=cmd|' /C calc'!A0,128,65.6%,1259"


def test_xlsx_writes_text_as_text_and_numbers_as_numbers(built: Built) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx([built], TR, STAMP)))
    ws = wb.worksheets[0]
    assert ws.title == "=Testitaulukko"
    assert ws["A1"].value == "'=Testitaulukko"
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == STAMP.lines()
    header = 7
    assert [c.value for c in ws[header]] == ["Tapahtuma", "Asiakkaat", "Osuus", "Osallistumiset"]
    first = [c for c in ws[header + 1]]
    assert first[0].value == "'=cmd|' /C calc'!A0" and first[0].data_type == "s"  # never a formula
    assert first[1].value == 128 and first[1].data_type == "n"
    assert first[2].value == pytest.approx(0.65625) and first[2].number_format == "0.0%"
    assert [c.value for c in ws[header + 2]] == ["Verkostotapaaminen", "..", "–", 40]
    assert ws.cell(row=header + 3, column=1).value == "'@pelit"
    assert ws.cell(row=header + 5, column=1).value == "Selite"
    assert ws.cell(row=header + 6, column=1).value == "'+huomio"
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_sheet_names_are_valid_and_unique() -> None:
    used: set[str] = set()
    names = [
        sheet_name(t, used) for t in ("Osallistumiset: kertymä / 2023", "Osallistumiset: kertymä / 2023", "")
    ]
    assert names[0] == "Osallistumiset  kertymä   2023"[:31]
    assert names[1].endswith("(2)") and len(names[1]) <= 31
    assert names[2] == "Sheet"
