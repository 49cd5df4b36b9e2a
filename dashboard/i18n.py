"""Languages of the dashboard: the one translation table plus Babel formats of numbers, shares and dates.

The table is the union of ``pipelines/locales`` and ``dashboard/locales`` (one TOML table per key with
``fi``, ``sv`` and ``en`` side by side), loaded by ``pipelines.i18n``. Category codes are labelled with
``category.<column>.<code>`` keys; place names come from the reference data in the chosen language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent

from dashboard import privacy
from pipelines.i18n import PIPELINES_LOCALES, Translator, normalise_language

DASHBOARD_LOCALES = Path(__file__).parent / "locales"
FOLDERS = (PIPELINES_LOCALES, DASHBOARD_LOCALES)
BABEL_LOCALE = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
DATE_FORMAT = {"fi": "short", "sv": "medium", "en": "medium"}  # 31.7.2023, 31 juli 2023, 31 Jul 2023
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}  # each in its own language
NOT_AVAILABLE = "–"
# Every time on screen and in an export is Finnish time, labelled; the warehouse stores UTC without a zone.
TIMEZONE = ZoneInfo("Europe/Helsinki")
# Finnish and Swedish group thousands with a thin space that never breaks a number (SFS 4175: "1 259");
# Babel's CLDR data uses a full no-break space, so the formatted text has it swapped.
BABEL_GROUP, THIN_GROUP = "\u00a0", "\u202f"
THIN_GROUPED = {"fi", "sv"}

# Finnish elative ending after a numeral ("128:sta", "5:stä"), by the word the number is read out with.
_FI_ELATIVE_DIGIT = {1: "stä", 2: "sta", 3: "sta", 4: "stä", 5: "stä", 6: "sta", 7: "stä", 8: "sta", 9: "stä"}


def fi_elative(n: int) -> str:
    """Return the elative ending a Finnish reader hears after ``n`` (e.g. 128 -> "sta", 5 -> "stä")."""
    n = abs(int(n))
    if n == 0:
        return "sta"  # nollasta
    if 11 <= n % 100 <= 19:
        return "sta"  # -toista
    if n % 10:
        return _FI_ELATIVE_DIGIT[n % 10]
    if n % 100:
        return "stä"  # kymmenestä, -kymmenestä
    return "sta"  # sadasta, tuhannesta, miljoonasta


@dataclass(frozen=True)
class I18n:
    """Translate keys and format numbers, shares and dates in one language."""

    lang: str = "fi"
    min_cell: int = privacy.MIN_CELL

    def __post_init__(self) -> None:
        object.__setattr__(self, "lang", normalise_language(self.lang))

    @cached_property
    def _translator(self) -> Translator:
        return Translator(FOLDERS, self.lang)

    @property
    def locale(self) -> str:
        return BABEL_LOCALE[self.lang]

    def t(self, key: str, /, **values: object) -> str:
        """Return the text of ``key`` in this language with ``{placeholders}`` filled in."""
        return self._translator(key, **values)

    def label(self, column: str, code: object) -> str:
        """Label a category code (status, pathway, sector...); a missing code reads as unknown."""
        if code is None:
            return self.t("category.missing")
        return self.t(f"category.{column}.{code}")

    def number(self, n: float | None, digits: int = 0) -> str:
        """Format a number with the locale's separators (Finnish ``1 259``)."""
        if n is None:
            return NOT_AVAILABLE
        if digits:
            text = format_decimal(n, format=f"#,##0.{'0' * digits}", locale=self.locale)
        else:
            text = format_decimal(round(n), locale=self.locale)
        return text.replace(BABEL_GROUP, THIN_GROUP) if self.lang in THIN_GROUPED else text

    def count(self, n: int | None) -> str:
        """Format a client count; a hidden one (None) reads ".." (``privacy.mark``, see the footer)."""
        return self.number(n) if n is not None else self.t("privacy.mark")

    def share(self, x: float | None, digits: int = 1) -> str:
        """Format a fraction as a percentage (Finnish ``65,6 %``); a hidden share reads "–"."""
        if x is None:
            return NOT_AVAILABLE
        pattern = _with_fraction(Locale.parse(self.locale).percent_formats[None].pattern, digits)
        return format_percent(x, format=pattern, locale=self.locale)

    def signed(self, n: float | None, percent: bool = False) -> str | None:
        """Format a change with an ASCII sign first (``+3``, ``-36 %``) as st.metric reads deltas."""
        if n is None:
            return None
        text = self.share(abs(n), 0) if percent else self.number(abs(n))
        return ("-" if n < 0 else "+") + text if round(n, 6) else text

    def date(self, d: date | datetime | None) -> str:
        """Format a date the way the language writes it (Finnish ``31.7.2023``).

        A time (naive is UTC, as stored) is first moved to Finnish time: its date is the day it was there.
        """
        if d is None:
            return NOT_AVAILABLE
        if isinstance(d, datetime):
            d = (d if d.tzinfo else d.replace(tzinfo=UTC)).astimezone(TIMEZONE)
        return format_date(d, DATE_FORMAT[self.lang], locale=self.locale)

    def datetime(self, d: datetime | None, labelled: bool = True) -> str:
        """Format a time in Finnish time, labelled so ("31.7.2023 klo 22.00 (Suomen aika)"); naive is UTC.

        ``labelled=False`` leaves the label out, for a table whose column header says it.
        """
        if d is None:
            return NOT_AVAILABLE
        local = (d if d.tzinfo else d.replace(tzinfo=UTC)).astimezone(TIMEZONE)
        at = format_time(local, "short", tzinfo=TIMEZONE, locale=self.locale)
        key = "common.finnish_time" if labelled else "common.local_time"
        return self.t(key, date=self.date(local), time=at)

    def municipality_name_col(self) -> str:
        """Return the reference column with municipality names in this language (English uses Finnish)."""
        return "name_sv" if self.lang == "sv" else "name_fi"

    def region_name_col(self, prefix: str = "region_") -> str:
        """Return the reference column with wellbeing-region names in this language."""
        return f"{prefix}name_{self.lang}"

    @property
    def plotly_separators(self) -> str:
        """Return Plotly's ``separators`` (decimal, then group) for this locale."""
        sample = self.number(1234.5, digits=1)
        return sample[5] + sample[1]


def _with_fraction(pattern: str, digits: int) -> str:
    """Add ``digits`` fraction digits to a Babel number pattern (``#,##0 %`` -> ``#,##0.0 %``)."""
    if not digits:
        return pattern
    last = max(i for i, ch in enumerate(pattern) if ch == "0")
    return pattern[: last + 1] + "." + "0" * digits + pattern[last + 1 :]
