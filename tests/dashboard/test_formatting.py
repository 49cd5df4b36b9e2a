"""Numbers, shares and dates as each language writes them (Babel), and Finnish inflection of numerals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard.builders.common import format_value
from dashboard.i18n import I18n, fi_elative

NBSP = "\u00a0"  # the space before "%"
THIN = "\u202f"  # Finnish and Swedish thousands: a narrow no-break space


@pytest.mark.parametrize(
    ("lang", "number", "share", "day"),
    [
        ("fi", f"1{THIN}259", f"65,6{NBSP}%", "31.7.2023"),
        ("sv", f"1{THIN}259", f"65,6{NBSP}%", "31 juli 2023"),
        ("en", "1,259", "65.6%", "31 Jul 2023"),
    ],
)
def test_formats_follow_the_language(lang: str, number: str, share: str, day: str) -> None:
    tr = I18n(lang)
    assert tr.number(1259) == number
    assert tr.share(84 / 128) == share
    assert tr.date(date(2023, 7, 31)) == day


def test_headline_shares_are_whole_percent_tables_one_decimal() -> None:
    tr = I18n("fi")
    assert tr.share(84 / 128, 0) == f"66{NBSP}%"
    assert tr.share(44 / 128) == f"34,4{NBSP}%"


def test_hidden_values() -> None:
    tr = I18n("fi")
    assert tr.count(None) == ".."
    assert I18n("fi", min_cell=10).count(None) == ".."  # the mark claims no range, whatever the threshold
    assert tr.count(3) == "3"  # a visible count is shown as it is: deciding what to hide is not formatting
    assert tr.share(None) == "–"


@pytest.mark.parametrize(("n", "text"), [(3, "+3"), (-36, "-36"), (0, "0"), (1259, f"+1{THIN}259")])
def test_signed_changes_start_with_an_ascii_sign(n: int, text: str) -> None:
    assert I18n("fi").signed(n) == text  # st.metric colours a delta by its leading "-"


def test_plotly_separators() -> None:
    assert I18n("fi").plotly_separators == f",{THIN}"
    assert I18n("en").plotly_separators == ".,"


@pytest.mark.parametrize(
    ("n", "ending"),
    [
        (128, "sta"),
        (5, "stä"),
        (4, "stä"),
        (3, "sta"),
        (10, "stä"),
        (11, "sta"),
        (20, "stä"),
        (100, "sta"),
        (1000, "sta"),
        (41, "stä"),
        (1259, "stä"),
    ],
)
def test_finnish_elative_after_a_numeral(n: int, ending: str) -> None:
    assert fi_elative(n) == ending


@pytest.mark.parametrize(
    ("lang", "utc", "shown"),
    [
        ("fi", datetime(2023, 7, 31, 19, 0), "31.7.2023 klo 22.00 (Suomen aika)"),  # summer: UTC+3
        ("fi", datetime(2023, 1, 10, 18, 5), "10.1.2023 klo 20.05 (Suomen aika)"),  # winter: UTC+2
        ("sv", datetime(2023, 7, 31, 19, 0), "31 juli 2023 kl. 22.00 (finsk tid)"),
        ("en", datetime(2023, 7, 31, 21, 30), "1 Aug 2023, 00:30 (Finnish time)"),  # the next day there
        ("fi", datetime(2023, 7, 31, 19, 0, tzinfo=UTC), "31.7.2023 klo 22.00 (Suomen aika)"),
    ],
)
def test_times_are_finnish_time_and_say_so(lang: str, utc: datetime, shown: str) -> None:
    assert I18n(lang).datetime(utc) == shown


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        (datetime(2023, 7, 31, 21, 30), "1.8.2023"),  # already the next day in Finland
        (datetime(2023, 7, 31, 20, 59), "31.7.2023"),
        (date(2023, 7, 31), "31.7.2023"),  # a date has no time zone
    ],
)
def test_the_date_of_a_stored_time_is_its_finnish_date(utc, shown: str) -> None:
    """A stored time is UTC: its date on the about page is the day it was in Finland (issue 12 item 13)."""
    assert I18n("fi").date(utc) == shown


def test_a_time_in_a_table_is_unlabelled_its_header_says_finnish_time() -> None:
    assert I18n("fi").datetime(datetime(2023, 7, 31, 19, 0), labelled=False) == "31.7.2023 klo 22.00"
    assert format_value(I18n("sv"), "datetime", datetime(2023, 7, 31, 19, 0)) == "31 juli 2023 kl. 22.00"
