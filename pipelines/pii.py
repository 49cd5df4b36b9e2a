"""Personal-data guard: find identity codes, e-mail addresses and phone numbers in an uploaded file.

Runs on every upload before anything else (data contract: "All data is anonymised"). Polars finds
candidate cells with one vectorised regex over all text cells unpivoted into one long column; Python
then verifies only those few cells, because a personal identity code (henkilötunnus) identifies someone
only when its date and check character are valid. Problems name the row and column but never carry the value.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from pipelines.problems import Problem, sort_problems

ROW = "excel_row"
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}

# Core patterns shared by both engines: polars (Rust regex, no look-around) filters, Python verifies.
_HETU = r"[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y]"
_EMAIL = r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"
# National (040 123 4567, 0401234567, 09-1234567, (09) 123 4567) or international (+358 40 123 4567).
# No "." separator and no leading "-", "_" or word character: 31.7.2023, 2023-07-31 and K261_0042 never match.
_PHONE = r"(?:\+[0-9]{1,3}[ -]?\(?[0-9]{1,4}\)?|\(?0[0-9]{1,3}\)?)(?:[ -]?[0-9]{2,4}){1,4}"

_CANDIDATE = rf"(?i){_HETU}|{_EMAIL}|(?:^|[^\w+-]){_PHONE}(?:$|\W)"
_HETU_AT = re.compile(rf"(?=({_HETU}))", re.IGNORECASE)  # look-ahead: overlapping codes all get checked
_HETU_SHAPE = re.compile(_HETU, re.IGNORECASE)
_EMAIL_RE = re.compile(_EMAIL)
_PHONE_RE = re.compile(rf"(?<![\w+-]){_PHONE}(?!\w)")
_DATE_LIKE = re.compile(r"[0-9]{1,2}[-/ ][0-9]{1,2}[-/ ][0-9]{2,4}")


def is_valid_hetu(text: str) -> bool:
    """Return whether ``text`` is exactly one valid personal identity code, in upper or lower case."""
    if not _HETU_SHAPE.fullmatch(text):
        return False
    code = text.upper()
    ddmmyy, mark, number, check = code[:6], code[6], code[7:10], code[10]
    try:  # a real calendar date for its century rules out most look-alike numbers
        date(CENTURY[mark] + int(ddmmyy[4:]), int(ddmmyy[2:4]), int(ddmmyy[:2]))
    except ValueError:
        return False
    return int(number) >= 2 and CHECK_CHARACTERS[int(ddmmyy + number) % 31] == check


def find_hetus(text: str) -> bool:
    """Return whether a valid personal identity code occurs anywhere in ``text``."""
    return any(is_valid_hetu(match.group(1)) for match in _HETU_AT.finditer(text))


def _is_phone(text: str) -> bool:
    """Return whether a phone-shaped match has a phone's digit count (7-15, E.164) and is not a date."""
    return 7 <= sum(char.isdigit() for char in text) <= 15 and not _DATE_LIKE.fullmatch(text)


def kinds(cell: str) -> list[str]:
    """Return the problem codes (hetu, email, phone) of the personal data found in one text."""
    kinds = [
        code
        for code, found in (("hetu", find_hetus(cell)), ("email", _EMAIL_RE.search(cell) is not None))
        if found
    ]
    # Digits inside an identity-code-shaped run or an address belong to them, not to a phone number.
    rest = _EMAIL_RE.sub(" ", _HETU_SHAPE.sub(" ", cell))
    if any(_is_phone(match.group()) for match in _PHONE_RE.finditer(rest)):
        kinds.append("phone")
    return kinds


def scan(frame: pl.DataFrame) -> list[Problem]:
    """Return a problem for each kind of personal data in each text cell (``value`` always None)."""
    columns = [name for name, dtype in frame.schema.items() if dtype == pl.String and name != ROW]
    if not columns:
        return []
    # One long column of (row, column position, cell), filtered by one regex: time and memory grow with
    # the number of cells. A lazy frame per column would plan over the whole width each time: width².
    candidates = (
        frame.select(ROW, *columns)
        .rename({name: str(i) for i, name in enumerate(columns)})
        .unpivot(index=ROW, variable_name="position", value_name="cell")
        .filter(pl.col("cell").str.contains(_CANDIDATE))
    )
    return sort_problems(
        [
            Problem(code, row=row, column=columns[int(position)])
            for row, position, cell in candidates.iter_rows()
            for code in kinds(cell)
        ]
    )


def scan_headers(titles: dict[str, str | None], row: int) -> list[Problem]:
    """Return a problem for each kind of personal data in a header cell, named by its column letter.

    ``titles`` maps each column's Excel letter to its header as written. A header is text the file
    echoes back everywhere (unknown-column messages, the annotated copy), so it is scanned as a cell is.
    """
    return [
        Problem(code, row=row, column=letter)
        for letter, title in titles.items()
        if title
        for code in kinds(title)
    ]


def names_personal_data(name: str) -> bool:
    """Return whether a sheet or file name holds an identity code, e-mail address or phone number."""
    return bool(kinds(name))
