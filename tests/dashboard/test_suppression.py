"""Small-count privacy in the built figures, on a warehouse where Kittilä has 3 clients."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dashboard.builders import eu_indicators, municipalities, overview, participations, pathways


@pytest.fixture
def whole(small_warehouse: Path, make_view):
    return make_view(small_warehouse)


def visible(values) -> bool:
    """Every shown count is 0 or at least 5 (hidden ones are None)."""
    return all(v is None or v == 0 or v >= 5 for v in values)


def test_whole_project_headline_is_shown_as_it_is(whole) -> None:
    got = {m.label: m.value for m in overview.headline(whole)}
    assert got["Asiakkaat"] == "34"


def test_a_filtered_headline_hides_counts_below_five(small_warehouse, make_view) -> None:
    view = make_view(small_warehouse, municipality="261")
    got = {m.label: m.value for m in overview.headline(view)}
    assert got["Asiakkaat"] == ".." and got["Löysi jatkopolun"] == ".." and got["Ei jatkopolkua"] == ".."
    assert overview.summary(view).startswith("Valinta on niin pieni")


def test_headline_complement_hides_the_other_outcome(small_warehouse, make_view) -> None:
    view = make_view(
        small_warehouse, municipality="678"
    )  # Raahe: 9 progressed, 3 dropped out, total 12 shown
    h = overview.headline_at(view, "2023Q3")
    assert h.n_clients == 12 and h.n_not_progressed is None and h.n_progressed is None


def test_municipality_table_hides_small_cells_their_complements_and_shares(whole) -> None:
    table = municipalities.outcome_table(whole)
    munis = table.filter(pl.col("level") == "municipality")
    kittila = munis.filter(pl.col("label") == "Kittilä").row(0, named=True)
    assert kittila["n_clients"] is None and kittila["n_progressed"] is None and kittila["share"] is None
    for column in ("n_clients", "n_progressed", "n_not_progressed", "n_active"):
        assert visible(munis[column].to_list()), column
    # in each region, a hidden cell never stands alone beside a shown subtotal
    regions = table.filter(pl.col("level") == "region")
    for column in ("n_progressed", "n_not_progressed"):
        for (code,), group in munis.group_by("region_code"):
            subtotal = regions.filter(pl.col("region_code") == code)[column][0]
            if group[column].null_count() == 1:
                assert subtotal is None, (code, column)
    # a municipality whose only non-zero outcome is hidden does not show its total either
    posio = munis.filter(pl.col("label") == "Posio").row(0, named=True)
    assert posio["n_progressed"] is None and posio["n_clients"] is None


def test_whole_project_total_row_is_shown(whole) -> None:
    total = municipalities.outcome_table(whole).filter(pl.col("level") == "project").row(0, named=True)
    assert (total["n_clients"], total["n_progressed"], total["n_not_progressed"]) == (34, 24, 10)


def test_status_table_by_municipality_is_suppressed(whole) -> None:
    table = municipalities.status_table(whole).filter(pl.col("municipality_code") != "")
    assert visible(table["n_at_entry"].to_list()) and visible(table["n_at_exit"].to_list())
    hidden = table.filter(pl.col("n_at_entry").is_null() | pl.col("n_at_exit").is_null())
    assert hidden["change"].null_count() == hidden.height  # a change computed from a hidden count is hidden


def test_sankey_links_below_five_are_hidden(whole) -> None:
    links = pathways.sankey(whole).data
    assert visible(links["n_clients"].to_list())
    hidden = links.filter(pl.col("n_clients").is_null())
    assert hidden.height and hidden["hidden"].all()
    assert all(t.startswith("..") and "piilotettu" in t for t in hidden["text"].to_list())


def test_hidden_sankey_flows_are_one_fixed_sliver_in_a_neutral_colour(whole) -> None:
    built = pathways.sankey(whole)
    links = built.data
    widths = set(links.filter(pl.col("hidden"))["value"].to_list())
    assert len(widths) == 1  # every hidden flow the same width, whatever it holds
    assert widths.pop() < whole.min_cell  # thinner than any flow a shown count can draw
    colours = built.chart.data[0].link.color
    hidden_colours = {c for c, h in zip(colours, links["hidden"].to_list(), strict=True) if h}
    shown_colours = {c for c, h in zip(colours, links["hidden"].to_list(), strict=True) if not h}
    assert len(hidden_colours) == 1 and not hidden_colours & shown_colours


def test_pathways_by_municipality(whole) -> None:
    data = pathways.pathway_by(whole, "municipality_code").data
    for column in ("employment", "education", "dropped_out", "referred_elsewhere", "n_total", "n_progressed"):
        assert visible(data[column].to_list()), column
    assert (
        data.filter(pl.col("n_progressed").is_null())["share"].null_count()
        == data["n_progressed"].null_count()
    )


def test_esf_in_a_filtered_view(small_warehouse, make_view) -> None:
    data = eu_indicators.esf(make_view(small_warehouse, municipality="261")).data
    assert visible(data["n"].to_list())
    for gender in ("n_woman", "n_man", "n_other"):
        assert visible(data[gender].to_list())
    assert data.filter(pl.col("n").is_null())["share"].null_count() == data["n"].null_count()


def indicator_rows(*rows: tuple) -> pl.DataFrame:
    """(key, n, women, men, non-binary) rows of the ESF 2014-2020 table as the masking leaves them."""
    schema = {"key": pl.String, "n": pl.Int64, "n_woman": pl.Int64, "n_man": pl.Int64, "n_other": pl.Int64}
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def test_esf_2014_total_does_not_give_a_hidden_part_away() -> None:
    """The total is CO01 + CO03 + CO05 on the same table: with one part hidden, the smallest other goes."""
    data = indicator_rows(
        ("total_participants", 40, 20, 20, 0),
        ("unemployed", 20, 10, 10, 0),
        ("inactive", 18, None, None, None),
        ("employed", None, None, None, None),
        ("long_term_unemployed", 8, 4, 4, 0),
    )
    got = eu_indicators._complements(data, "ESF2014")
    n = dict(got.select("key", "n").iter_rows())
    assert n == {**n, "inactive": None, "employed": None, "unemployed": 20, "long_term_unemployed": 8}
    women = dict(got.select("key", "n_woman").iter_rows())
    assert women["unemployed"] == 10  # two of three genders' parts hidden already: nothing to add
    one_gender_row = indicator_rows(
        *(r if r[0] != "inactive" else ("inactive", 18, 8, 10, 0) for r in data.rows())
    )
    got = eu_indicators._complements(one_gender_row, "ESF2014")
    assert dict(got.select("key", "n_woman").iter_rows())["inactive"] is None  # 8 < 10: the smaller goes
    assert dict(got.select("key", "n_woman").iter_rows())["unemployed"] == 10
    assert eu_indicators._complements(data, "ESFPLUS2021").equals(data)  # EECO01 counts unknowns too


def test_esf_in_every_municipality_hides_no_part_the_total_gives_away(warehouse, make_view) -> None:
    for municipality in ("261", "614", "678", "977"):
        data = eu_indicators.esf(make_view(warehouse, municipality=municipality)).data
        n = dict(data.select("key", "n").iter_rows())
        parts = [n[k] for k in ("unemployed", "inactive", "employed")]
        assert n["total_participants"] is None or sum(p is None for p in parts) != 1, municipality


def test_participations_are_never_suppressed(small_warehouse, make_view) -> None:
    view = make_view(small_warehouse, municipality="261")
    assert participations.in_range_total(view) == 3  # events, not people


@pytest.mark.parametrize("min_cell", [3, 10])
def test_threshold_is_a_setting(small_warehouse, make_view, monkeypatch, min_cell: int) -> None:
    monkeypatch.setenv("DASHBOARD_MIN_CELL", str(min_cell))
    from dashboard import settings
    from dashboard.i18n import I18n

    view = make_view(small_warehouse, municipality="261")
    view = type(view)(view.filters, I18n("fi", settings.min_cell()), view.choices)
    got = {m.label: m.value for m in overview.headline(view)}
    assert got["Asiakkaat"] == ("3" if min_cell == 3 else "..")


def test_the_status_chart_of_a_three_client_municipality_says_why_it_is_empty(
    small_warehouse, make_view
) -> None:
    built = municipalities.status_change(make_view(small_warehouse, municipality="261", lang="en"))
    values = [v for trace in built.chart.data for v in trace.y]
    if any(values):  # pragma: no cover - the fixture's Kittilä has 3 clients: every count hidden
        pytest.fail(f"expected every count of Kittilä hidden, got {values}")
    assert [a.text for a in built.chart.layout.annotations] == [
        "Nothing to show: this selection's figures are zeros or hidden to protect privacy (..)."
    ]


def test_the_overview_trend_with_every_filter_set_says_why_it_is_empty(warehouse, make_view) -> None:
    """Issue 12 item 7: Kittilä, 18-24, women drew an empty trend on a 0-1 axis with decimals."""
    view = make_view(warehouse, region="21", municipality="261", age_group="18-24", gender="woman")
    built = overview.trend(view)
    assert all(v is None or v == 0 for trace in built.chart.data for v in trace.y)
    assert built.chart.layout.yaxis.tickformat == ",d"
    assert [a.text for a in built.chart.layout.annotations] == [
        "Ei näytettävää: tämän rajauksen luvut ovat nollia tai piilotettu tietosuojan vuoksi (..)."
    ]
