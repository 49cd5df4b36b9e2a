"""The PDF deck's layout, read back from the PDF: no word broken across lines, numbers aligned right.

Charts are left out (``images={}``), so every chart slide shows its table: the widest tables the PDF
can get, and no browser is needed. Positions come from pypdf's text visitor; widths from fpdf2's own
metrics of the embedded DejaVu Sans, so a right edge is where the glyphs really end.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from dashboard.export import deck as export_deck
from dashboard.export import pdf as export_pdf
from dashboard.export import slides as export_slides
from dashboard.export.stamp import stamp

NUMERIC = ("count", "number", "share")  # the column kinds that hold numbers

SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _words(text: str) -> list[str]:
    return [w for w in SPACES.split(text.replace("\u00ad", "")) if w]


def _flat(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def _deck(view) -> tuple[list[export_slides.Slide], PdfReader]:
    slides = export_slides.slides(view)
    data = export_pdf.to_pdf(slides, stamp(view), view.tr, images={})
    return slides, PdfReader(io.BytesIO(data))


def _measure() -> FPDF | None:
    pdf = FPDF(unit="pt")
    _, unicode = export_pdf._font(pdf)
    return pdf if unicode else None


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_no_label_word_is_split_across_lines(warehouse, make_view, lang: str) -> None:
    view = make_view(warehouse, lang=lang)
    slides, reader = _deck(view)
    assert len(reader.pages) == len(slides)
    checked = 0
    for s, page in zip(slides, reader.pages, strict=True):
        # a line ending in "-" may be a soft hyphen's break (fpdf2 breaks at no other hyphen): join it
        text = page.extract_text()  # "työ- tai" may also wrap after its hyphen: keep both readings
        tokens = set(_words(text.replace("-\n", ""))) | set(_words(text))
        labels = [m.label for m in s.metrics]
        if s.built is not None and not s.metrics:
            table = s.built.text_table(view.tr)
            text_columns = [h for h, c in zip(table.columns, s.built.columns.values(), strict=True)
                            if c.kind not in NUMERIC]  # fmt: skip
            labels += list(table.columns) + [v for h in text_columns for v in table[h].to_list()]
        for label in labels:
            for word in _words(label):
                assert word in tokens, f"slide {s.key}: {word!r} of {label!r} is broken across lines"
                checked += 1
    assert checked > 100  # the headline labels and every table's headers and text cells were read


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_number_columns_are_right_aligned(warehouse, make_view, lang: str) -> None:
    measure = _measure()
    if measure is None:
        pytest.skip("DejaVu Sans is not installed: the PDF falls back to Helvetica")
    view = make_view(warehouse, lang=lang)
    slides, reader = _deck(view)
    aligned = 0
    for s, page in zip(slides, reader.pages, strict=True):
        if s.built is None or s.metrics:
            continue
        kinds = [c.kind for c in s.built.columns.values()]
        lines: dict[float, list[tuple[float, str, float]]] = defaultdict(list)

        def visit(text, cm, tm, font, size, lines=lines) -> None:
            if text.strip():
                lines[round(cm[3] * tm[5] + cm[5], 1)].append((cm[0] * tm[4] + cm[4], text.strip(), size))

        page.extract_text(visitor_text=visit)
        by_text = {tuple(_flat(t) for _, t, _ in items): items for items in lines.values()}
        rows = []  # (column, x, text, size) of every table row drawn on one line
        for row in s.built.text_table(view.tr).iter_rows():
            items = by_text.get(tuple(_flat(v) for v in row if v))
            if items:
                cols = [c for c, v in enumerate(row) if v]
                rows.append([(c, *item) for c, item in zip(cols, items, strict=True)])
        if len(rows) < 3:  # rows of long text wrap (the projects table): checked where it can be
            continue
        for c, kind in enumerate(kinds):
            if kind not in NUMERIC:
                continue
            edges, starts = [], set()
            for _, x, text, size in (cell for row in rows for cell in row if cell[0] == c):
                measure.set_font("DejaVu", "", size)
                edges.append(x + measure.get_string_width(text))
                starts.add(round(x, 1))
            assert max(edges) - min(edges) < 0.5, f"slide {s.key}, column {c}: right edges {edges}"
            aligned += len(starts) > 1  # cells of different widths, yet one right edge
    assert aligned >= 3


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_pptx_headline_labels_fit_their_boxes_word_by_word(warehouse, make_view, lang: str) -> None:
    measure = _measure()
    if measure is None:
        pytest.skip("DejaVu Sans is not installed: nothing to measure the words with")
    from pptx import Presentation
    from pptx.util import Emu

    view = make_view(warehouse, lang=lang)
    slides = export_slides.slides(view)
    deck = Presentation(io.BytesIO(export_deck.to_pptx(slides, stamp(view), view.tr, images={})))
    labels = {m.label for m in slides[0].metrics}
    checked = 0
    for shape in deck.slides[0].shapes:
        if not shape.has_text_frame or shape.text_frame.text not in labels:
            continue
        run = shape.text_frame.paragraphs[0].runs[0]
        room = Emu(shape.width).pt - 2 * 7.2  # the text box's 0.1 in insets
        measure.set_font("DejaVu", "", run.font.size.pt)  # wider than PowerPoint's Calibri
        for word in SPACES.split(shape.text_frame.text):  # a soft hyphen may break it, printing "-"
            parts = word.split("\u00ad")
            for piece in [p + "-" for p in parts[:-1]] + parts[-1:]:
                assert measure.get_string_width(piece) <= room, f"{piece!r} at {run.font.size.pt} pt"
                checked += 1
    assert checked >= len(labels)
