"""The summary deck as PPTX (python-pptx): the presenter's slides, with the stamp in every footer.

The layout (inches on a 16:9 slide) is shared with the PDF (``pdf.py``), so both files show the
same slides. Charts are kaleido PNGs of the builders' figures; where no browser can draw them, the
slide shows the figure's table instead and the caller is told why.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Inches, Pt

from dashboard import theme
from dashboard.export.images import presentation, render
from dashboard.export.slides import Slide, legend
from dashboard.export.stamp import Stamp
from dashboard.i18n import I18n

WIDTH, HEIGHT, MARGIN = 13.333, 7.5, 0.5  # inches, PowerPoint's 16:9
TITLE_Y, MESSAGE_Y, BODY_Y, BODY_BOTTOM, FOOTER_Y = 0.35, 1.1, 1.85, 6.7, 6.85
METRICS_Y, METRICS_H = 2.5, 2.4
PX_PER_INCH = 110  # chart layout size: type at 22 px reads as ~14 pt on the slide
SCALE = 1.5  # 165 dpi: the body box is 2 030 px wide, more than it gets on a 1920 px projector
TEXT, GREY, ACCENT = theme.TEXT.removeprefix("#"), "555555", "0072B2"
TEXT_INSET = 0.1  # inches: a PowerPoint text box's default left and right inset


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in inches."""

    x: float
    y: float
    w: float
    h: float


BODY = Box(MARGIN, BODY_Y, WIDTH - 2 * MARGIN, BODY_BOTTOM - BODY_Y)
LEGEND_H, LEGEND_SIZE = 0.4, 16  # the marks' legend under a chart or table: 16 pt is ~21 px at 1280x720
CHART = Box(BODY.x, BODY.y, BODY.w, BODY.h - LEGEND_H)  # the chart leaves the legend its line
LEGEND = Box(MARGIN, BODY_BOTTOM - LEGEND_H + 0.05, WIDTH - 2 * MARGIN, LEGEND_H)


def metric_boxes(n: int) -> list[Box]:
    """Return ``n`` side-by-side boxes for the headline figures."""
    gap = 0.25
    w = (WIDTH - 2 * MARGIN - gap * (n - 1)) / max(n, 1)
    return [Box(MARGIN + i * (w + gap), METRICS_Y, w, METRICS_H) for i in range(n)]


def metric_size(values: Sequence[str], width: float, largest: int = 54) -> int:
    """Return a point size at which the longest big number fits its box on one line (bold digits ~0.75 em)."""
    longest = max((len(v) for v in values), default=1)
    return int(min(largest, width * 72 / (0.75 * max(longest, 1))))


def column_widths(table: pl.DataFrame, width: float, size: float) -> list[float]:
    """Return column widths (inches): short columns fit their longest cell, long ones share the rest."""
    em = size / 72 * 0.62  # an average character at ``size`` points, with cell padding added below
    need = [max([len(w) for w in name.split()] + [len(v) for v in table[name].to_list() if v] + [3])
            for name in table.columns]  # fmt: skip
    short = [n <= 14 for n in need]
    fixed = sum((n * em + 0.15) for n, s in zip(need, short, strict=True) if s)
    rest = max(width - fixed, 0.2 * width)
    long_total = sum(min(n, 60) for n, s in zip(need, short, strict=True) if not s) or 1
    widths = [
        (n * em + 0.15) if s else rest * min(n, 60) / long_total for n, s in zip(need, short, strict=True)
    ]
    scale = width / sum(widths)
    return [w * scale for w in widths]


def split_value(value: str) -> tuple[str, str]:
    """Split a metric like "84 (66 %)" into the big number and its share in brackets."""
    main, sep, rest = value.partition(" (")
    return main, (sep.strip() + rest) if sep else ""


def chart_image(s: Slide) -> bytes | None:
    """Draw a slide's chart as a PNG sized for the body box (None: no chart; raises ImageUnavailable)."""
    if s.built is None or s.built.chart is None or s.metrics:
        return None
    w, h = round(CHART.w * PX_PER_INCH), round(CHART.h * PX_PER_INCH)
    fig = presentation(s.built.chart, height=h, font_size=22)
    fig.update_layout(margin={"t": 50})
    return render(fig, "png", w, h, scale=SCALE)


def footer_text(stamp: Stamp) -> str:
    """Return the two footer lines: filters and data date, then the source and the export time."""
    return f"{stamp.short()}\n{stamp.source} · {stamp.exported_at}"


def _text(slide, box: Box, text: str, size: float, bold: bool = False, colour: str = TEXT, align=None):
    frame = slide.shapes.add_textbox(Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h)).text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        if align is not None:
            para.alignment = align
        for run in para.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, RGBColor.from_string(colour)
    return frame


def _metrics(slide, s: Slide) -> None:
    from pptx.enum.text import PP_ALIGN

    from dashboard.export.pdf import word_fitting_size  # here: pdf.py imports this module

    boxes = metric_boxes(len(s.metrics))
    size = metric_size([split_value(m.value)[0] for m in s.metrics], boxes[0].w)
    # PowerPoint, like fpdf2, breaks a word that does not fit at any letter ("Työkykyvalment/ajat")
    label_size = word_fitting_size([m.label for m in s.metrics], boxes[0].w - 2 * TEXT_INSET, 18)
    for box, m in zip(boxes, s.metrics, strict=True):
        main, share = split_value(m.value)
        _text(slide, Box(box.x, box.y, box.w, 1.2), main, size, True, ACCENT, PP_ALIGN.CENTER)
        if share:
            _text(slide, Box(box.x, box.y + 1.15, box.w, 0.5), share, 24, False, TEXT, PP_ALIGN.CENTER)
        _text(slide, Box(box.x, box.y + 1.7, box.w, 0.8), m.label, label_size, False, TEXT, PP_ALIGN.CENTER)


def _table(slide, s: Slide, tr: I18n) -> None:
    table = s.built.text_table(tr)  # type: ignore[union-attr]
    rows, cols = table.height + 1, table.width
    size = 16 if rows <= 8 else 12 if rows <= 14 else 10
    height = min(CHART.h, 0.45 * rows)
    shape = slide.shapes.add_table(rows, cols, Inches(BODY.x), Inches(BODY.y), Inches(BODY.w), Inches(height))
    for c, w in enumerate(column_widths(table, BODY.w, size)):
        shape.table.columns[c].width = Inches(w)
    for c, header in enumerate(table.columns):
        shape.table.cell(0, c).text = header
    for r, row in enumerate(table.iter_rows(), start=1):
        for c, value in enumerate(row):
            shape.table.cell(r, c).text = value
    for r in range(rows):
        for c in range(cols):
            for para in shape.table.cell(r, c).text_frame.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(size)


def to_pptx(slides: Sequence[Slide], stamp: Stamp, tr: I18n, images: dict[str, bytes]) -> bytes:
    """Return the slides as a PPTX: title, message, big numbers or chart (else table), stamp footer."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDTH), Inches(HEIGHT)
    prs.core_properties.title = slides[0].title if slides else ""
    prs.core_properties.subject = stamp.filters
    for i, s in enumerate(slides, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
        _text(slide, Box(MARGIN, TITLE_Y, WIDTH - 2 * MARGIN, 0.75), s.title, 32, True)
        _text(slide, Box(MARGIN, MESSAGE_Y, WIDTH - 2 * MARGIN, 0.7), s.message, 20)
        if s.metrics:
            _metrics(slide, s)
        elif s.key in images:
            slide.shapes.add_picture(io.BytesIO(images[s.key]), Inches(CHART.x), Inches(CHART.y),
                                     Inches(CHART.w), Inches(CHART.h))  # fmt: skip
        elif s.built is not None:
            _table(slide, s, tr)
        marks = legend(s, tr, chart=s.key in images)
        if marks:
            _text(slide, LEGEND, marks, LEGEND_SIZE, colour=TEXT)
        _text(
            slide, Box(MARGIN, FOOTER_Y, WIDTH - 2 * MARGIN - 1.2, 0.55), footer_text(stamp), 10, colour=GREY
        )
        _text(slide, Box(WIDTH - MARGIN - 1.2, FOOTER_Y, 1.2, 0.4), f"{i}/{len(slides)}", 12, colour=GREY)
        if s.built is not None and s.built.caption:
            slide.notes_slide.notes_text_frame.text = s.built.caption
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
