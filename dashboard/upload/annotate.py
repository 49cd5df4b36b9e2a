"""An annotated copy of a rejected upload, so the coordinator can fix their own file in Excel.

For an .xlsx it is the same workbook (openpyxl keeps their formatting) with the problem cells filled
red and a problems column added after the last one; for a CSV it is an .xlsx of its rows, every cell as
text ("077" stays "077"), placed on the same row numbers the problem table names. Problems without a
cell (a missing column, an empty file) go to the header row's problems cell. A cell holding an identity
code, e-mail address or phone number is emptied in the copy, so identifying values are never sent back.
Built in memory, never stored. A workbook over ``FULL_COPY_BYTES`` is copied as a CSV is, from the cells
the reader read, streamed (xlsxwriter's ``constant_memory``: one row in memory at a time), without its
formatting; at most ``MAX_MARKED`` problems are marked, and the header row's problems cell says how many
of them the page lists (openpyxl's formatted copy of a 200 000-row workbook took 122 s and 1.3 GB).
A file rejected for its size (``pipelines.limits``: rows, columns, bytes)
gets no copy: the copy would cost the server what the limits exist to avoid (a 1-million-row workbook
took 329 s and 3.6 GB), and the problem table already says what to change.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import polars as pl
import xlsxwriter
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter

from pipelines import codes, pii, read
from pipelines.problems import Problem, RejectedFile

RED, YELLOW = "FFC7CE", "FFEB9C"  # Excel's own "bad" and "neutral" cell fills
LETTERS = re.compile(r"^[A-Z]{1,3}$")  # an unnamed column is named by its letter
IDENTIFYING = frozenset({"hetu", "email", "phone"})  # pipelines.pii's codes: the cell is emptied
MAX_MARKED = 1_000  # problems marked in a copy; the page's problem table lists every one
FULL_COPY_BYTES = 256 * 2**10  # a workbook past this (~9 000 client rows) is streamed from its cells


@dataclass(frozen=True)
class Notes:
    """The copy's own words in the reader's language: the problems column's title and the emptied note."""

    title: str
    removed: str
    lang: str
    capped: str = "{shown} / {total}"  # said in the header row when not every problem is marked


def _messages(problems: list[Problem], header_row: int, notes: Notes, total: int) -> dict[int, list[str]]:
    """Return the problems column's text by row: the header row starts with the column's title."""
    by_row: dict[int, list[str]] = defaultdict(list)
    by_row[header_row].append(notes.title)
    if total > len(problems):
        by_row[header_row].append(notes.capped.format(shown=len(problems), total=total))
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


def _annotate_sheet(ws, problems: list[Problem], notes: Notes, total: int) -> None:
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
    for row, texts in _messages(problems, header_row, notes, total).items():
        cell = ws.cell(row, extra, "\n".join(texts))
        cell.alignment, cell.fill = Alignment(wrap_text=True, vertical="top"), yellow
        cell.font = Font(bold=row == header_row)
    ws.column_dimensions[get_column_letter(extra)].width = 70


def annotated_xlsx(data: bytes, problems: tuple[Problem, ...], notes: Notes, total: int = 0) -> bytes | None:
    """Return the workbook with the problems marked, or None when it cannot be opened."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data))
    except Exception:  # not a workbook after all (a renamed file): the problem table says so
        return None
    for name, found in _sheet_problems(problems, wb.sheetnames).items():
        per_sheet = total if total > len(problems) else len(found)
        _annotate_sheet(wb[name], found, notes, per_sheet)
    for number, ws in enumerate(wb.worksheets, start=1):  # a sheet name holding personal data is renamed
        if pii.names_personal_data(ws.title):
            ws.title = f"{number}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _read_cells(path: Path, problems: tuple[Problem, ...]) -> dict[str, pl.DataFrame] | None:
    """Return the cells the reader reads, by sheet name for the copy; None when they cannot be read.

    A workbook's problems name its sheets: then both are read, else the first sheet or the CSV.
    """
    try:
        named = {codes.normalise(p.sheet) for p in problems if p.sheet}
        if named & {codes.normalise(sheet) for sheet in codes.WORKBOOK_SHEETS.values()}:
            sheets = read.read_upload(path, "workbook")
            return {codes.WORKBOOK_SHEETS[k]: frame for k, frame in sheets.items()}
        frame = read.read_upload(path, "clients")["clients"]  # reading is the same for every kind
    except RejectedFile:
        return None
    name = "data" if pii.names_personal_data(path.name) else path.stem[:31] or "data"
    return {name: frame}


def streamed(path: Path, problems: tuple[Problem, ...], notes: Notes, total: int = 0) -> bytes | None:
    """Return an .xlsx of the cells read, problems marked, written one row at a time; None if unreadable."""
    sheets = _read_cells(path, problems)
    if sheets is None:
        return None
    with tempfile.TemporaryDirectory(prefix="annotated-") as folder:
        target = Path(folder) / "copy.xlsx"
        book = xlsxwriter.Workbook(str(target), {"constant_memory": True, "tmpdir": folder})
        formats = {
            "header": book.add_format({"bold": True, "bg_color": f"#{YELLOW}"}),
            "bad": book.add_format({"bg_color": f"#{RED}"}),
            "note": book.add_format({"text_wrap": True, "valign": "top", "bg_color": f"#{YELLOW}"}),
        }
        grouped = _sheet_problems(problems, list(sheets))
        for name, frame in sheets.items():  # in the file's order; a sheet without problems as it is
            found = grouped.get(name, [])
            per_sheet = total if total > len(problems) else len(found)
            _stream_sheet(book.add_worksheet(name), frame, found, notes, per_sheet, formats)
        book.close()
        return target.read_bytes()


def _stream_sheet(ws, frame: pl.DataFrame, problems: list[Problem], notes: Notes, total: int, fmt) -> None:
    """Write one sheet in row order (as constant_memory needs): cells, then the row's problems."""
    names = [c for c in frame.columns if c != read.ROW]
    written = [c.rpartition(read.DUPLICATE)[0] if read.DUPLICATE in c else c for c in names]
    header_row = max(1, (frame[read.ROW].min() or 2) - 1)
    headers = {codes.normalise(h): i + 1 for i, h in enumerate(written)}
    cells = {(p.row, _column(p.column, headers)): p.code for p in problems}
    messages = _messages(problems, header_row, notes, max(total, len(problems)))
    ws.set_column(len(written), len(written), 70)
    ws.freeze_panes(header_row, 0)
    for i, header in enumerate(written):
        ws.write_string(header_row - 1, i, header, fmt["bad"] if (None, i + 1) in cells else fmt["header"])
    ws.write_string(header_row - 1, len(written), "\n".join(messages.pop(header_row)), fmt["header"])
    pending = sorted(messages)

    def note(row: int) -> None:
        ws.write_string(row - 1, len(written), "\n".join(messages[row]), fmt["note"])

    for row in frame.iter_rows(named=True):
        excel_row = row[read.ROW]
        while pending and pending[0] < excel_row:  # a problem on a row the reader dropped as empty
            note(pending.pop(0))
        for i, name in enumerate(names):
            code = cells.get((excel_row, i + 1))
            if row[name] is not None and code not in IDENTIFYING:
                ws.write_string(excel_row - 1, i, row[name], fmt["bad"] if code else None)
            elif code:
                ws.write_blank(excel_row - 1, i, None, fmt["bad"])
        if pending and pending[0] == excel_row:
            note(pending.pop(0))
    for row in pending:
        note(row)


def annotated(path: Path, problems: tuple[Problem, ...], notes: Notes) -> bytes | None:
    """Return the annotated copy of an uploaded file as .xlsx bytes, or None when it cannot be made."""
    if not problems or any(p.code in read.LIMIT_CODES for p in problems):
        return None  # a file past the reader's limits is not opened again to be copied (issue 11)
    marked, total = problems[:MAX_MARKED], len(problems)  # sorted: file-level first, then by row
    suffix = path.suffix.lower()
    if suffix in read.EXCEL_SUFFIXES and path.stat().st_size <= FULL_COPY_BYTES:
        return annotated_xlsx(path.read_bytes(), marked, notes, total)
    if suffix in (*read.EXCEL_SUFFIXES, *read.TEXT_SUFFIXES):
        return streamed(path, marked, notes, total)
    return None
