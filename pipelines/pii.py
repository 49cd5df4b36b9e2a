"""Personal-data guard: find identity codes, e-mail addresses and phone numbers in an uploaded file.

Runs on every upload before anything else (data contract: "All data is anonymised"). Polars finds
candidate cells with one vectorised regex over all text cells unpivoted into one long column; Python
then verifies only those few cells, because a personal identity code (henkilötunnus) identifies someone
only when its date and check character are valid, and a phone number only with a country code or a
Finnish prefix (in an id column, an id written as ids are, 0261-0042, is none). Problems name the row
and column but never carry the value; ``tests/data/pii_corpus.csv`` holds the false-alarm and catch rates.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import polars as pl

from pipelines.codes import FIELDS, normalise
from pipelines.problems import Problem, sort_problems

ROW = "excel_row"
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}

# Core patterns shared by both engines: polars (Rust regex, no look-around) filters, Python verifies.
_HETU = r"[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y]"
_EMAIL = r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"
# A separator inside a phone number: a space, a dash, a dot or a slash (040.123.4567, 040/1234567). A
# space may be a no-break, narrow, thin or figure one (Excel, Outlook, web pages), a dash any of hyphen,
# no-break hyphen, figure dash, en or em dash, minus sign (Word): 040\u00a01234567 is a phone number.
_DASH = r"\-\u2010-\u2014\u2212"
_SEP = rf"[ ./{_DASH}\u00a0\u2007-\u2009\u202f]"
# International (+358 40 123 4567, 00358 40 1234567, +358 (0)40 ...) or national (040 123 4567, (09) 1234).
_PHONE = (
    rf"(?:(?:\+|00)[1-9][0-9]{{0,2}}{_SEP}?(?:\(0\) ?)?\(?[0-9]{{1,4}}\)?|\(?0[1-9][0-9]{{0,3}}\)?)"
    rf"(?:{_SEP}?[0-9]{{2,4}}){{1,4}}"
)
# No leading word character, "+" or "-" (K261_0042, VAL2-001) and no trailing one, nor a separator and a
# digit: the number ended there, so 0201256-6 (a business id) and 1.2.2023 never match part-way.
_NOT_BEFORE, _NOT_AFTER = rf"(?<![\w+{_DASH}])", rf"(?!\w|{_SEP}[0-9])"

# A cell with a digit that is not ASCII (fullwidth １２, Arabic-Indic ٣) or a dash that is not a hyphen-minus
# is a candidate too: ``plain`` writes it in ASCII before the checks, as a reader of it would.
_CANDIDATE = rf"(?i){_HETU}|{_EMAIL}|(?:^|[^\w+{_DASH}]){_PHONE}|[\d&&[^0-9]]|[\u2010-\u2015\u2212]"
_HETU_AT = re.compile(rf"(?=({_HETU}))", re.IGNORECASE)  # look-ahead: overlapping codes all get checked
_HETU_SHAPE = re.compile(_HETU, re.IGNORECASE)
_EMAIL_RE = re.compile(_EMAIL)
_PHONE_RE = re.compile(rf"{_NOT_BEFORE}{_PHONE}{_NOT_AFTER}")
_DATE_LIKE = re.compile(rf"[0-9]{{1,2}}({_SEP})[0-9]{{1,2}}\1[0-9]{{2,4}}")
# Finnish prefixes a national number starts with: area codes (02 ... 019), mobiles (04x, 050), service
# numbers (020, 029, 030, 075, 0100, 0600 ...). 01-2023-001 and 0261-0042 start with none of them.
_PREFIX = re.compile(r"0(?:[235689]|1[3-9]|4[0-9]|50|20|29|30|75|[1-9]00)")
_MOBILE = re.compile(r"\(?0(?:4[0-9]|50)")
# An id column's ids are digits joined by hyphens (0261-0042, 03-2021-12); a phone number there still
# shows a phone's shape: +, 00, a bracket, a space or a mobile prefix.
_ID_SHAPED = re.compile(rf"[0-9]+(?:[{_DASH}][0-9]+)+")
ID_COLUMNS = frozenset(
    normalise(spelling.replace("_", " "))
    for fields in FIELDS.values()
    for f in fields
    if f.name.endswith("_id")
    for spelling in (f.fi, f.en, f.name)
)


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


def _is_phone(text: str, in_id_column: bool = False) -> bool:
    """Return whether a phone-shaped match is a phone number: a phone's digit count, prefix and shape."""
    digits = sum(char.isdigit() for char in text)
    if not 7 <= digits <= 15 or _DATE_LIKE.fullmatch(text):  # E.164: at most 15 digits
        return False
    if text.startswith(("+", "00")):  # international: a country code and a national number
        return digits >= (8 if text.startswith("+") else 10)
    if in_id_column and _ID_SHAPED.fullmatch(text) and not _MOBILE.match(text):
        return False  # an id written as the column's ids are (0261-0042, 03-2021-12)
    first = re.split(_SEP, text.replace("(", "").replace(")", ""), maxsplit=1)
    # Written in groups, the first group is the prefix itself; run together, the digits start with one.
    return bool(_PREFIX.fullmatch(first[0]) if len(first) > 1 else _PREFIX.match(first[0]))


_DASHES = dict.fromkeys(range(0x2010, 0x2016), "-") | {0x2212: "-"}


def plain(text: str) -> str:
    """``text`` as its reader reads it: compatibility forms folded (NFKC: fullwidth ＴＵ -> TU), every decimal
    digit as an ASCII one (٣ -> 3), every hyphen and dash as "-" (Word writes 131052‑308T)."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    if folded.isascii():
        return folded
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in folded)


def kinds(cell: str, in_id_column: bool = False) -> list[str]:
    """Return the problem codes (hetu, email, phone) of the personal data found in one text."""
    cell = plain(cell)
    kinds = [
        code
        for code, found in (("hetu", find_hetus(cell)), ("email", _EMAIL_RE.search(cell) is not None))
        if found
    ]
    # Digits inside an identity-code-shaped run or an address belong to them, not to a phone number.
    rest = _EMAIL_RE.sub(" ", _HETU_SHAPE.sub(" ", cell))
    if any(_is_phone(match.group(), in_id_column) for match in _PHONE_RE.finditer(rest)):
        kinds.append("phone")
    return kinds


def scan(frame: pl.DataFrame) -> list[Problem]:
    """Return a problem for each kind of personal data in each text cell (``value`` always None)."""
    columns = [name for name, dtype in frame.schema.items() if dtype == pl.String and name != ROW]
    if not columns:
        return []
    id_columns = {name for name in columns if normalise(name.replace("_", " ")) in ID_COLUMNS}
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
            for code in kinds(cell, columns[int(position)] in id_columns)
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
