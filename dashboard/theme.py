"""Colours and the Plotly look: a colour-blind-safe palette (Okabe-Ito) with text at WCAG AA contrast.

The Streamlit theme itself lives in ``streamlit_config.toml`` (``.streamlit/config.toml`` links to it);
``PRIMARY`` and ``TEXT`` here are the same colours, so charts and widgets agree.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008), "Color Universal Design". Yellow (#F0E442) is left out. The palette runs from the
# colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics) to orange and sky blue, which only
# charts with more than five series reach (and every chart has its table beside it).
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#6B6B6B"  # 5.3:1 on white: reference lines, secondary text
LIGHT_GREY = "#E3E3E3"  # grid lines only

PALETTE = (BLUE, VERMILLION, GREEN, PURPLE, BLACK, ORANGE, SKY)
DARK_BLUE = "#005A8C"  # 7.4:1 on white
PRIMARY = DARK_BLUE  # widgets and links; charts keep BLUE (see streamlit_config.toml for why)
# The one near-black of all text: pages (Streamlit's textColor), charts, presenter mode, chart images, PPTX
# and PDF. 18.6:1 on white (WCAG AAA); Streamlit draws captions in it at 60 % opacity: 4.9:1.
TEXT = "#111318"
BACKGROUND = "#FFFFFF"
# "Source Sans" is the face the Streamlit app loads. Names are quoted: an unquoted "Source Sans 3" is invalid
# CSS, and the browser then drops the whole font-family, so Plotly measures legends and tick labels in one
# font and draws them in another (Plotly's default Open Sans), cutting their ends off.
FONT = '"Source Sans", "Source Sans 3", "Source Sans Pro", Arial, sans-serif'

# Outcome colours used wherever progressed / not progressed appear, so a reader learns them once.
PROGRESSED = BLUE
NOT_PROGRESSED = VERMILLION


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """Return ``colour`` (``#RRGGBB``) as its red, green and blue (0-255)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return r, g, b


def hex_to_rgba(colour: str, alpha: float) -> str:
    """Return ``colour`` (``#RRGGBB``) as an ``rgba()`` string with opacity ``alpha``."""
    r, g, b = hex_to_rgb(colour)
    return f"rgba({r},{g},{b},{alpha})"


def relative_luminance(colour: str) -> float:
    """Return the WCAG 2 relative luminance of ``#RRGGBB``."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str = BACKGROUND) -> float:
    """Return the WCAG contrast ratio of two colours (AA needs 4.5 for text, 3 for graphics)."""
    hi, lo = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _light_template() -> go.layout.Template:
    """Return plotly_white cut to the traces and axes these charts use.

    Plotly validates and copies a whole template into every figure that names it; plotly_white's
    colour scales for maps, polar, 3-D and ternary plots made that most of a page's chart time.
    """
    white = pio.templates["plotly_white"]
    layout = {k: v for k, v in white.layout.to_plotly_json().items() if k in _TEMPLATE_LAYOUT}
    data = {k: v for k, v in white.data.to_plotly_json().items() if k in _TEMPLATE_TRACES}
    return go.layout.Template(layout=layout, data=data)


_TEMPLATE_LAYOUT = {"autotypenumbers", "font", "hoverlabel", "hovermode", "paper_bgcolor", "plot_bgcolor",
                    "title", "xaxis", "yaxis"}  # fmt: skip
_TEMPLATE_TRACES = {"bar", "scatter", "table"}  # sankey has no defaults there
LIGHT = _light_template()


def apply(fig: go.Figure, separators: str = ", ", height: int | None = None) -> go.Figure:
    """Give a figure the dashboard's look: palette, fonts, light grid, locale separators."""
    fig.update_layout(
        template=LIGHT,
        colorway=list(PALETTE),
        font={"family": FONT, "size": 14, "color": TEXT},
        separators=separators,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hoverlabel={"font": {"family": FONT}},
        paper_bgcolor=BACKGROUND,
        plot_bgcolor=BACKGROUND,
    )
    # separatethousands: Finnish readers expect "1 200" on an axis, not "1200"
    fig.update_xaxes(gridcolor=LIGHT_GREY, linecolor=GREY, zerolinecolor=GREY, separatethousands=True)
    fig.update_yaxes(gridcolor=LIGHT_GREY, linecolor=GREY, zerolinecolor=GREY, separatethousands=True)
    if height:
        fig.update_layout(height=height)
    return fig


def count_axis(update_axis, values) -> None:
    """Give a count axis whole-number ticks ("0, 1, 2", never "0.5 clients"; issue 12 item 7)."""
    shown = [v for v in values if v is not None]  # every value hidden: still counts, never "0.2 clients"
    if all(isinstance(v, int) for v in shown):
        update_axis(tickformat=",d", **({"dtick": 1} if max(shown, default=0) <= 5 else {}))


def say_if_empty(fig: go.Figure, values, text: str) -> None:
    """Write ``text`` across a chart that has nothing to draw (every value hidden or zero)."""
    if text and not any(values):
        fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                           font={"size": 16, "color": TEXT})  # fmt: skip
