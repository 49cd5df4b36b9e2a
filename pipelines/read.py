"""Read what coordinators upload into all-text Polars frames, with the row numbers they see in Excel.

Reading only turns bytes into text cells: parsing dates, numbers and categories is validation's job, so
every problem can be reported against the cell as the coordinator wrote it. ``map_headers`` then renames
the headers as written to the canonical column names of ``pipelines.codes``.
"""

from __future__ import annotations

import codecs
import io
import re
import sys
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import fastexcel
import polars as pl

from pipelines import limits as upload_limits
from pipelines import pii
from pipelines.codes import FIELDS, KINDS, WORKBOOK_SHEETS, Field, normalise
from pipelines.limits import Limits
from pipelines.problems import Problem, RejectedFile, is_panic

ROW = "excel_row"  # the row number the coordinator sees in Excel: header = 1, first data row = 2
TEXT_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
EXPECTED_FORMATS = ".csv, .xlsx"
SEPARATORS = (";", ",", "\t")  # ";" first: Excel's CSV in the Finnish locale, and the winner of a tie
DUPLICATE = "_duplicated_"  # polars' own suffix for a repeated header; map_headers reports it
# Every byte but 0x80-0x9f, where Windows-1252 has letters and signs (€ š ž Š Ž Ÿ “ ” – …) and Latin-1
# has control codes; deleting these from a file leaves the bytes on which the two encodings differ.
NOT_C1 = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)
UTF8_SNIFF = 1 << 16  # bytes decoded before the whole file: a Windows-1252 header fails at once
ZIP = b"PK\x03\x04"  # every .xlsx is a zip archive
# Files that are not text though named .csv: PDF, zip (xlsx, docx), old binary Office (xls, doc).
BINARY_SIGNATURES = (b"%PDF", ZIP, b"\xd0\xcf\x11\xe0")
# A date cell read as text is "2023-07-31 00:00:00"; the midnight is noise, a real time of day is kept.
MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$"
# No header is a number or a date, so a first row holding one is data: the header row is missing.
DATA_CELL = re.compile(r"[-+]?\d+(?:[.,]\d+)?|\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}.*")
# The header row of a CSV: its first line with something besides separators, quotes and blanks.
HEADER_LINE = re.compile(rb'^[^\n]*[^;,\t" \r\n][^\n]*', re.MULTILINE)
# Digits of other scripts (fullwidth １２, Arabic-Indic ٣) become ASCII: int() reads them so, and so do we.
OTHER_DIGITS = [
    chr(c) for c in range(128, sys.maxunicode + 1) if unicodedata.decimal(chr(c), None) is not None
]
ASCII_DIGITS = [str(unicodedata.decimal(d)) for d in OTHER_DIGITS]
# Sheet XML, scanned before calamine sees it: <row r="..">, <c r=".." ...> (a "/>" cell holds nothing).
XML_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{0,3})(\d*)["']""")
CHUNK = 1 << 20
# Problems that reject a file for its size, or whose reader died (pipelines.isolate): no annotated copy
# is made of it, since reading it again to copy it would cost what the limits exist to avoid.
LIMIT_CODES = frozenset(
    {"file_too_big", "unzips_too_big", "too_many_rows", "too_many_columns", "too_many_cells", "read_failed"}
)


def read_upload(path: str | Path, kind: str, limits: Limits | None = None) -> dict[str, pl.DataFrame]:
    """Read an upload into ``{kind: frame}``; a workbook gives ``{"events": ..., "attendance": ...}``.

    A file past one of ``limits`` (default: ``pipelines.limits.current()``) is rejected before it is read.
    """
    if kind not in (*KINDS, "workbook"):
        raise ValueError(f"unknown upload kind {kind!r}")
    limits = limits or upload_limits.current()
    path = Path(path)
    suffix = path.suffix.lower()
    expected = ".xlsx" if kind == "workbook" else EXPECTED_FORMATS
    is_text = suffix in TEXT_SUFFIXES and kind != "workbook"
    if not is_text and suffix not in EXCEL_SUFFIXES:
        raise _reject("unsupported_format", expected=expected, found=suffix)
    if path.stat().st_size > limits.max_bytes:
        raise _reject("file_too_big", limit=limits.max_bytes // 2**20)
    data = path.read_bytes()
    if not data or data.isspace():
        raise _reject("empty_file")
    if is_text:
        sheets = {kind: (None, _read_csv(data, limits))}
    elif data.startswith(ZIP):
        _check_xlsx(data, limits)
        sheets = _read_xlsx(data, kind)
    else:  # an old .xls, a CSV or a PDF renamed .xlsx
        raise _reject("unsupported_format", expected=expected, found=suffix)
    frames, problems = {}, []
    for name, (sheet, raw) in sheets.items():
        try:
            frames[name] = _tidy(_checked(raw, limits), name)
        except RejectedFile as rejected:  # a workbook reports both its sheets at once
            problems += [replace(problem, sheet=sheet) for problem in rejected.problems]
    if problems:
        raise RejectedFile(problems)
    return frames


def map_headers(frame: pl.DataFrame, kind: str) -> tuple[pl.DataFrame, dict[str, str]]:
    """Rename headers to canonical names; reject missing, unknown and duplicate columns all at once."""
    fields = FIELDS[kind]
    by_spelling = {_fold(s): f for f in fields for s in (f.fi, f.en, f.name)}
    accepted = ", ".join(f.fi for f in fields)
    header_map: dict[str, str] = {}
    problems: list[Problem] = []
    for header in frame.columns:
        if header == ROW:
            continue
        base, _, number = header.rpartition(DUPLICATE)
        # A header written twice comes suffixed (see _unique); problems name it as written.
        written = base if base in frame.columns and number.isdigit() else header
        field = by_spelling.get(_fold(written))
        if field is None:
            problems.append(Problem("unknown_column", column=written, params={"expected": accepted}))
        elif field.name in header_map:  # twice, or under two spellings such as kunta and municipality
            problems.append(Problem("duplicate_column", column=written, params=_spelling(field)))
        else:
            header_map[field.name] = header
    problems += [
        Problem("missing_column", column=f.fi, params=_spelling(f))
        for f in fields
        if f.required and f.name not in header_map
    ]
    if problems:
        raise RejectedFile(list(dict.fromkeys(problems)))  # a header written three times counts once
    # Optional columns the file leaves out are added empty, so later steps see one shape.
    empty = pl.lit(None, pl.String)
    columns = [(pl.col(header_map[f.name]) if f.name in header_map else empty).alias(f.name) for f in fields]
    return frame.select(ROW, *columns), {f.name: header_map.get(f.name, f.fi) for f in fields}


def _spelling(field: Field) -> dict[str, object]:
    return {"expected": f"{field.fi} / {field.en}"}


def _fold(header: str) -> str:
    """Fold a header for matching: as ``normalise``, with underscores as spaces."""
    return normalise(header.replace("_", " "))


def _reject(code: str, **params: object) -> RejectedFile:
    """Return the rejection of the whole file for one file-level reason."""
    return RejectedFile([Problem(code, params=params)])


def _reader_failed(exc: BaseException) -> bool:
    """Is this a reader's failure on a bad file? A Rust panic (pyo3's PanicException) is a BaseException."""
    return isinstance(exc, Exception) or is_panic(exc)


def _check_xlsx(data: bytes, limits: Limits) -> None:
    """Reject a workbook whose XML or filled area is past the limits, before calamine allocates for it.

    calamine sizes a sheet by its farthest cell with content, so one far cell (XFD1048576) costs hundreds
    of GiB. The declared ``<dimension>`` is not trusted (it may lie or be absent, and counts formatted empty
    cells): the XML is streamed, at most ``max_xml_bytes`` of it unzipped, and every cell's place read.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if m.filename.lower().endswith((".xml", ".rels"))]
        budget = limits.max_xml_bytes
        for member in members:
            with archive.open(member) as fh:
                budget = _scan_xml(fh, budget, limits)
    except RejectedFile:
        raise
    except BaseException as exc:
        if not _reader_failed(exc):
            raise
        raise _reject("unreadable", expected=".xlsx") from exc


def _scan_xml(fh, budget: int, limits: Limits) -> int:
    """Stream one XML part; reject past the byte budget, a too long text, or cells past the limits."""
    max_text = 4 * limits.max_cell_chars + 1024  # UTF-8 bytes of the longest cell, with its markup
    tail, row, column, last_row, last_column, sheet = b"", 0, 0, 0, 0, None
    while chunk := fh.read(CHUNK):
        budget -= len(chunk)
        if budget < 0:  # small as uploaded, huge unzipped: "at most 20 MB" would puzzle its sender
            raise _reject("unzips_too_big", limit=limits.max_xml_bytes // 2**20)
        text = tail + chunk
        cut = text.rfind(b">") + 1
        text, tail = text[:cut], text[cut:]
        if len(tail) > max_text or (text and max(map(len, text.split(b"<"))) > max_text):
            raise _reject("cell_too_long", limit=limits.max_cell_chars)
        if sheet is None:
            sheet = b"worksheet" in text[:4096]
        if not sheet:
            continue
        for tag, attributes in XML_TAG.findall(text):
            ref = REF.search(attributes)
            if tag == b"row":
                row, column = (int(ref.group(2)) if ref and ref.group(2) else row + 1), 0
                continue
            column = _column_index(ref.group(1)) if ref and ref.group(1) else column + 1
            row = int(ref.group(2)) if ref and ref.group(2) else row
            if not attributes.endswith(b"/"):  # a cell with content (a formatted empty one is "/>")
                last_row, last_column = max(last_row, row), max(last_column, column)
        if last_column > limits.max_columns:
            raise _reject("too_many_columns", limit=limits.max_columns)
        if last_row > limits.max_rows + 1:
            raise _reject("too_many_rows", limit=limits.max_rows)
        if last_row * last_column > limits.max_cells:
            raise _reject("too_many_cells", limit=limits.max_cells)
    return budget


def _column_index(letters: bytes) -> int:
    """Return the 1-based index of an Excel column: A -> 1, XFD -> 16384."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ch - 64
    return index


def _checked(raw: pl.DataFrame, limits: Limits) -> pl.DataFrame:
    """Reject a read sheet past the row, column or cell-length limits; make other scripts' digits ASCII."""
    cells = [c for c in raw.columns if c != ROW]
    if len(cells) > limits.max_columns:
        raise _reject("too_many_columns", limit=limits.max_columns)
    if raw.height > limits.max_rows + 1:
        raise _reject("too_many_rows", limit=limits.max_rows)
    if not cells:
        return raw
    long = raw.select(ROW, *(pl.col(c).str.len_chars() > limits.max_cell_chars for c in cells))
    long = long.filter(pl.any_horizontal(pl.col(cells)))
    if long.height:
        raise RejectedFile(
            [
                Problem("cell_too_long", row=row[ROW], column=c, params={"limit": limits.max_cell_chars})
                for row in long.head(100).iter_rows(named=True)
                for c in cells
                if row[c]
            ]
        )
    return raw.with_columns(pl.col(cells).str.replace_many(OTHER_DIGITS, ASCII_DIGITS))


def _read_csv(data: bytes, limits: Limits) -> pl.DataFrame:
    """Parse CSV bytes into text columns named by Excel column letter, numbered from row 1."""
    utf8 = _to_utf8(data)
    if utf8 is None:
        raise _reject("unsupported_format", expected=EXPECTED_FORMATS, found="binary")
    if not utf8 or utf8.isspace():  # a byte-order mark and nothing else
        raise _reject("empty_file")
    found = HEADER_LINE.search(utf8)
    header = found.group() if found else b""
    unquoted = re.sub(rb'"[^"]*"', b"", header)  # a quoted header may contain any separator
    separator = max(SEPARATORS, key=lambda s: unquoted.count(s.encode()))
    if header.count(separator.encode()) + 1 > limits.max_columns:  # before any work per column
        raise _reject("too_many_columns", limit=limits.max_columns)
    # Enough columns for the widest line, so a ragged row is padded instead of failing the read. A file
    # is nearly always as wide as its header, so that is tried first; a wider row makes polars raise.
    try:
        raw = _parse(utf8, separator, header.count(separator.encode()) + 1)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
        width = _widest_line(utf8, separator)
        if width > limits.max_columns:
            raise _reject("too_many_columns", limit=limits.max_columns) from None
        try:
            raw = _parse(utf8, separator, width)
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
            raise _reject("unreadable", expected=EXPECTED_FORMATS) from exc
    return raw


def _parse(utf8: bytes, separator: str, width: int) -> pl.DataFrame:
    """Parse UTF-8 CSV into ``width`` text columns (short rows padded with nulls) numbered from row 1."""
    return pl.read_csv(
        utf8,
        has_header=False,
        separator=separator,
        schema={_letter(i): pl.String for i in range(width)},
        missing_columns="insert",
        row_index_name=ROW,
        row_index_offset=1,
    )


def _widest_line(utf8: bytes, separator: str) -> int:
    """Return the number of cells on the widest line, counting separators inside quotes too."""
    return max(line.count(separator.encode()) for line in utf8.split(b"\n")) + 1


def _to_utf8(data: bytes) -> bytes | None:
    """Return CSV bytes as UTF-8 (from UTF-8, UTF-16, else Windows-1252, else Latin-1); None if not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16 with a BOM
        return data.decode("utf-16", errors="replace").encode()
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data:
        return None
    try:  # the start first: a failed decode copies all the bytes it was given into its error
        codecs.getincrementaldecoder("utf-8")().decode(data[:UTF8_SNIFF])
        data.decode()
        return data.removeprefix(codecs.BOM_UTF8)  # valid UTF-8 goes to polars as it is
    except UnicodeDecodeError:
        pass
    if not data.translate(None, NOT_C1):  # no byte 0x80-0x9f: Windows-1252 reads as Latin-1 does
        return data.decode("latin-1").encode()  # (Latin-1 decodes at memory speed, cp1252 by table)
    try:
        return data.decode("cp1252").encode()
    except UnicodeDecodeError:  # cp1252 leaves five bytes undefined; Latin-1 decodes anything
        return data.decode("latin-1").encode()


def _read_xlsx(data: bytes, kind: str) -> dict[str, tuple[str | None, pl.DataFrame]]:
    """Read the sheets an upload needs from xlsx bytes: ``{kind: (sheet name of a workbook, cells)}``."""
    try:
        reader = fastexcel.read_excel(data)
    except BaseException as exc:  # calamine raises its own errors for corrupt files, or panics
        if not _reader_failed(exc):
            raise
        raise _reject("unreadable", expected=".xlsx") from exc
    if any(pii.names_personal_data(name) for name in reader.sheet_names):  # it would be echoed back
        raise _reject("sheet_name_personal")
    if kind != "workbook":
        return {kind: (None, _load_sheet(reader, 0))}
    by_name = {normalise(name): name for name in reader.sheet_names}
    picked = {k: by_name.get(sheet, by_name.get(k)) for k, sheet in WORKBOOK_SHEETS.items()}
    if None in picked.values():
        sheets, found = ", ".join(WORKBOOK_SHEETS.values()), ", ".join(reader.sheet_names)
        raise _reject("missing_sheet", sheets=sheets, found=found)
    return {k: (sheet, _load_sheet(reader, sheet)) for k, sheet in picked.items()}


def _load_sheet(reader: fastexcel.ExcelReader, sheet: int | str) -> pl.DataFrame:
    """Load one sheet as text cells from row 1, so row numbers are Excel's."""
    # All cells as text: inferring types from a sample turns a text cell below it into null,
    # and a date cell as text is ISO ("2023-07-31 00:00:00"), a whole number "12" not "12.0".
    try:
        loaded = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        raw = loaded.to_polars()
        letters = [_letter(c.absolute_index) for c in loaded.available_columns()]
    except BaseException as exc:  # as above: a corrupt sheet is the coordinator's problem, not a traceback
        if not _reader_failed(exc):
            raise
        raise _reject("unreadable", expected=".xlsx") from exc
    raw.columns = letters
    return raw.with_columns(pl.all().str.replace(MIDNIGHT, "${1}")).with_row_index(ROW, offset=1)


def _tidy(raw: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Head the cells by the first non-empty row; drop empty rows and unnamed empty columns."""
    cells = [c for c in raw.columns if c != ROW]
    if not cells:
        raise _reject("empty_file")
    raw = raw.with_columns(pl.col(cells).str.strip_chars().replace("", None)).filter(
        pl.any_horizontal(pl.col(cells).is_not_null())
    )
    if raw.height == 0:
        raise _reject("empty_file")
    titles = raw.select(cells).row(0)
    # Headers are echoed back (unknown column, the annotated copy): scan them first, with the cells.
    if found := pii.scan_headers(dict(zip(cells, titles, strict=True)), int(raw[ROW][0])):
        raise RejectedFile(found + pii.scan(raw.slice(1)))
    if any(title is not None and DATA_CELL.fullmatch(title) for title in titles):
        raise _reject("no_header", expected=", ".join(f.fi for f in FIELDS[kind]))
    data = raw.slice(1)
    if data.height == 0 and kind != "clients":  # an empty client list is a real answer; no events is not
        raise _reject("no_rows")
    # An unnamed column with values is named by its letter, so a problem in it can still be found.
    kept = {c: t or c for c, t in zip(cells, titles, strict=True) if t or data[c].null_count() < data.height}
    names = _unique(kept.values())
    columns = [pl.col(c).alias(name) for c, name in zip(kept, names, strict=True)]
    return data.select(pl.col(ROW).cast(pl.Int64), *columns)


def _unique(names: Iterable[str]) -> list[str]:
    """Suffix repeated headers as polars does (``kunta``, ``kunta_duplicated_0``), for map_headers."""
    counts = {ROW: 1}
    unique = []
    for name in names:
        count = counts.get(name, 0)
        counts[name] = count + 1
        unique.append(name if count == 0 else f"{name}{DUPLICATE}{count - 1}")
    return unique


def _letter(index: int) -> str:
    """Return the Excel letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
