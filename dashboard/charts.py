"""Charts: pure ``pl.DataFrame -> go.Figure`` functions (no Streamlit, no database).

Frames arrive already suppressed and labelled in the reader's language: a hidden value is null and its
``text`` says "..", so a chart never shows what its table hides. Every chart has a table beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl

from dashboard import theme


def bars(
    df: pl.DataFrame,
    *,
    category: str = "category",
    series: str = "series",
    value: str = "value",
    text: str = "text",
    horizontal: bool = False,
    stacked: bool = False,
    colours: Mapping[str, str] | None = None,
    value_title: str = "",
    separators: str = ", ",
    empty: str = "",
) -> go.Figure:
    """Draw grouped (or stacked) bars, one trace per series; a hidden value shows only its text."""
    fig = go.Figure()
    names = df[series].unique(maintain_order=True).to_list() if series in df.columns else [None]
    for i, name in enumerate(names):
        part = df if name is None else df.filter(pl.col(series) == name)
        cats, vals, texts = part[category].to_list(), part[value].to_list(), part[text].to_list()
        colour = (colours or {}).get(name) or theme.PALETTE[i % len(theme.PALETTE)]
        fig.add_trace(
            go.Bar(
                x=[v or 0 for v in vals] if horizontal else cats,
                y=cats if horizontal else [v or 0 for v in vals],
                orientation="h" if horizontal else "v",
                name=name or "",
                showlegend=name is not None,
                marker_color=colour,
                text=texts,
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{"
                + ("y" if horizontal else "x")
                + "}: %{text}<extra>"
                + (name or "")
                + "</extra>",
            )
        )
    fig.update_layout(barmode="stack" if stacked else "group", bargap=0.25)
    axis = fig.update_xaxes if horizontal else fig.update_yaxes
    axis(title_text=value_title, rangemode="tozero")
    theme.count_axis(axis, df[value].to_list())
    theme.say_if_empty(fig, df[value].to_list(), empty)
    if horizontal:
        fig.update_yaxes(autorange="reversed", type="category")
    else:
        fig.update_xaxes(type="category")
    return theme.apply(fig, separators, height=max(320, 36 * len(df) + 120) if horizontal else 420)


def client_trend(
    df: pl.DataFrame, *, labels: Mapping[str, str], value_title: str, separators: str = ", ", empty: str = ""
) -> go.Figure:
    """Draw active clients as a line and new and ended clients per quarter as bars.

    ``df``: ``quarter`` and, for each key of ``labels`` (n_active, n_new, n_ended_in_quarter), the count
    (null where hidden) and ``<key>_text``. ``empty`` is written across it when nothing is shown.
    """
    fig = go.Figure()
    colours = {"n_active": theme.BLACK, "n_new": theme.BLUE, "n_ended_in_quarter": theme.VERMILLION}
    for key, label in labels.items():
        common = {
            "x": df["quarter"].to_list(),
            "name": label,
            "text": df[f"{key}_text"].to_list(),
            "hovertemplate": "%{x}: %{text}<extra>" + label + "</extra>",
        }
        if key == "n_active":
            fig.add_trace(
                go.Scatter(
                    y=df[key].to_list(),
                    mode="lines+markers",
                    line={"color": colours[key], "width": 3},
                    marker={"size": 7},
                    connectgaps=False,
                    **common,
                )
            )
        else:
            hidden_text = [t if v is None else "" for v, t in zip(df[key], df[f"{key}_text"], strict=True)]
            fig.add_trace(
                go.Bar(
                    y=[v or 0 for v in df[key].to_list()],
                    marker_color=colours.get(key),
                    texttemplate=hidden_text,  # only a hidden bar is labelled: its ".." sits at its place
                    textposition="outside",
                    cliponaxis=False,
                    **common,
                )
            )
    _hidden_points(fig, df, "n_active", colours["n_active"])
    fig.update_layout(barmode="group", hovermode="x unified")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text=value_title, rangemode="tozero")
    values = [v for key in labels for v in df[key].to_list()]
    theme.count_axis(fig.update_yaxes, values)
    theme.say_if_empty(fig, values, empty)
    return theme.apply(fig, separators, height=400)


def _hidden_points(fig: go.Figure, df: pl.DataFrame, key: str, colour: str) -> None:
    """Mark each hidden point of a line with a hollow marker on the baseline, so a gap never reads as zero."""
    if key not in df.columns:
        return
    hidden = df.filter(pl.col(key).is_null() & (pl.col(f"{key}_text") != "0"))
    if hidden.is_empty():
        return
    fig.add_trace(
        go.Scatter(
            x=hidden["quarter"].to_list(),
            y=[0] * hidden.height,
            mode="markers",
            marker={"symbol": "circle-open", "size": 9, "color": colour, "line": {"width": 2}},
            text=hidden[f"{key}_text"].to_list(),
            hovertemplate="%{x}: %{text}<extra></extra>",
            showlegend=False,
        )
    )


def share_intervals(
    df: pl.DataFrame,
    *,
    label: str = "label",
    share: str = "share",
    low: str = "share_low",
    high: str = "share_high",
    text: str = "text",
    level: str = "level",
    level_names: Mapping[str, str] | None = None,
    value_title: str = "",
    separators: str = ", ",
    empty: str = "",
) -> go.Figure:
    """Draw shares with 95 % intervals as points and whiskers, one row per label (a forest plot).

    ``level`` (municipality / region / project) sets the marker, so subtotals stand out from their parts.
    A hidden share has no point, only its text at the left edge.
    """
    styles = {
        "municipality": ("circle", theme.BLUE, 11),
        "region": ("diamond", theme.BLACK, 13),
        "project": ("square", theme.VERMILLION, 13),
        "published": ("diamond-open", theme.BLACK, 13),  # a report's figure: no interval, other marker
    }
    fig = go.Figure()
    for lvl, (symbol, colour, size) in styles.items():
        part = df.filter(pl.col(level) == lvl)
        if part.is_empty():
            continue
        shares = part[share].to_list()
        fig.add_trace(
            go.Scatter(
                x=[s if s is not None else 0 for s in shares],
                y=part[label].to_list(),
                mode="markers+text",
                name=(level_names or {}).get(lvl, lvl),
                marker={
                    "symbol": symbol,
                    "color": colour,
                    "size": [size if s is not None else 0 for s in shares],
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        (h - s) if s is not None and h is not None else 0
                        for s, h in zip(shares, part[high].to_list(), strict=True)
                    ],
                    "arrayminus": [
                        (s - lo) if s is not None and lo is not None else 0
                        for s, lo in zip(shares, part[low].to_list(), strict=True)
                    ],
                    "color": colour,
                    "thickness": 2,
                    "width": 6,
                },
                text=part[text].to_list(),
                textposition="top center",
                hovertemplate="%{y}: %{text}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text=value_title, range=[0, 1.02], tickformat=".0%")
    theme.say_if_empty(fig, [v is not None for v in df[share].to_list()], empty)
    labels = df[label].unique(maintain_order=True).to_list()
    fig.update_yaxes(
        type="category", categoryorder="array", categoryarray=labels, range=[len(labels) - 0.5, -0.9]
    )  # reversed, with room for the top row's text
    return theme.apply(fig, separators, height=max(300, 48 * len(df) + 120))


def cumulative(
    df: pl.DataFrame,
    *,
    reference: float | None,
    reference_label: str,
    labels: Mapping[str, str],
    value_title: str,
    separators: str = ", ",
) -> go.Figure:
    """Draw participations per quarter as bars and their running total as a line toward a reference.

    ``df``: ``quarter``, ``n_participations``, ``cumulative``; ``labels`` names the two series.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=df["quarter"].to_list(),
            y=df["n_participations"].to_list(),
            name=labels["n_participations"],
            marker_color=theme.SKY,
            marker_line={"color": theme.BLUE, "width": 1},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=df["quarter"].to_list(),
            y=df["cumulative"].to_list(),
            mode="lines+markers",
            name=labels["cumulative"],
            line={"color": theme.BLUE, "width": 3},
        )
    )
    if reference:
        fig.add_hline(
            y=reference,
            line={"color": theme.VERMILLION, "dash": "dash", "width": 2},
            annotation_text=reference_label,
            annotation_position="top left",
            annotation_font_color=theme.TEXT,
        )
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text=value_title, rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return theme.apply(fig, separators, height=420)


def sankey(
    nodes: Sequence[str],
    node_colours: Sequence[str],
    links: pl.DataFrame,
    *,
    separators: str = ", ",
) -> go.Figure:
    """Draw flows between labelled nodes; ``links``: source, target (node indexes), value, text.

    A link flagged ``hidden`` (its count is hidden) is drawn in a neutral dotted-grey tone: its width is a
    fixed sliver the builder chose, not a count, and its hover text says so.
    """
    hidden = links["hidden"].to_list() if "hidden" in links.columns else [False] * links.height
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": list(nodes),
                "color": list(node_colours),
                "pad": 14,
                "thickness": 18,
                "line": {"color": theme.TEXT, "width": 0.5},
                "hovertemplate": "%{label}<extra></extra>",
            },
            link={
                "source": links["source"].to_list(),
                "target": links["target"].to_list(),
                "value": links["value"].to_list(),
                "customdata": links["text"].to_list(),
                "color": [
                    theme.hex_to_rgba(theme.GREY, 0.15)
                    if h
                    else theme.hex_to_rgba(
                        node_colours[t] if node_colours[t] != theme.GREY else node_colours[s], 0.35
                    )
                    for s, t, h in zip(
                        links["source"].to_list(), links["target"].to_list(), hidden, strict=True
                    )
                ],
                "hovertemplate": "%{source.label} → %{target.label}: %{customdata}<extra></extra>",
            },
        )
    )
    return theme.apply(fig, separators, height=560)
