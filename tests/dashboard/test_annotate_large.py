"""The annotated copy of a large rejected file (issue 11 item 3): streamed from the cells read, one row in
memory at a time, and capped at ``annotate.MAX_MARKED`` marked problems, saying so in the header row.
openpyxl's formatted copy of a 200 000-row workbook took 122 s and 1.3 GB (a 1-million-row one 329 s and
3.6 GB before the row limit)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from dashboard.upload import annotate
from pipelines import isolate
from pipelines.limits import Limits
from pipelines.problems import Problem
from tests.pipelines import fuzz

CAPPED = "Tähän kopioon on merkitty {total} ongelmasta ensimmäiset {shown}; sivun taulukossa ovat kaikki."
NOTES = annotate.Notes("Ongelmat", "(poistettu)", "fi", CAPPED)


def client_workbook(path: Path, n: int) -> tuple[Problem, ...]:
    """Write ``n`` client rows, every other one in the misspelt "Kitilä"; return those rows' problems."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("asiakkaat")
    for c, header in enumerate(fuzz.CLIENT_HEADER.split(";")):
        ws.write_string(0, c, header)
    for i in range(1, n + 1):
        row = fuzz.CLIENT_ROW.format(n=i).replace("Kittilä", "Kitilä" if i % 2 else "Kittilä")
        for c, value in enumerate(row.split(";")):
            if value:
                ws.write_string(i, c, value)
    book.close()
    return tuple(
        Problem("unknown_municipality", row=i + 1, column="kunta", value="Kitilä") for i in range(1, n + 1, 2)
    )


def is_red(cell) -> bool:
    return str(cell.fill.fgColor.rgb).endswith(annotate.RED)


def test_a_streamed_copy_keeps_every_row_and_marks_the_first_problems(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(annotate, "FULL_COPY_BYTES", 0)  # stream this small workbook as a large one
    monkeypatch.setattr(annotate, "MAX_MARKED", 5)
    path = tmp_path / "asiakkaat.xlsx"
    problems = client_workbook(path, 40)
    ws = openpyxl.load_workbook(io.BytesIO(annotate.annotated(path, problems, NOTES))).active
    assert ws.max_row == 41 and ws.cell(41, 1).value == "KIT-040"  # every row, as the coordinator wrote it
    assert ws.cell(1, 12).value == "Ongelmat\n" + CAPPED.format(shown=5, total=20)
    marked = [r for r in range(2, 42) if ws.cell(r, 12).value]
    assert marked == [2, 4, 6, 8, 10] and all(is_red(ws.cell(r, 2)) for r in marked)
    assert ws.cell(2, 12).value.startswith("kunta: Tuntematon kunta.")
    assert not is_red(ws.cell(12, 2)) and ws.cell(12, 2).value == "Kitilä"  # the 6th: listed, not marked
    assert not is_red(ws.cell(3, 2))


def test_every_problem_is_marked_below_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "asiakkaat.xlsx"
    problems = client_workbook(path, 40)
    ws = openpyxl.load_workbook(io.BytesIO(annotate.annotated(path, problems, NOTES))).active
    assert ws.cell(1, 12).value == "Ongelmat"
    assert [r for r in range(2, 42) if ws.cell(r, 12).value] == list(range(2, 42, 2))


def test_a_streamed_workbook_copy_marks_each_sheet(monkeypatch) -> None:
    monkeypatch.setattr(annotate, "FULL_COPY_BYTES", 0)
    problem = Problem("required", row=3, column="sektori", sheet="osallistumiset")
    copy = annotate.annotated(fuzz.SAMPLE_WORKBOOK, (problem,), NOTES)
    book = openpyxl.load_workbook(io.BytesIO(copy))
    assert book.sheetnames == ["tapahtumat", "osallistumiset"]
    ws = book["osallistumiset"]
    assert is_red(ws.cell(3, 2)) and ws.cell(3, ws.max_column).value.startswith("sektori: ")


@pytest.mark.slow
def test_the_copy_of_a_200_000_row_workbook_fits_a_small_child(tmp_path: Path) -> None:
    """Under 512 MB more than the child's start and 60 s (the old copy needed 1.3 GB and 122 s)."""
    path = tmp_path / "asiakkaat.xlsx"
    problems = client_workbook(path, 200_000)
    started = time.perf_counter()
    copy = isolate.call(annotate.annotated, path, problems, NOTES, limits=Limits(reader_memory_mb=512))
    seconds = time.perf_counter() - started
    ws = openpyxl.load_workbook(io.BytesIO(copy), read_only=True).active
    header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True))
    assert header[11] == "Ongelmat\n" + CAPPED.format(shown=1000, total=100_000)
    print(f"annotated copy of 200 000 rows, 100 000 problems: {seconds:.1f} s, {len(copy) >> 20} MB")
