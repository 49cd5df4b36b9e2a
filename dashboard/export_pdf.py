"""The summary deck as PDF (fpdf2): the same slides and layout as the PPTX, one 16:9 page per slide.

fpdf2 is pure Python and embeds a Unicode TrueType font, which Finnish and Swedish text and Babel's
narrow no-break spaces need; Debian's DejaVu Sans (installed with chromium) is used, and without it the
core Helvetica with the few characters it lacks replaced, so a PDF is always produced.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from dashboard.export_deck import (
    BODY,
    FOOTER_Y,
    HEIGHT,
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
from dashboard.export_slides import Slide
from dashboard.export_stamp import Stamp
from dashboard.i18n import I18n

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
TEXT, GREY, ACCENT = (17, 17, 17), (85, 85, 85), (0, 114, 178)
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

    def metrics(self, s: Slide) -> None:
        boxes = metric_boxes(len(s.metrics))
        size = metric_size([split_value(m.value)[0] for m in s.metrics], boxes[0].w)
        for box, m in zip(boxes, s.metrics, strict=True):
            main, share = split_value(m.value)
            self.write(box.x, box.y, box.w, 1.2, main, size, True, ACCENT, "C")
            if share:
                self.write(box.x, box.y + 1.15, box.w, 0.5, share, 24, align="C")
            self.write(box.x, box.y + 1.7, box.w, 0.8, m.label, 18, align="C")

    def table(self, s: Slide, tr: I18n) -> None:
        table = s.built.text_table(tr)  # type: ignore[union-attr]
        rows = table.height + 1
        size = 14 if rows <= 8 else 11 if rows <= 14 else 9
        self.pdf.set_font(self.family, "", size)
        self.pdf.set_text_color(*TEXT)
        self.pdf.set_xy(BODY.x, BODY.y)
        widths = column_widths(table, BODY.w, size)
        with self.pdf.table(width=BODY.w, col_widths=widths, line_height=size / 72 * 1.3, text_align="LEFT",
                            first_row_as_headings=True) as out:  # fmt: skip
            out.row([self.text(h) for h in table.columns])
            for row in table.iter_rows():
                out.row([self.text(v) for v in row])

    def page(self, i: int, n: int, s: Slide, stamp: Stamp, tr: I18n, image: bytes | None) -> None:
        self.pdf.add_page()
        self.write(MARGIN, TITLE_Y, WIDTH - 2 * MARGIN, 0.75, s.title, 32, True)
        self.write(MARGIN, MESSAGE_Y, WIDTH - 2 * MARGIN, 0.7, s.message, 20)
        if s.metrics:
            self.metrics(s)
        elif image is not None:
            self.pdf.image(io.BytesIO(image), x=BODY.x, y=BODY.y, w=BODY.w, h=BODY.h, keep_aspect_ratio=True,
                           alt_text=s.title)  # fmt: skip
        elif s.built is not None:
            self.table(s, tr)
        self.write(MARGIN, FOOTER_Y, WIDTH - 2 * MARGIN - 1.2, 0.55, footer_text(stamp), 10, colour=GREY)
        self.write(WIDTH - MARGIN - 1.2, FOOTER_Y, 1.2, 0.4, f"{i}/{n}", 12, colour=GREY, align="R")


def to_pdf(slides: Sequence[Slide], stamp: Stamp, tr: I18n, images: dict[str, bytes]) -> bytes:
    """Return the slides as a PDF with the PPTX's layout (chart images where drawn, else tables)."""
    deck = _Deck()
    deck.pdf.set_title(deck.text(slides[0].title if slides else ""))
    deck.pdf.set_subject(deck.text(stamp.filters))
    deck.pdf.set_lang(tr.lang)
    for i, s in enumerate(slides, start=1):
        deck.page(i, len(slides), s, stamp, tr, images.get(s.key))
    return bytes(deck.pdf.output())
