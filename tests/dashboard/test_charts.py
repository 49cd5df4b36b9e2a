"""Charts are pure: a frame in, a figure out; a hidden value shows only as its text."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts, theme


def test_bars_show_hidden_values_as_text_only() -> None:
    df = pl.DataFrame({"category": ["Kittilä", "Raahe"], "value": [None, 12], "text": ["..", "12"]})
    fig = charts.bars(df, horizontal=True)
    bar = fig.data[0]
    assert isinstance(fig, go.Figure)
    assert list(bar.x) == [0, 12] and list(bar.text) == ["..", "12"]


def test_client_trend_marks_hidden_quarters() -> None:
    df = pl.DataFrame(
        {
            "quarter": ["2020Q1", "2020Q2"],
            "n_active": [None, 9],
            "n_active_text": ["..", "9"],
            "n_new": [None, 5],
            "n_new_text": ["..", "5"],
        }
    )
    fig = charts.client_trend(df, labels={"n_active": "Mukana", "n_new": "Aloittaneet"}, value_title="x")
    _line, bars, marks = fig.data
    assert list(bars.texttemplate) == ["..", ""]  # only the hidden bar is labelled
    assert list(marks.x) == ["2020Q1"] and list(marks.text) == [
        ".."
    ]  # a hollow marker where the line is hidden


def test_share_intervals_draws_whiskers_from_the_bounds() -> None:
    df = pl.DataFrame(
        {
            "label": ["Raahe", "Yhteensä"],
            "share": [0.5, None],
            "share_low": [0.3, None],
            "share_high": [0.7, None],
            "text": ["50,0 %", ".."],
            "level": ["municipality", "project"],
        }
    )
    fig = charts.share_intervals(df)
    muni = fig.data[0]
    assert list(muni.error_x.array) == pytest.approx([0.2]) and list(
        muni.error_x.arrayminus
    ) == pytest.approx([0.2])
    assert fig.data[1].marker.size == (0,)  # a hidden share has no point


def test_cumulative_draws_the_reference_line() -> None:
    df = pl.DataFrame(
        {"quarter": ["2020Q1", "2020Q2"], "n_participations": [51, 94], "cumulative": [51, 145]}
    )
    fig = charts.cumulative(
        df,
        reference=1259,
        reference_label="Tavoite 1 259",
        labels={"n_participations": "a", "cumulative": "b"},
        value_title="x",
    )
    assert fig.layout.shapes[0].y0 == 1259


def test_sankey_links() -> None:
    links = pl.DataFrame({"source": [0], "target": [1], "value": [2.5], "text": [".."]})
    fig = charts.sankey(["A", "B"], [theme.GREY, theme.BLUE], links)
    assert list(fig.data[0].link.customdata) == [".."]


def test_palette_graphics_reach_three_to_one_contrast() -> None:
    assert all(theme.contrast(c) >= 3 for c in theme.PALETTE[:5])
    assert theme.contrast(theme.PRIMARY) >= 4.5 and theme.contrast(theme.TEXT) >= 4.5


def test_a_count_axis_has_whole_number_ticks() -> None:
    df = pl.DataFrame({"category": ["a", "b"], "series": ["s", "s"], "value": [1, 0], "text": ["1", "0"]})
    fig = charts.bars(df)
    assert fig.layout.yaxis.tickformat == ",d" and fig.layout.yaxis.dtick == 1
    shares = df.with_columns(pl.col("value").cast(pl.Float64) / 3)
    assert charts.bars(shares).layout.yaxis.tickformat is None  # not counts: plotly's own ticks


def test_an_empty_chart_says_why_in_words() -> None:
    hidden = pl.DataFrame(
        {"category": ["a", "b"], "series": ["s", "s"], "value": [None, 0], "text": ["..", "0"]},
        schema_overrides={"value": pl.Int64},
    )
    fig = charts.bars(hidden, empty="Nothing to show")
    assert [a.text for a in fig.layout.annotations] == ["Nothing to show"]
    drawn = hidden.with_columns(pl.Series("value", [3, 0]))
    assert not charts.bars(drawn, empty="Nothing to show").layout.annotations


def test_a_count_axis_of_nothing_shown_still_has_whole_number_ticks() -> None:
    """Every count hidden: plotly's own axis for all-zero bars reads "0, 0.2, ... 1" clients."""
    hidden = pl.DataFrame(
        {"category": ["a", "b"], "series": ["s", "s"], "value": [None, None], "text": ["..", ".."]},
        schema_overrides={"value": pl.Int64},
    )
    axis = charts.bars(hidden).layout.yaxis
    assert axis.tickformat == ",d" and axis.dtick == 1


TREND = ("n_active", "n_new", "n_ended_in_quarter")
LABELS = {"n_active": "Active", "n_new": "New", "n_ended_in_quarter": "Ended"}


def trend_frame(values: list[int | None]) -> pl.DataFrame:
    texts = [".." if v is None else str(v) for v in values]
    quarters = [f"2023Q{i + 1}" for i in range(len(values))]
    cols = {"quarter": quarters}
    for key in TREND:
        cols |= {key: values, f"{key}_text": texts}
    return pl.DataFrame(cols, schema_overrides=dict.fromkeys(TREND, pl.Int64))


def trend(values: list[int | None]) -> go.Figure:
    return charts.client_trend(trend_frame(values), labels=LABELS, value_title="Clients", empty="Nothing")


def test_the_client_trend_counts_in_whole_numbers_and_says_when_it_is_empty() -> None:
    """Issue 12 item 7 on the overview's trend: every filter set, it was an empty 0-1 axis with decimals."""
    fig = trend([None, 0, None])
    assert fig.layout.yaxis.tickformat == ",d" and fig.layout.yaxis.dtick == 1
    assert [a.text for a in fig.layout.annotations] == ["Nothing"]
    drawn = trend([40, 0, 7])
    assert drawn.layout.yaxis.tickformat == ",d" and drawn.layout.yaxis.dtick is None  # 0..40: plotly's steps
    assert not drawn.layout.annotations
