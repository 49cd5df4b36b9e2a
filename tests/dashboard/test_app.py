"""The app as a reader uses it (AppTest): every page, filters, links, languages and small-count privacy."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

PAGES = {
    "views/overview.py": "Yleiskatsaus",
    "views/municipalities.py": "Kuntavertailu",
    "views/participations.py": "Ammattilaisten osallistumiset",
    "views/pathways.py": "Jatkopolut",
    "views/about.py": "Tietoa aineistosta",
}
NBSP = "\u00a0"  # before "%"
THIN = "\u202f"  # Finnish thousands


ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # st.table reads a cell as Markdown: text comes escaped


def shown(value: object) -> str:
    """Return a displayed cell as the reader sees it (its Markdown escapes and word joiners gone)."""
    return ESCAPED.sub(r"\1", str(value)).replace("\u2060", "")


def shown_tables(at) -> list[list[list[str]]]:
    """Return every table as the reader sees it: the formatted display values, row by row."""
    out = []
    for frame in at.dataframe:
        styler = frame.proto.arrow_data.styler
        table = pa.ipc.open_stream(styler.display_values).read_all().to_pandas()
        out.append([[str(v) for v in row] for row in table.itertuples(index=False)])
    for t in at.table:  # a plain frame of formatted text (ui.table), or a Styler's display values (turned)
        if not t.proto.HasField("arrow_data"):
            continue
        styler = t.proto.arrow_data.styler
        data = styler.display_values if styler and styler.display_values else t.proto.arrow_data.data
        table = pa.ipc.open_stream(data).read_all().to_pandas()
        out.append([[shown(v) for v in row] for row in table.itertuples(index=False)])
    return out


def cells(at) -> set[str]:
    return {cell for table in shown_tables(at) for row in table for cell in row}


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize(("page", "title"), PAGES.items())
def test_every_page_renders_on_the_demo(app, warehouse: Path, page: str, title: str) -> None:
    at = app(warehouse, page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == title
    assert any("Esittelyaineisto" in i.value for i in at.info), "the demo notice shows on every page"
    assert not {"None", "nan", "NaT", "-999999"} & cells(at), "a missing value must read .., – or blank"


def test_overview_shows_the_published_figures_computed(app, warehouse: Path) -> None:
    at = app(warehouse)
    got = metrics(at)
    assert got["Asiakkaat"] == "128" and got["Löysi jatkopolun"] == f"84 (66{NBSP}%)"
    assert got["Ei jatkopolkua"] == f"44 (34{NBSP}%)" and got["Osallistumiset"] == f"1{THIN}259"
    assert any("84 asiakasta 128:sta" in m.value for m in at.markdown)
    assert at.query_params == {"lang": "fi", "project": "VALPAS2", "quarter": "2023Q3"}


def test_pages_show_their_figures(app, warehouse: Path) -> None:
    at = app(warehouse, "views/municipalities.py")
    assert {"Raahe", "128", "84", f"65,6{NBSP}%"} <= cells(at)
    at.switch_page("views/participations.py").run()
    assert metrics(at)["Osallistumiskertoja"] == f"1{THIN}259"
    at.switch_page("views/pathways.py").run()
    assert {"CO01", "CO03", "CR01", "CR04", "70", "45"} <= cells(at)
    at.switch_page("views/about.py").run()
    assert {"✗ Eroaa", f"64{NBSP}%", f"65,6{NBSP}%"} <= cells(at)


def test_choosing_a_municipality_changes_the_numbers_and_the_link(app, warehouse: Path) -> None:
    at = app(warehouse)
    at.selectbox(key="w_municipality").set_value("678").run()
    assert metrics(at)["Asiakkaat"] == "40"
    assert at.query_params["municipality"] == "678"
    at.switch_page("views/municipalities.py").run()  # the filter follows to another page, and into its URL
    assert at.query_params["municipality"] == "678"
    assert "Raahe" in at.caption[0].value


def test_a_copied_link_reopens_the_same_view(app, warehouse: Path) -> None:
    query = {"lang": "sv", "project": "VALPAS2", "municipality": "977", "quarter": "2023Q2", "gender": "man"}
    at = app(warehouse, "views/pathways.py", **query)
    assert not at.exception and not at.warning
    assert at.query_params == query
    assert at.selectbox(key="w_municipality").value == "977"
    assert at.select_slider(key="w_quarter").value == "2023Q2"
    assert at.title[0].value == "Fortsatta vägar"


def test_invalid_link_values_fall_back_with_a_notice(app, warehouse: Path) -> None:
    at = app(warehouse, municipality="999", quarter="2099Q1", lang="xx", age="old")
    assert not at.exception
    notices = [w.value for w in at.warning]
    assert len(notices) == 4
    assert "lang=xx" in notices[0] and "municipality=999" in notices[1] and "age=old" in notices[3]
    assert at.query_params == {"lang": "fi", "project": "VALPAS2", "quarter": "2023Q3"}
    assert metrics(at)["Asiakkaat"] == "128"


def test_quarter_range_on_the_participations_page(app, warehouse: Path) -> None:
    at = app(warehouse, "views/participations.py", **{"from": "2023Q1", "quarter": "2023Q2"})
    assert at.select_slider(key="w_range").value == ("2023Q1", "2023Q2")
    assert int(metrics(at)["Osallistumiskertoja"].replace(THIN, "")) < 1259
    assert at.query_params["from"] == "2023Q1"


def test_a_long_event_list_shows_its_first_rows_and_says_how_many_there_are(
    app, warehouse: Path, monkeypatch
) -> None:
    from dashboard import ui

    monkeypatch.setattr(ui, "MAX_SHOWN", 10)  # the demo's 70 events stand in for 70 000
    at = app(warehouse, "views/participations.py")
    assert not at.exception, [e.value for e in at.exception]
    assert metrics(at)["Tapahtumia"] == "70"
    assert any("10 ensimmäistä riviä (kaikkiaan 70)" in c.value for c in at.caption)
    assert max(len(t) for t in shown_tables(at)) == 10
    assert len(at.selectbox(key="event").options) == 10


@pytest.mark.parametrize(
    ("lang", "title", "label"),
    [("sv", "Kommunjämförelse", "Brahestad"), ("en", "Municipality comparison", "Raahe")],
)
def test_pages_in_swedish_and_english(app, warehouse: Path, lang: str, title: str, label: str) -> None:
    at = app(warehouse, "views/municipalities.py", lang=lang)
    assert at.title[0].value == title
    assert label in cells(at)
    at.switch_page("views/overview.py").run()
    assert ("Klienter" if lang == "sv" else "Clients") in metrics(at)


def test_language_switch_keeps_the_filters(app, warehouse: Path) -> None:
    at = app(warehouse, municipality="678")
    at.segmented_control(key="w_lang").set_value("en").run()
    assert at.title[0].value == "Overview" and at.query_params["municipality"] == "678"
    assert metrics(at)["Clients"] == "40"


def test_project_with_published_figures_only(app, warehouse: Path) -> None:
    at = app(warehouse, project="YHDESSA")
    assert not at.exception
    values = set(metrics(at).values())
    assert {"200", f"52{NBSP}%"} <= values
    assert all("julkaistu" in label for label in metrics(at))


def test_small_counts_show_as_below_five(app, small_warehouse: Path) -> None:
    at = app(small_warehouse, municipality="261")  # Kittilä has 3 clients
    assert not at.exception
    assert metrics(at)["Asiakkaat"] == ".."
    assert not any("Esittelyaineisto" in i.value for i in at.info), "no demo notice on real data"
    at.switch_page("views/municipalities.py").run()
    rows = {row[0]: row for row in shown_tables(at)[0]}
    assert rows["Kittilä"][1] == ".." and rows["Kittilä"][3] == "–"  # count hidden, its share too


def test_whole_project_small_categories_are_shown_as_published(app, warehouse: Path) -> None:
    at = app(warehouse, "views/pathways.py")
    pathway_rows = {row[0].strip(): row[1] for row in shown_tables(at)[1]}
    assert pathway_rows["Muu jatkopolku"] == "3"


def test_filtered_view_is_a_breakdown(app, warehouse: Path) -> None:
    at = app(warehouse, "views/pathways.py", municipality="261")
    pathway_rows = {row[0].strip(): row[1] for row in shown_tables(at)[1]}
    assert ".." in pathway_rows.values()
    assert all(v == ".." or v == "0" or int(v) >= 5 for v in pathway_rows.values())


def test_missing_warehouse_is_explained(app, tmp_path: Path) -> None:
    at = app(tmp_path / "nowhere.duckdb")
    assert not at.exception
    assert "make demo" in at.error[0].value


def test_moving_the_quarter_range_keeps_it(app, warehouse: Path) -> None:
    at = app(warehouse, "views/participations.py")
    first = at.select_slider(key="w_range").value
    at.select_slider(key="w_range").set_value(("2021Q1", "2022Q4")).run()
    assert first != ("2021Q1", "2022Q4")
    assert at.select_slider(key="w_range").value == ("2021Q1", "2022Q4")
    assert at.query_params["from"] == "2021Q1" and at.query_params["quarter"] == "2022Q4"
    at.run()  # a second rerun (as the browser's URL write makes) keeps it too
    assert at.select_slider(key="w_range").value == ("2021Q1", "2022Q4")


@pytest.mark.parametrize(("lang", "source"), [("fi", "loppuraportin tiivistelmä"), ("sv", "Sammanfattning")])
def test_the_source_document_is_named_in_the_readers_language(app, warehouse: Path, lang, source) -> None:
    at = app(warehouse, "views/about.py", lang=lang)
    shown = cells(at)
    assert any(source in c for c in shown), "the source column is translated"
    assert "VALPAS 2 final report summary" not in shown


def test_the_about_page_lists_every_query_with_the_tables_it_reads(app, warehouse: Path) -> None:
    """Issue 14: the query named under a figure's table is found on *Tietoa aineistosta* with its tables."""
    from dashboard import db
    from dashboard.i18n import I18n

    at = app(warehouse, "views/about.py")
    assert not at.exception
    assert I18n("fi").t("about.queries_title") in [h.value for h in at.header]
    listed = {
        shown(row[0]): shown(row[1])
        for table in shown_tables(at)
        for row in table
        if len(row) == 2 and shown(row[0]) in db.query_files()
    }
    assert listed == {name: ", ".join(db.reads(name)) for name in db.query_files()}
    assert listed["client_profiles"] == "marts.client_counts"
