"""The filters in a Streamlit session: seeded once from the URL, drawn in the sidebar, written to the URL.

The session keeps the filters (not the widgets) as the truth, because Streamlit forgets the state of a
widget that a page does not draw (the quarter range exists on one page only) and clears the query string
on a page switch. Each rerun: read what the user changed in the widgets, bring the filters back inside
what the project offers, set the widgets, draw them, and write the filters to the URL.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import filters, settings
from dashboard.builders import View
from dashboard.choices import choices_for, default_project, projects, value_names
from dashboard.i18n import I18n

STATE = "_filters"  # the session's Filters
ALL = ""  # the "all" option of the optional select boxes
WIDGET = {d.field: f"w_{d.field}" for d in filters.FILTERS if d.widget != "range"}  # filter -> widget key
RANGE = "w_range"  # the quarter range (quarter_from, quarter), drawn instead of the quarter on its pages


class NoProjects(LookupError):
    """The warehouse has no projects to show."""


def _from_widgets(previous: filters.Filters) -> filters.Filters:
    """Return the previous filters updated with whatever the user set in the widgets."""
    ss, values = st.session_state, {}
    for d in filters.FILTERS:
        if (key := WIDGET.get(d.field)) in ss:
            value = ss[key]
            values[d.field] = (value or None) if d.optional else (value or getattr(previous, d.field))
    if RANGE in ss and isinstance(ss[RANGE], tuple | list) and len(ss[RANGE]) == 2:
        values[filters.QUARTER_FROM.field], values[filters.QUARTER.field] = ss[RANGE]
    return filters.Filters(**(previous.__dict__ | values))


def _set_widgets(f: filters.Filters, range_page: bool) -> None:
    """Set every widget to the filters before it is drawn (the filters may have been constrained)."""
    ss = st.session_state
    for field, key in WIDGET.items():
        if field == filters.QUARTER.field and range_page:
            continue
        value = getattr(f, field)
        ss[key] = ALL if value is None else value
    if range_page and ss.get(RANGE) != (f.quarter_from, f.quarter):  # set only when it differs: a
        ss[RANGE] = (f.quarter_from, f.quarter)  # value set through session state and `value=` logs a warning


def _or_all(name: Callable[[str], str], tr: I18n) -> Callable[[str], str]:
    """Name each option of an optional filter, its "all" option included."""
    return lambda code: tr.t("filters.all") if code == ALL else name(code)


def _draw(f: filters.Filters, offer: filters.Offer, tr: I18n, range_page: bool) -> None:
    """Draw the filter widgets in the sidebar, in the declared order (the language above the heading)."""
    headed = False
    for d in filters.FILTERS:
        if d.part and not headed:  # the filters of the figures under one heading; the language above it
            st.header(tr.t("filters.heading"), divider="gray")
            headed = True
        if d.widget == "range":  # drawn in place of the quarter, on the pages that read a range
            continue
        options, name = list(d.allowed(offer)), value_names(d, f.project, tr)
        if d.widget == "segmented":
            st.segmented_control(tr.t(d.label), options, format_func=name, key=WIDGET[d.field], required=True)
        elif d.widget == "select" and d.optional:
            st.selectbox(tr.t(d.label), [ALL, *options], format_func=_or_all(name, tr), key=WIDGET[d.field])
        elif d.widget == "select":
            st.selectbox(tr.t(d.label), options, format_func=name, key=WIDGET[d.field])
        elif d.widget == "slider" and options and range_page:
            # `value=` must be a range: Streamlit reads a moved handle as a range only when the default is one
            # (without it, each drag came back as one quarter, was dropped, and the range snapped back)
            span = (options[0], options[-1])
            st.select_slider(tr.t(filters.QUARTER_FROM.label), options, value=span, key=RANGE)
        elif d.widget == "slider" and options:
            st.select_slider(tr.t(d.label), options, key=WIDGET[d.field])
    st.caption(tr.t("filters.share_hint"))


def sidebar(range_page: bool = False) -> tuple[View, list[filters.Replaced]]:
    """Resolve this rerun's filters, draw them in the sidebar and keep the URL in step."""
    ss, table = st.session_state, projects()
    if table.is_empty():
        raise NoProjects
    codes, replaced = table["project_code"].to_list(), []
    if STATE not in ss:  # a new session: the URL is the only source (a shared link)
        f, choices, replaced = filters.resolve(
            st.query_params.to_dict(), codes, default_project(table), choices_for
        )
    else:
        f = _from_widgets(ss[STATE])
        f = f if f.project in codes else filters.Filters(lang=f.lang, project=default_project(table))
        choices = choices_for(f.project)
        f = filters.constrain(f, choices)
    tr = I18n(f.lang, settings.min_cell())
    _set_widgets(f, range_page and bool(choices.quarters))
    offer = filters.Offer(codes, f.project, choices, f.__dict__)
    with st.sidebar:
        _draw(f, offer, tr, range_page)
    ss[STATE] = f
    wanted = filters.to_params(f, choices)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    return View(f, tr, choices), replaced
