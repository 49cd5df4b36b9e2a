"""The marks a slide shows ('..', '*', interval whiskers) are explained on the slide (issue 12 item 14).

On the PPTX and PDF slide (not only in the notes) and in presenter mode, in the reader's language, and
only the marks that slide shows: a chart's whiskers and '*', a table's or chart's hidden '..'.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from dashboard import settings
from dashboard.export import deck as export_deck
from dashboard.export import pdf as export_pdf
from dashboard.export import slides as export_slides
from dashboard.export.stamp import stamp
from dashboard.i18n import I18n

LANGS = ["fi", "sv", "en"]


def _png() -> bytes:
    """Return a real 2x2 white PNG, standing in for a chart image where no browser is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))  # fmt: skip


def _texts(lang: str) -> dict[str, str]:
    tr = I18n(lang)
    return {
        "whisker": tr.t("present.legend.whisker"),
        "small_n": tr.t("present.legend.small_n", mark="*", small_n=settings.small_n()),
        "hidden": tr.t("present.legend.hidden", mark=tr.t("privacy.mark")),
    }


def _by_key(view) -> dict[str, export_slides.Slide]:
    return {s.key: s for s in export_slides.slides(view)}


@pytest.mark.parametrize("lang", LANGS)
def test_the_municipality_chart_explains_its_whiskers_and_stars(warehouse, make_view, lang: str) -> None:
    view = make_view(warehouse, lang=lang)
    slides = _by_key(view)
    texts = _texts(lang)
    chart = export_slides.legend(slides["municipalities"], view.tr, chart=True)
    assert texts["whisker"] in chart and texts["small_n"] in chart  # every municipality is under 30
    assert texts["hidden"] not in chart  # the whole project's chart hides nothing
    table = export_slides.legend(slides["municipalities"], view.tr, chart=False)
    assert texts["whisker"] not in table and texts["small_n"] not in table  # the table says it in words
    assert export_slides.legend(slides["headline"], view.tr, chart=False) == ""
    assert export_slides.legend(slides["participations"], view.tr, chart=True) == ""


def test_a_filtered_view_explains_the_hidden_mark(warehouse, make_view) -> None:
    view = make_view(warehouse, age_group="15-17")
    texts = _texts("fi")
    for key in ("municipalities", "pathways", "esf_output", "esf_result"):
        assert texts["hidden"] in export_slides.legend(_by_key(view)[key], view.tr, chart=False), key


def _pptx_slides(data: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(data))
    return [
        "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame) for slide in deck.slides
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_the_pptx_and_pdf_slides_carry_the_legend(warehouse, make_view, lang: str) -> None:
    view = make_view(warehouse, lang=lang)
    slides = export_slides.slides(view)
    images = {s.key: _png() for s in slides if s.built is not None and s.built.chart is not None}
    texts = _texts(lang)
    pptx = _pptx_slides(export_deck.to_pptx(slides, stamp(view), view.tr, images))
    pdf = [p.extract_text() for p in PdfReader(io.BytesIO(export_pdf.to_pdf(slides, stamp(view), view.tr,
                                                                              images))).pages]  # fmt: skip
    for pages in (pptx, [" ".join(p.split()) for p in pdf]):
        assert texts["whisker"] in pages[1] and texts["small_n"] in pages[1]  # on the slide, not the notes
        assert texts["whisker"] not in pages[0] and texts["whisker"] not in pages[2]


PRESENT = {"present": "1"}


@pytest.mark.parametrize("lang", LANGS)
def test_presenter_mode_shows_the_legend_under_the_chart(app, warehouse: Path, lang: str) -> None:
    texts = _texts(lang)
    at = app(warehouse, lang=lang, slide="2", **PRESENT)
    legends = [h.proto.body for h in at.get("html") if 'class="present-legend"' in h.proto.body]
    assert len(legends) == 1
    assert texts["whisker"] in legends[0] and texts["small_n"] in legends[0]
    at = app(warehouse, lang=lang, slide="3", **PRESENT)  # participations: no mark, no legend
    assert not [h for h in at.get("html") if 'class="present-legend"' in h.proto.body]
