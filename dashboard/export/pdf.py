"""The summary deck as PDF (fpdf2): the same slides and layout as the PPTX, one 16:9 page per slide.

fpdf2 is pure Python and embeds a Unicode TrueType font, which Finnish and Swedish text and Babel's
narrow no-break spaces need; Debian's DejaVu Sans (installed with chromium) is used, and without it the
core Helvetica with the few characters it lacks replaced, so a PDF is always produced.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from dashboard import theme
from dashboard.export.deck import (
    BODY,
    CHART,
    FOOTER_Y,
    HEIGHT,
    LEGEND,
    LEGEND_SIZE,
    MARGIN,
    MESSAGE_Y,
    TITLE_Y,
    WIDTH,
    column_widths,
    footer_text,
    metric_boxes,
    metric_size,
    split_value,
)
from dashboard.export.slides import Slide, legend
from dashboard.export.stamp import Stamp
from dashboard.i18n import I18n

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
TEXT, GREY, ACCENT = theme.hex_to_rgb(theme.TEXT), (85, 85, 85), (0, 114, 178)
NUMERIC = ("count", "number", "share")  # column kinds aligned right, so digits line up
SMALLEST = 7  # points: a table or label shrinks to this before fpdf2 would have to break a word
BREAKS = re.compile(r"[ \n\u00ad]+")  # fpdf2 wraps only at spaces and soft hyphens (which print "-")
_LATIN1 = str.maketrans({"\u202f": "\u00a0", "\u2713": "v", "\u2717": "x", "\u2212": "-"})


def _font(pdf: FPDF) -> tuple[str, bool]:
    """Register DejaVu Sans (regular and bold) when installed; return the family and whether it is Unicode."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu", True
    return "Helvetica", False


class _Deck:
    """Write slides onto 16:9 pages in inches, with the PPTX's boxes."""

    def __init__(self) -> None:
        self.pdf = FPDF(orientation="L", unit="in", format=(HEIGHT, WIDTH))
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(MARGIN, MARGIN, MARGIN)
        self.family, self.unicode = _font(self.pdf)

    def text(self, text: str) -> str:
        return text if self.unicode else text.translate(_LATIN1).encode("cp1252", "replace").decode("cp1252")

    def write(self, x: float, y: float, w: float, h: float, text: str, size: float, bold: bool = False,
              colour: tuple[int, int, int] = TEXT, align: str = "L") -> None:  # fmt: skip
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*colour)
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(w, size / 72 * 1.25, self.text(text), align=align, max_line_height=h)

    def widest_word(self, texts: Sequence[str], size: float, bold: bool = False) -> float:
        """Return the width (inches) of the longest piece of ``texts`` that fpdf2 may not break."""
        self.pdf.set_font(self.family, "B" if bold else "", size)
        pieces = [p + "-" if "\u00ad" in t else p for t in texts for p in BREAKS.split(self.text(t)) if p]
        return max((self.pdf.get_string_width(p) for p in pieces), default=0.0)

    def fitting_size(self, texts: Sequence[str], width: float, size: float, bold: bool = False) -> float:
        """Return the largest size up to ``size`` at which no word of ``texts`` is wider than ``width``."""
        room = width - 2 * self.pdf.c_margin
        while size > SMALLEST and self.widest_word(texts, size, bold) > room:
            size -= 0.5
        return size

    def metrics(self, s: Slide) -> None:
        boxes = metric_boxes(len(s.metrics))
        size = metric_size([split_value(m.value)[0] for m in s.metrics], boxes[0].w)
        label_size = self.fitting_size([m.label for m in s.metrics], boxes[0].w, 18)
        for box, m in zip(boxes, s.metrics, strict=True):
            main, share = split_value(m.value)
            self.write(box.x, box.y, box.w, 1.2, main, size, True, ACCENT, "C")
            if share:
                self.write(box.x, box.y + 1.15, box.w, 0.5, share, 24, align="C")
            self.write(box.x, box.y + 1.7, box.w, 0.8, m.label, label_size, align="C")

    def column_widths(self, header: Sequence[str], rows: Sequence[Sequence[str]], size: float) -> list[float]:
        """Return widths (inches) in which no word is broken, or [] when the columns cannot fit BODY.w."""
        pad = 2 * self.pdf.c_margin + 0.02
        least, natural = [], []
        for c, head in enumerate(header):
            cells = [row[c] for row in rows]
            least.append(max(self.widest_word([head], size, True), self.widest_word(cells, size)) + pad)
            self.pdf.set_font(self.family, "", size)
            full = max((self.pdf.get_string_width(self.text(v)) for v in cells), default=0.0)
            self.pdf.set_font(self.family, "B", size)
            natural.append(max(full, self.pdf.get_string_width(self.text(head))) + pad)
        spare = BODY.w - sum(least)
        if spare < 0:
            return []
        want = [n - lo for n, lo in zip(natural, least, strict=True)]
        grow = min(1.0, spare / sum(want)) if sum(want) else 0.0
        widths = [lo + w * grow for lo, w in zip(least, want, strict=True)]
        return [w * BODY.w / sum(widths) for w in widths]  # what is left, shared by every column

    def table(self, s: Slide, tr: I18n) -> None:
        """Draw a slide's table: words whole (the type shrinks first), numbers aligned right."""
        built = s.built
        assert built is not None
        table = built.text_table(tr)
        header, rows = list(table.columns), [list(r) for r in table.iter_rows()]
        align = tuple("RIGHT" if c.kind in NUMERIC else "LEFT" for c in built.columns.values())
        size: float = 14 if len(rows) < 8 else 11 if len(rows) < 14 else 9
        while True:
            widths = self.column_widths(header, rows, size)
            if widths and (self.table_height([header, *rows], widths, size) <= CHART.h or size <= SMALLEST):
                break
            if not widths and size <= SMALLEST:
                widths = column_widths(table, BODY.w, size)  # words may break: nothing narrower fits
                break
            size -= 0.5
        self.draw_table(header, rows, widths, align, size)

    def table_height(self, rows: Sequence[Sequence[str]], widths: Sequence[float], size: float) -> float:
        """Return the height (inches) the table will take: each row as tall as its most wrapped cell."""
        height = 0.0
        for i, row in enumerate(rows):
            self.pdf.set_font(self.family, "B" if i == 0 else "", size)
            lines = max(len(self.pdf.multi_cell(w, 1, self.text(v), dry_run=True, output="LINES"))
                        for w, v in zip(widths, row, strict=True))  # fmt: skip
            height += lines * size / 72 * 1.3
        return height

    def draw_table(self, header, rows, widths, align, size: float) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "", size)
        pdf.set_text_color(*TEXT)
        pdf.set_xy(BODY.x, BODY.y)
        with pdf.table(width=BODY.w, col_widths=widths, line_height=size / 72 * 1.3, text_align=align,
                       first_row_as_headings=True) as out:  # fmt: skip
            for row in [header, *rows]:
                out.row([self.text(v) for v in row])

    def page(self, i: int, n: int, s: Slide, stamp: Stamp, tr: I18n, image: bytes | None) -> None:
        self.pdf.add_page()
        self.write(MARGIN, TITLE_Y, WIDTH - 2 * MARGIN, 0.75, s.title, 32, True)
        self.write(MARGIN, MESSAGE_Y, WIDTH - 2 * MARGIN, 0.7, s.message, 20)
        if s.metrics:
            self.metrics(s)
        elif image is not None:
            self.pdf.image(io.BytesIO(image), x=CHART.x, y=CHART.y, w=CHART.w, h=CHART.h,
                           keep_aspect_ratio=True, alt_text=s.title)  # fmt: skip
        elif s.built is not None:
            self.table(s, tr)
        marks = legend(s, tr, chart=image is not None)
        if marks:
            self.write(LEGEND.x, LEGEND.y, LEGEND.w, LEGEND.h, marks, LEGEND_SIZE)
        self.write(MARGIN, FOOTER_Y, WIDTH - 2 * MARGIN - 1.2, 0.55, footer_text(stamp), 10, colour=GREY)
        self.write(WIDTH - MARGIN - 1.2, FOOTER_Y, 1.2, 0.4, f"{i}/{n}", 12, colour=GREY, align="R")


def word_fitting_size(texts: Sequence[str], width: float, largest: float) -> float:
    """Return the largest size up to ``largest`` at which every word of ``texts`` fits ``width`` inches.

    Measured with the PDF's DejaVu Sans, wider than PowerPoint's Calibri, so the PPTX can use it too.
    """
    deck = _Deck()
    return deck.fitting_size(texts, width + 2 * deck.pdf.c_margin, largest)


def to_pdf(slides: Sequence[Slide], stamp: Stamp, tr: I18n, images: dict[str, bytes]) -> bytes:
    """Return the slides as a PDF with the PPTX's layout (chart images where drawn, else tables)."""
    deck = _Deck()
    deck.pdf.set_title(deck.text(slides[0].title if slides else ""))
    deck.pdf.set_subject(deck.text(stamp.filters))
    deck.pdf.set_lang(tr.lang)
    for i, s in enumerate(slides, start=1):
        deck.page(i, len(slides), s, stamp, tr, images.get(s.key))
    return bytes(deck.pdf.output())
