"""Exports of a view (summary deck PPTX/PDF, workbook XLSX, CSV), in the app and from the command line.

The formats, the download names and ``summary``, which the app's buttons (``buttons.py``) and the
command (``__main__.py``, ``python -m dashboard.export``) both call. The stamp every file carries
(``stamp.py``), the summary's slides (``slides.py``), CSV and XLSX (``tables.py``), chart images
(``images.py``), the PPTX (``deck.py``) and the PDF (``pdf.py``); only ``buttons.py`` draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

FORMATS = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
Progress = Callable[[int, int], None]  # (slides ready, slides in the deck)


@dataclass(frozen=True)
class Export:
    """A produced file and, when charts could not be drawn, the reason (the file has tables instead)."""

    data: bytes
    note: str | None = None


def summary(view, fmt: str, now: datetime | None = None, progress: Progress | None = None) -> Export:
    """Return the summary of a view in ``fmt`` (pptx, pdf, xlsx or csv), built by the pages' builders.

    ``progress(done, total)`` is called as each slide of a deck is ready (built and its chart drawn).
    """
    from dashboard.export import deck, images, pdf, slides, stamp, tables

    tr, stamped = view.tr, stamp.stamp(view, now=now)
    if fmt == "xlsx":
        return Export(tables.to_xlsx(slides.tables(view), tr, stamped))
    if fmt == "csv":
        return Export(tables.to_csv(slides.tables(view), tr, stamped))
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    makers = slides.makers(view)
    made, drawn, reason = [], {}, None
    for done, make in enumerate(makers, start=1):
        made.append(make(view))
        if reason is None:  # once the browser has failed, the rest of the deck shows tables too
            try:
                image = deck.chart_image(made[-1])
            except images.ImageUnavailable as exc:
                drawn, reason = {}, str(exc)
            else:
                if image is not None:
                    drawn[made[-1].key] = image
        if progress is not None:
            progress(done, len(makers))
    write = deck.to_pptx if fmt == "pptx" else pdf.to_pdf
    return Export(
        write(made, stamped, tr, drawn), tr.t("export.cli.no_images", reason=reason) if reason else None
    )


def file_stem(view) -> str:
    """Name a download after the project, the filters and the quarter (``VALPAS2_678_2023Q3``)."""
    from dashboard.filters import FILTERS

    values = [getattr(view.filters, d.field) for d in FILTERS if d.part]  # what the figures count, as codes
    return "_".join(v for v in values if v)


def file_name(view, fmt: str) -> str:
    """Name a summary download (``VALPAS2_678_2023Q3.pptx``)."""
    return f"{file_stem(view)}.{fmt}"
