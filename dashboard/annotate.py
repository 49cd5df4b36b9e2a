"""An annotated copy of a rejected upload, so the coordinator can fix their own file in Excel.

For an .xlsx it is the same workbook (openpyxl keeps their formatting) with the problem cells filled
red and a problems column added after the last one; for a CSV it is an .xlsx of its rows, every cell as
text ("077" stays "077"), placed on the same row numbers the problem table names. Problems without a
cell (a missing column, an empty file) go to the header row's problems cell. A cell holding an identity
code, e-mail address or phone number is emptied in the copy, so identifying values are never sent back.
Built in memory, never stored. A file rejected for its size (``pipelines.limits``: rows, columns, bytes)
gets no copy: the copy would cost the server what the limits exist to avoid (a 1-million-row workbook
took 329 s and 3.6 GB), and the problem table already says what to change.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter

from pipelines import codes, pii, read
from pipelines.problems import Problem, RejectedFile

RED, YELLOW = "FFC7CE", "FFEB9C"  # Excel's own "bad" and "neutral" cell fills
LETTERS = re.compile(r"^[A-Z]{1,3}$")  # an unnamed column is named by its letter
IDENTIFYING = frozenset({"hetu", "email", "phone"})  # pipelines.pii's codes: the cell is emptied


@dataclass(frozen=True)
class Notes:
    """The copy's own words in the reader's language: the problems column's title and the emptied note."""

    title: str
    removed: str
    lang: str


def _messages(problems: list[Problem], header_row: int, notes: Notes) -> dict[int, list[str]]:
    """Return the problems column's text by row: the header row starts with the column's title."""
    by_row: dict[int, list[str]] = defaultdict(list)
    by_row[header_row].append(notes.title)
    for p in problems:
        text = f"{p.column}: {p.message(notes.lang)}" if p.column else p.message(notes.lang)
        by_row[p.row or header_row].append(f"{text} {notes.removed}" if p.code in IDENTIFYING else text)
    return by_row


def _column(name: str | None, headers: dict[str, int]) -> int | None:
    """Return the 1-based column a problem names: by its header as written, else by its letter."""
    if not name:
        return None
    found = headers.get(codes.normalise(name))
    if found is None and LETTERS.match(name):
        found = column_index_from_string(name)
    return found


def _sheet_problems(problems: tuple[Problem, ...], sheet_names: list[str]) -> dict[str, list[Problem]]:
    """Group problems by the workbook sheet they are on (no sheet: the first one)."""
    by_name = {codes.normalise(n): n for n in sheet_names}
    grouped: dict[str, list[Problem]] = defaultdict(list)
    for p in problems:
        grouped[by_name.get(codes.normalise(p.sheet or ""), sheet_names[0])].append(p)
    return grouped


def _annotate_sheet(ws, problems: list[Problem], notes: Notes) -> None:
    header_row = next((r[0].row for r in ws.iter_rows() if any(c.value not in (None, "") for c in r)), 1)
    headers = {codes.normalise(str(c.value)): c.column for c in ws[header_row] if c.value not in (None, "")}
    extra = ws.max_column + 1
    red, yellow = PatternFill("solid", fgColor=RED), PatternFill("solid", fgColor=YELLOW)
    for p in problems:
        column = _column(p.column, headers)
        if column is not None and (p.row or column in headers.values()):
            cell = ws.cell(p.row or header_row, column)
            cell.fill = red
            if p.code in IDENTIFYING:
                cell.value = None
    for row, texts in _messages(problems, header_row, notes).items():
        cell = ws.cell(row, extra, "\n".join(texts))
        cell.alignment, cell.fill = Alignment(wrap_text=True, vertical="top"), yellow
        cell.font = Font(bold=row == header_row)
    ws.column_dimensions[get_column_letter(extra)].width = 70


def annotated_xlsx(data: bytes, problems: tuple[Problem, ...], notes: Notes) -> bytes | None:
    """Return the workbook with the problems marked, or None when it cannot be opened."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data))
    except Exception:  # not a workbook after all (a renamed file): the problem table says so
        return None
    for name, found in _sheet_problems(problems, wb.sheetnames).items():
        _annotate_sheet(wb[name], found, notes)
    for number, ws in enumerate(wb.worksheets, start=1):  # a sheet name holding personal data is renamed
        if pii.names_personal_data(ws.title):
            ws.title = f"{number}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def annotated_csv(path: Path, problems: tuple[Problem, ...], notes: Notes) -> bytes | None:
    """Return an .xlsx of the CSV's rows with the problems marked, or None when it cannot be read."""
    try:
        frame = read.read_upload(path, "clients")["clients"]  # reading is the same for every kind
    except RejectedFile:
        return None
    names = [c for c in frame.columns if c != read.ROW]
    written = [c.rpartition(read.DUPLICATE)[0] if read.DUPLICATE in c else c for c in names]
    first = frame[read.ROW].min()
    header_row = max(1, (first or 2) - 1)
    headers = {codes.normalise(h): i + 1 for i, h in enumerate(written)}
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet("data" if pii.names_personal_data(path.name) else path.stem[:31] or "data")
    bold = book.add_format({"bold": True, "bg_color": f"#{YELLOW}"})
    bad = book.add_format({"bg_color": f"#{RED}"})
    note = book.add_format({"text_wrap": True, "valign": "top", "bg_color": f"#{YELLOW}"})
    cells = {(p.row, _column(p.column, headers)): p.code for p in problems}
    for i, header in enumerate(written):
        ws.write_string(header_row - 1, i, header, bad if (None, i + 1) in cells else bold)
    for row in frame.iter_rows(named=True):
        excel_row = row[read.ROW]
        for i, name in enumerate(names):
            code = cells.get((excel_row, i + 1))
            if row[name] is not None and code not in IDENTIFYING:
                ws.write_string(excel_row - 1, i, row[name], bad if code else None)
            elif code:
                ws.write_blank(excel_row - 1, i, None, bad)
    for row, texts in _messages(list(problems), header_row, notes).items():
        ws.write_string(row - 1, len(written), "\n".join(texts), note if row != header_row else bold)
    ws.set_column(len(written), len(written), 70)
    ws.freeze_panes(header_row, 0)
    book.close()
    return out.getvalue()


def annotated(path: Path, problems: tuple[Problem, ...], notes: Notes) -> bytes | None:
    """Return the annotated copy of an uploaded file as .xlsx bytes, or None when it cannot be made."""
    if not problems or any(p.code in read.LIMIT_CODES for p in problems):
        return None  # a file past the reader's limits is not opened again to be copied (issue 11)
    if path.suffix.lower() in read.EXCEL_SUFFIXES:
        return annotated_xlsx(path.read_bytes(), problems, notes)
    if path.suffix.lower() in read.TEXT_SUFFIXES:
        return annotated_csv(path, problems, notes)
    return None
