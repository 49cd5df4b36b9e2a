"""Chart images (PNG, SVG) drawn server-side by kaleido on Debian's chromium, stamped before export.

kaleido 1.x drives a real browser, and starting one takes seconds; so one browser is started on the
first request and kept in a background thread with its own event loop, and every image after that
takes well under a second. Requests are serialised (one tab) and time out, so a crashed browser costs
one failed image, not a hung page. A drawn image is kept (by the figure's JSON and size, the last
``CACHED``), so the PPTX and the PDF of one view, or a second download, draw each chart once; and a
browser session that shows the download buttons starts the browser in the background
(``warm_up``), so the first deck does not wait seconds for it. The title, the filters, the data date
and the source are written onto the figure itself, so an image pasted into a board paper still says
what it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html
import os
import shutil
import threading
from collections import OrderedDict
from pathlib import Path

import plotly.graph_objects as go

from dashboard import theme
from dashboard.export.stamp import Stamp

WIDTH, HEIGHT, SCALE = 1600, 900, 1.2  # 16:9 layout, drawn at 1920 x 1080 px
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
TIMEOUT = 60  # seconds for one image, the browser's start included
CACHED = 48  # drawn images kept: a deck's charts in a few views and languages (~200 KiB each)
# quoted: an unquoted "Source Sans 3" is not valid CSS, and the browser would fall back to a serif
FONT = '"Source Sans 3", "Source Sans Pro", Arial, "Liberation Sans", "DejaVu Sans", sans-serif'


class ImageUnavailable(RuntimeError):
    """A chart image cannot be made here (no browser, or the browser failed)."""


def browser_path() -> str | None:
    """Return the chromium kaleido will use, setting ``BROWSER_PATH`` to Debian's when it is unset."""
    if os.environ.get("BROWSER_PATH"):
        return os.environ["BROWSER_PATH"] if Path(os.environ["BROWSER_PATH"]).exists() else None
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        os.environ["BROWSER_PATH"] = found
    return found


class _Renderer:
    """One kaleido browser in a daemon thread; ``render`` hands it a figure and waits for the bytes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None
        self._warming = False
        self._cache: OrderedDict[str, bytes] = OrderedDict()

    def _start(self) -> None:
        import kaleido  # imported here: it is only needed once someone asks for an image

        if browser_path() is None:
            raise ImageUnavailable("chromium not found: install it with `make browser`")
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="kaleido", daemon=True).start()

        async def open_browser():
            k = kaleido.Kaleido(n=1, timeout=TIMEOUT, mathjax=False)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(TIMEOUT)
        except Exception as exc:
            loop.call_soon_threadsafe(loop.stop)
            raise ImageUnavailable(f"chromium did not start: {exc}") from exc
        self._loop = loop

    def _stop(self) -> None:
        loop, k = self._loop, self._kaleido
        self._loop = self._kaleido = None
        if loop is None:
            return
        with contextlib.suppress(Exception):  # the browser is gone either way; the next request starts anew
            asyncio.run_coroutine_threadsafe(k.close(), loop).result(10)  # type: ignore[union-attr]
        loop.call_soon_threadsafe(loop.stop)

    def warm_up(self) -> None:
        """Start the browser now, in the background, unless it runs or is starting."""
        if self._loop is not None or self._warming or browser_path() is None:
            return
        self._warming = True

        def start() -> None:
            with contextlib.suppress(ImageUnavailable), self._lock:  # a failure is told on the first image
                if self._loop is None:
                    self._start()
            self._warming = False

        threading.Thread(target=start, name="kaleido-warm-up", daemon=True).start()

    def render(self, fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
        spec = fig.to_json()
        key = hashlib.sha256(f"{fmt} {width} {height} {scale} {spec}".encode()).hexdigest()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            if self._loop is None:
                self._start()
            opts = {"format": fmt, "width": width, "height": height, "scale": scale}
            job = self._kaleido.calc_fig(fig.to_dict(), opts=opts)  # type: ignore[union-attr]
            try:
                image = asyncio.run_coroutine_threadsafe(job, self._loop).result(TIMEOUT)  # type: ignore[arg-type]
            except Exception as exc:
                self._stop()
                raise ImageUnavailable(f"the chart could not be drawn: {exc}") from exc
            self._cache[key] = image
            while len(self._cache) > CACHED:
                self._cache.popitem(last=False)
            return image

    def close(self) -> None:
        with self._lock:
            self._stop()


_renderer = _Renderer()


def render(
    fig: go.Figure, fmt: str = "png", width: int = WIDTH, height: int = HEIGHT, scale: float = SCALE
) -> bytes:
    """Draw a figure as PNG or SVG bytes (raises ImageUnavailable when no browser can draw it)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown image format {fmt!r}")
    return _renderer.render(fig, fmt, width, height, 1 if fmt == "svg" else scale)


def warm_up() -> None:
    """Start the browser in the background, so the first image does not wait for it."""
    _renderer.warm_up()


def close() -> None:
    """Stop the background browser (the command line does so before it exits)."""
    _renderer.close()


def presentation(fig: go.Figure, height: int | None = None, font_size: int = 20) -> go.Figure:
    """Return a copy of a figure for a hall: larger type, near-black text, thicker grid lines."""
    out = go.Figure(fig)
    out.update_layout(
        font={"size": font_size, "color": theme.TEXT, "family": FONT},
        legend={"font": {"size": font_size}},
        margin={"l": 10, "r": 30, "t": 60, "b": 10},
        **({"height": height} if height else {}),
    )
    out.update_traces(textfont={"size": font_size}, selector={"type": "bar"})
    out.update_traces(textfont={"size": font_size}, selector={"type": "scatter"})
    out.update_xaxes(title_font={"size": font_size}, tickfont={"size": font_size}, linecolor=theme.TEXT)
    out.update_yaxes(title_font={"size": font_size}, tickfont={"size": font_size}, linecolor=theme.TEXT)
    return out


def stamped(fig: go.Figure, title: str, stamp: Stamp) -> go.Figure:
    """Return a presentation copy of a figure with its title, filters, data date and source on it."""
    out = presentation(fig, height=HEIGHT)
    lines = [html.escape(stamp.short()), html.escape(f"{stamp.source} · {stamp.exported_at}")]
    out.update_layout(
        width=WIDTH,
        title={
            "text": f"<b>{html.escape(title)}</b>",
            "subtitle": {"text": "<br>".join(lines), "font": {"size": 16, "color": theme.GREY}},
            "x": 0.01,
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
            "yref": "container",
            "font": {"size": 30, "color": theme.TEXT, "family": FONT},
        },
        margin={"l": 20, "r": 40, "t": 170, "b": 20},
        legend={"y": 1.01, "yanchor": "bottom"},
    )
    return out


def chart_image(fig: go.Figure, title: str, stamp: Stamp, fmt: str = "png") -> bytes:
    """Draw a built chart stamped with its title and the stamp, at presentation size."""
    return render(stamped(fig, title, stamp), fmt)
