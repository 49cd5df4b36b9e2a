"""Tables out of the dashboard: CSV (UTF-8 with BOM) and XLSX with a header block stating the stamp.

Cells are what the page shows (a hidden count stays "..", a hidden share "–"), except that a visible
number is written as a number, so a spreadsheet can sum it. Text that a spreadsheet would run as a
formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading single
quote, as OWASP's CSV-injection guidance recommends: coordinators upload event titles, and a leader
opens the file in Excel.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence

import xlsxwriter
from babel.numbers import format_decimal

from dashboard.builders import Built
from dashboard.builders.common import format_value
from dashboard.export.stamp import Stamp
from dashboard.i18n import I18n

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMERIC_KINDS = ("count", "number", "share")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})  # Excel's CSV reader wants plain spaces


def neutralise(value: object) -> object:
    """Defuse a text cell a spreadsheet would evaluate (prefix a single quote); other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def cell(tr: I18n, kind: str, value: object) -> object:
    """Return one exported cell: a visible number as a number, everything else as the page's text."""
    if kind in NUMERIC_KINDS and not _missing(value):
        return int(value) if kind == "count" else value  # type: ignore[call-overload]
    return neutralise(format_value(tr, kind, None if _missing(value) else value))


def rows(b: Built, tr: I18n) -> tuple[list[str], list[list[object]]]:
    """Return the shown headers and cells of a built table (neutralised text, numbers as numbers)."""
    headers = [str(neutralise(c.header)) for c in b.columns.values()]
    kinds = [c.kind for c in b.columns.values()]
    body = [[cell(tr, k, v) for k, v in zip(kinds, row, strict=True)] for row in b.table().iter_rows()]
    return headers, body


def header_block(stamp: Stamp) -> list[str]:
    """Return the stamp's lines for the top of a file or sheet."""
    return [str(neutralise(line)) for line in stamp.lines()]


def footer_lines(b: Built) -> list[str]:
    """Return the caption and notes that explain the table (they travel with it)."""
    return [str(neutralise(line)) for line in (b.caption, *b.notes) if line]


def _csv_text(tr: I18n, kind: str, value: object) -> str:
    """Write a number as the locale's spreadsheet reads it: no group separator, locale decimals."""
    if isinstance(value, str):
        return value
    if kind == "share":
        return tr.share(value).translate(_SPACES)  # type: ignore[arg-type]
    if isinstance(value, float) and not value.is_integer():
        return format_decimal(value, format="0.0", locale=tr.locale)
    return str(int(value))  # type: ignore[call-overload]


def csv_separator(lang: str) -> str:
    """Return the separator Excel expects in the language's locale (";" where the decimal mark is ",")."""
    return "," if lang == "en" else ";"


def to_csv(parts: Built | Sequence[Built], tr: I18n, stamp: Stamp, sep: str | None = None) -> bytes:
    """Return tables as CSV: UTF-8 with a BOM (Excel's cue), the stamp, then each table under its title."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep or csv_separator(tr.lang), lineterminator="\r\n")
    for line in header_block(stamp):
        writer.writerow([line])
    for b in [parts] if isinstance(parts, Built) else parts:
        writer.writerow([])
        writer.writerow([neutralise(b.title)])
        headers, body = rows(b, tr)
        kinds = [c.kind for c in b.columns.values()]
        writer.writerow(headers)
        for row in body:
            writer.writerow([_csv_text(tr, k, v) for k, v in zip(kinds, row, strict=True)])
        for line in footer_lines(b):
            writer.writerow([line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_name(title: str, used: set[str]) -> str:
    """Return a valid, unique worksheet name (at most 31 characters, none of []:*?/\\)."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip().strip("'")[:31] or "Sheet"
    name, i = base, 2
    while name.lower() in used:
        suffix = f" ({i})"
        name, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(name.lower())
    return name


def _write_sheet(wb: xlsxwriter.Workbook, ws, b: Built, tr: I18n, stamp: Stamp, styles: dict) -> None:
    lines = header_block(stamp)
    ws.write_string(0, 0, str(neutralise(b.title)), styles["title"])
    for i, line in enumerate(lines, start=1):
        ws.write_string(i, 0, line, styles["stamp"])
    top = len(lines) + 2
    headers, body = rows(b, tr)
    kinds = [c.kind for c in b.columns.values()]
    widths = [len(h) for h in headers]
    for c, h in enumerate(headers):
        ws.write_string(top, c, h, styles["header"])
    for r, row in enumerate(body, start=top + 1):
        for c, (kind, value) in enumerate(zip(kinds, row, strict=True)):
            if isinstance(value, str):  # write_string: never a formula, a URL or a number guessed from text
                ws.write_string(
                    r, c, value, styles["text_right"] if kind in NUMERIC_KINDS else styles["text"]
                )
                widths[c] = max(widths[c], len(value))
            else:
                fmt = styles[kind if kind != "number" or float(value).is_integer() else "decimal"]  # type: ignore[arg-type]
                ws.write_number(r, c, value, fmt)
                widths[c] = max(widths[c], len(format_value(tr, kind, value)))
    for c, width in enumerate(widths):
        ws.set_column(c, c, min(max(width + 2, 8), 60))
    ws.freeze_panes(top + 1, 0)
    for i, line in enumerate(footer_lines(b), start=top + len(body) + 2):
        ws.write_string(i, 0, line, styles["stamp"])


def to_xlsx(parts: Sequence[Built], tr: I18n, stamp: Stamp) -> bytes:
    """Return built tables as one workbook, a sheet per table, each with its own header block."""
    buf = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    wb = xlsxwriter.Workbook(buf, options)
    styles = {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "stamp": wb.add_format({"font_color": "#404040"}),
        "header": wb.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}),
        "text": wb.add_format({}),
        "text_right": wb.add_format({"align": "right"}),
        "count": wb.add_format({"num_format": "#,##0"}),
        "number": wb.add_format({"num_format": "#,##0"}),
        "decimal": wb.add_format({"num_format": "#,##0.0"}),
        "share": wb.add_format({"num_format": "0.0%"}),
    }
    wb.set_properties(
        {"title": parts[0].title if parts else "", "subject": stamp.filters, "comments": stamp.source}
    )
    used: set[str] = set()
    for b in parts:
        _write_sheet(wb, wb.add_worksheet(sheet_name(b.title, used)), b, tr, stamp, styles)
    wb.close()
    return buf.getvalue()
