"""The filters in a Streamlit session: seeded once from the URL, drawn in the sidebar, written to the URL.

The session keeps the filters (not the widgets) as the truth, because Streamlit forgets the state of a
widget that a page does not draw (the quarter range exists on one page only) and clears the query string
on a page switch. Each rerun: read what the user changed in the widgets, bring the filters back inside
what the project offers, set the widgets, draw them, and write the filters to the URL.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import db, filters, settings
from dashboard.builders import View
from dashboard.choices import choices_for, default_project, projects
from dashboard.i18n import LANGUAGE_NAMES, I18n
from pipelines.i18n import LANGUAGES

STATE = "_filters"  # the session's Filters
ALL = ""  # the "all" option of the optional select boxes
WIDGET = {
    name: f"w_{name}"
    for name in ("lang", "project", "region", "municipality", "quarter", "age_group", "gender")
}
RANGE = "w_range"
OPTIONAL = ("region", "municipality", "age_group", "gender")


class NoProjects(LookupError):
    """The warehouse has no projects to show."""


def _from_widgets(previous: filters.Filters) -> filters.Filters:
    """Return the previous filters updated with whatever the user set in the widgets."""
    ss, values = st.session_state, {}
    for name, key in WIDGET.items():
        if key in ss:
            value = ss[key]
            values[name] = (value or None) if name in OPTIONAL else (value or getattr(previous, name))
    if RANGE in ss and isinstance(ss[RANGE], tuple | list) and len(ss[RANGE]) == 2:
        values["quarter_from"], values["quarter"] = ss[RANGE]
    return filters.Filters(**(previous.__dict__ | values))


def _set_widgets(f: filters.Filters, range_page: bool) -> None:
    """Set every widget to the filters before it is drawn (the filters may have been constrained)."""
    ss = st.session_state
    for name, key in WIDGET.items():
        if name == "quarter" and range_page:
            continue
        value = getattr(f, name)
        ss[key] = ALL if value is None else value
    if range_page and ss.get(RANGE) != (f.quarter_from, f.quarter):  # set only when it differs: a
        ss[RANGE] = (f.quarter_from, f.quarter)  # value set through session state and `value=` logs a warning


def _draw(
    f: filters.Filters, choices: filters.ProjectChoices, table: pl.DataFrame, tr: I18n, range_page: bool
):
    """Draw the filter widgets in the sidebar."""
    names = dict(zip(table["project_code"], table["name"], strict=True))
    muni_names = db.municipality_names(f.project, tr)
    region_names = db.region_names(tr)
    in_region = [m for m, r in choices.municipalities.items() if f.region is None or r == f.region]

    def fmt(labels: dict):
        return lambda code: tr.t("filters.all") if code == ALL else labels.get(code, code)

    st.segmented_control(
        tr.t("filters.language"), LANGUAGES, format_func=LANGUAGE_NAMES.get, key=WIDGET["lang"], required=True
    )
    st.header(tr.t("filters.heading"), divider="gray")
    st.selectbox(
        tr.t("filters.project"), table["project_code"].to_list(), format_func=names.get, key=WIDGET["project"]
    )
    st.selectbox(
        tr.t("filters.region"), [ALL, *choices.regions], format_func=fmt(region_names), key=WIDGET["region"]
    )
    st.selectbox(
        tr.t("filters.municipality"),
        [ALL, *in_region],
        format_func=fmt(muni_names),
        key=WIDGET["municipality"],
    )
    if choices.quarters and range_page:
        # `value=` must be a range: Streamlit reads a moved handle as a range only when the default is one
        # (without it, each drag came back as one quarter, was dropped, and the range snapped back)
        span = (choices.quarters[0], choices.quarters[-1])
        st.select_slider(tr.t("filters.quarter_range"), choices.quarters, value=span, key=RANGE)
    elif choices.quarters:
        st.select_slider(tr.t("filters.quarter"), choices.quarters, key=WIDGET["quarter"])
    ages = {a: tr.label("age_group", a) for a in filters.AGE_GROUPS}
    st.selectbox(
        tr.t("filters.age_group"), [ALL, *filters.AGE_GROUPS], format_func=fmt(ages), key=WIDGET["age_group"]
    )
    genders = {g: tr.label("gender", g) for g in filters.GENDERS}
    st.selectbox(
        tr.t("filters.gender"), [ALL, *filters.GENDERS], format_func=fmt(genders), key=WIDGET["gender"]
    )
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
    with st.sidebar:
        _draw(f, choices, table, tr, range_page)
    ss[STATE] = f
    wanted = filters.to_params(f, choices)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    return View(f, tr, choices), replaced
