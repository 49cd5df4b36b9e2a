"""Exports on the demo warehouse: the stamp, chart images, decks and workbooks with the page's numbers."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation
from pypdf import PdfReader

from dashboard.builders import eu_indicators, municipalities, overview
from dashboard.export import images as export_images
from dashboard.export import slides as export_slides
from dashboard.export import summary
from dashboard.export.stamp import stamp
from dashboard.i18n import TIMEZONE

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=TIMEZONE)  # noon in Finland
SPACES = re.compile(r"[\u00a0\u202f ]+")


def flat(text: str) -> str:
    """Fold the no-break spaces Babel puts in numbers and before % into plain spaces."""
    return SPACES.sub(" ", text)


@pytest.fixture
def view(warehouse, make_view):
    return make_view(warehouse)


def test_stamp_states_every_filter_by_name(warehouse, make_view) -> None:
    s = stamp(make_view(warehouse, municipality="678", gender="woman"), now=NOW)
    assert (
        s.filters == "Rajaukset: Hanke: VALPAS 2 · Kunta: Raahe · Vuosineljännes: 2023Q3 · Sukupuoli: Nainen"
    )
    assert s.data_date == "Tilanne 30.9.2023 (2023Q3)"
    assert s.source.startswith("Lähde: VALPAS 2 -hankkeen") and "Esittelyaineisto" in s.source
    assert s.exported_at == "Viety 1.12.2026 klo 12.00 (Suomen aika)"


def test_stamp_follows_the_language_and_the_range(warehouse, make_view) -> None:
    s = stamp(
        make_view(warehouse, lang="sv", municipality="678", quarter_from="2023Q1"), with_range=True, now=NOW
    )
    assert s.filters == "Avgränsningar: Projekt: VALPAS 2 · Kommun: Brahestad · Kvartal: 2023Q1–2023Q3"
    assert "Demodata" in s.source


def test_stamped_figure_carries_title_filters_and_date(view) -> None:
    b = municipalities.outcomes(view)
    fig = export_images.stamped(b.chart, b.title, stamp(view, now=NOW))
    assert b.title in fig.layout.title.text
    assert "Rajaukset: Hanke: VALPAS 2" in fig.layout.title.subtitle.text
    assert "Tilanne 30.9.2023 (2023Q3)" in fig.layout.title.subtitle.text
    assert (fig.layout.width, fig.layout.height) == (export_images.WIDTH, export_images.HEIGHT)
    assert b.chart.layout.title.text is None  # the page's chart is left as it was


@pytest.mark.slow
def test_chart_images_are_presentation_size_with_the_stamp(view) -> None:
    if export_images.browser_path() is None:
        pytest.skip("chromium is not installed: run `make browser`")
    b = municipalities.outcomes(view)
    png = export_images.chart_image(b.chart, b.title, stamp(view, now=NOW), "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1920, 1080)
    svg = export_images.chart_image(b.chart, b.title, stamp(view, now=NOW), "svg").decode("utf-8")
    assert "Rajaukset: Hanke: VALPAS 2" in svg and "Tilanne 30.9.2023" in svg and b.title in svg


def _pptx_text(data: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(data))
    slides = []
    for slide in deck.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        texts += [cell.text for shape in slide.shapes if shape.has_table for row in shape.table.rows
                  for cell in row.cells]  # fmt: skip
        slides.append("\n".join(texts))
    return slides


@pytest.mark.slow
def test_deck_numbers_are_the_pages_numbers(view) -> None:
    shown = {m.label: m.value for m in overview.headline(view)}
    slides = _pptx_text(summary(view, "pptx", now=NOW).data)
    assert len(slides) == 7
    first = slides[0]
    for label, value in shown.items():  # 128, 4, 84 (66 %), 44 (34 %), 1 259 as the overview shows them
        main, _, share = value.partition(" (")
        assert label in first and main in first and (not share or f"({share}" in first)
    assert overview.summary(view) in first
    assert all("Rajaukset: Hanke: VALPAS 2 · Vuosineljännes: 2023Q3" in s for s in slides)
    assert all(
        "Tilanne 30.9.2023 (2023Q3)" in s and "Viety 1.12.2026 klo 12.00 (Suomen aika)" in s for s in slides
    )
    assert "CO01" in slides[4] and "70" in slides[4] and "CR04" not in slides[4]  # outputs, then results
    assert "CR04" in slides[5] and "23" in slides[5] and "CO01" not in slides[5]
    esf = export_slides.slides(view)[4].built.text_table(view.tr)
    assert esf["Osuus"].to_list()[0] in slides[4]


@pytest.mark.slow
def test_pdf_has_the_same_slides(view) -> None:
    reader = PdfReader(io.BytesIO(summary(view, "pdf", now=NOW).data))
    pages = [flat(p.extract_text()) for p in reader.pages]
    assert len(pages) == 7
    assert all(n in pages[0] for n in ("128", "84", "(66 %)", "44", "1 259", "Asiakkaat", "Osallistumiset"))
    assert "84 asiakasta 128:sta (66 %) löysi jatkopolun." in pages[0]
    assert all("Rajaukset: Hanke: VALPAS 2" in p and "Tilanne 30.9.2023 (2023Q3)" in p for p in pages)
    assert "CO01" in pages[4] and "CR04" in pages[5] and "EECR04" not in pages[5]


def _sheet_rows(ws) -> dict[str, list]:
    return {
        row[0]: list(row[1:]) for row in ws.iter_rows(values_only=True) if row and isinstance(row[0], str)
    }


def test_workbook_cells_are_the_pages_numbers(view) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(summary(view, "xlsx", now=NOW).data))
    headline = _sheet_rows(wb["Pääluvut"])
    assert headline["Asiakkaat"][0] == 128 and headline["Osallistumiset"][0] == 1259
    assert headline["Löysi jatkopolun"][:2] == [84, pytest.approx(84 / 128)]
    assert headline["Ei jatkopolkua"][0] == 44
    assert wb["Pääluvut"]["A2"].value == "Rajaukset: Hanke: VALPAS 2 · Vuosineljännes: 2023Q3"
    table = municipalities.outcomes(view).data
    rows = _sheet_rows(wb.worksheets[1])
    for label, n, progressed, share in table.select(
        "label", "n_clients", "n_progressed", "share"
    ).iter_rows():
        assert rows[label][:3] == [n, progressed, pytest.approx(share)]


def test_suppressed_cells_stay_suppressed(small_warehouse, make_view) -> None:
    view = make_view(small_warehouse)
    wb = openpyxl.load_workbook(io.BytesIO(summary(view, "xlsx", now=NOW).data))
    kittila = _sheet_rows(wb.worksheets[1])["Kittilä"]
    assert kittila[0] == ".."  # 3 clients in a municipality: hidden, as on the page
    csv_text = summary(view, "csv", now=NOW).data.decode("utf-8-sig")
    assert "Kittilä;..;" in csv_text


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard.export", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)  # fmt: skip


def test_cli_writes_a_workbook_quietly(warehouse, tmp_path: Path) -> None:
    out = tmp_path / "valpas.xlsx"
    done = run_cli("--db", str(warehouse), "--project", "VALPAS2", "--municipality", "678",
                   "--quarter", "2023Q2", "--lang", "en", "--format", "xlsx", "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no Streamlit "no runtime" notices
    assert done.stdout.startswith(f"Wrote {out} (xlsx,")
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws["A2"].value == "Filters: Project: VALPAS 2 · Municipality: Raahe · Quarter: 2023Q2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--municipality", "999"), "Tuntematon arvo --municipality 999. Vaihtoehdot: 261, 614, 678, 977"),
        (("--quarter", "2099Q1"), "Tuntematon arvo --quarter 2099Q1"),
        (("--project", "NOPE"), "Tuntematon arvo --project NOPE"),
    ],
)
def test_cli_rejects_bad_values_with_exit_2(warehouse, tmp_path: Path, args, message: str) -> None:
    base = {"--project": "VALPAS2"} | dict(zip(args[::2], args[1::2], strict=True))
    flat_args = [x for kv in base.items() for x in kv]
    done = run_cli("--db", str(warehouse), *flat_args, "--format", "csv", "--out", str(tmp_path / "x.csv"))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.csv").exists()


def test_cli_reports_a_missing_warehouse_and_bad_options(tmp_path: Path) -> None:
    done = run_cli("--db", str(tmp_path / "none.duckdb"), "--project", "VALPAS2", "--format", "pdf",
                   "--out", str(tmp_path / "x.pdf"))  # fmt: skip
    assert done.returncode == 2 and "Tietovarastoa ei löydy" in done.stderr and "Traceback" not in done.stderr
    done = run_cli("--db", "x", "--project", "VALPAS2", "--format", "docx", "--out", "x.docx")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "Tuntematon arvo --format docx. Vaihtoehdot: csv, pdf, pptx, xlsx" in done.stderr


@pytest.fixture(autouse=True, scope="module")
def _close_the_image_browser():
    """Stop the background chromium that the image tests started, when this module is done."""
    yield
    export_images.close()


def test_the_two_indicator_slides_show_a_hall_cut_and_the_workbook_the_whole_table(view) -> None:
    slides = {s.key: s for s in export_slides.slides(view)}
    outputs, results = slides["esf_output"].built, slides["esf_result"].built
    assert outputs is not None and results is not None
    assert set(outputs.data["kind"]) == {"output"} and set(results.data["kind"]) == {"result"}
    assert list(outputs.columns) == list(results.columns) == ["code", "label", "n", "base", "share"]
    whole = eu_indicators.esf(view)
    assert outputs.data.height + results.data.height == whole.data.height
    wb = openpyxl.load_workbook(io.BytesIO(summary(view, "xlsx", now=NOW).data))
    sheets = [ws for ws in wb.worksheets if ws.title.startswith("EU")]
    assert len(sheets) == 1  # one sheet for both slides, with the gender columns the slides leave out
    rows = [row for row in sheets[0].iter_rows(values_only=True) if row and row[0] in ("CO01", "CR04")]
    headers = next(r for r in sheets[0].iter_rows(values_only=True) if r and r[0] == "Koodi")
    assert "Naiset" in headers and "Miehet" in headers and [r[0] for r in rows] == ["CO01", "CR04"]
