"""A filter is one declaration (``dashboard.filters.FILTERS``): every consumer reads each declared filter.

Each test iterates the declaration, never a list of names, so a filter declared but forgotten by one
consumer (the sidebar, the URL, the export command, its file name, the stamp or the page caption) fails
here under that filter's name.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path

import pytest

from dashboard import sidebar
from dashboard.builders import View
from dashboard.builders.common import describe
from dashboard.choices import choices_for, default_project, projects, value_names
from dashboard.export import __main__ as command
from dashboard.export import file_stem
from dashboard.export.stamp import filter_text
from dashboard.filters import FILTERS, Filter, Filters, Offer, ProjectChoices, resolve, to_params
from dashboard.i18n import I18n

WIDGETS = {"segmented": "segmented_control", "select": "selectbox", "slider": "select_slider"}
WIDGETS["range"] = "select_slider"  # the range replaces the quarter's slider on the pages that read one
RANGE_PAGE = "views/participations.py"
ids = [d.field for d in FILTERS]


def another(d: Filter, projects: list[str], choices: ProjectChoices, f: Filters) -> str:
    """Return a value ``d`` allows in the view ``f`` that is not its value there (nor its default)."""
    offer = Offer(projects, f.project, choices, asdict(f))
    default = None if d.default is None else d.default(offer)
    return next(v for v in d.allowed(offer) if v not in (getattr(f, d.field), default))


def test_the_declaration_is_the_filters() -> None:
    assert {d.field for d in FILTERS} == {f.name for f in fields(Filters)}
    assert len({d.param for d in FILTERS}) == len(FILTERS)
    for lang in ("fi", "sv", "en"):  # every label is in the translation table
        assert all(I18n(lang).t(d.label) != d.label for d in FILTERS)


@pytest.mark.parametrize("d", FILTERS, ids=ids)
def test_the_url_carries_every_declared_filter(d: Filter) -> None:
    choices = ProjectChoices(["2023Q1", "2023Q2", "2023Q3"], "2023Q3", {"261": "21", "678": "19"})
    offered = ["VALPAS2", "YHDESSA"]

    def run(params):
        return resolve(
            params, offered, "VALPAS2", lambda p: choices if p == "VALPAS2" else ProjectChoices([], "", {})
        )

    start, _, _ = run({})
    value = another(d, offered, choices, start)
    f, got_choices, replaced = run({d.param: value})
    assert getattr(f, d.field) == value and replaced == []
    assert to_params(f, got_choices)[d.param] == value
    assert run(to_params(f, got_choices))[0] == f


@pytest.mark.parametrize("d", FILTERS, ids=ids)
def test_the_sidebar_draws_and_reads_every_declared_filter(app, warehouse: Path, d: Filter) -> None:
    at = app(warehouse, RANGE_PAGE if d.widget == "range" else None)
    f = at.session_state[sidebar.STATE]
    codes = projects()["project_code"].to_list()
    widget = getattr(at, WIDGETS[d.widget])(key=sidebar.WIDGET.get(d.field, sidebar.RANGE))
    assert widget.label == I18n(f.lang).t(d.label)
    value = another(d, codes, choices_for(f.project), f)
    widget.set_value((value, f.quarter) if d.widget == "range" else value).run()
    assert not at.exception
    assert getattr(at.session_state[sidebar.STATE], d.field) == value
    assert at.query_params[d.param] == value


@pytest.mark.parametrize("d", FILTERS, ids=ids)
def test_the_export_command_file_name_stamp_and_caption_state_every_declared_filter(
    use_db, warehouse: Path, d: Filter
) -> None:
    use_db(warehouse)
    table = projects()
    start = Filters(project=default_project(table))
    choices = choices_for(start.project)
    start = Filters(project=start.project, quarter=choices.default_quarter, quarter_from=choices.quarters[0])
    value = another(d, table["project_code"].to_list(), choices, start)
    args = ["--db", str(warehouse), "--project", start.project, "--format", "csv", "--out", "x.csv"]
    options = {a for action in command.parser()._actions for a in action.option_strings}
    if d.widget == "range":  # a summary is of one quarter: the range's start is stated only on its pages
        assert f"--{d.param}" not in options
        view = View(Filters(**(asdict(start) | {d.field: value})), I18n("fi"), choices)
        assert f"{view.tr.t(d.label)}: {value}–{start.quarter}" in filter_text(view, with_range=True)
        assert f"{value}–{start.quarter}" in describe(view, with_range=True)
        return
    view, error = command._view(command.parser().parse_args([*args, f"--{d.param}", value]))
    assert error is None and getattr(view.filters, d.field) == value
    if not d.part:  # the language: the text is in it, not about it
        assert view.tr.lang == value and d.param not in command.OPTIONS
        return
    name = value_names(d, view.filters.project, view.tr)(value)
    assert value in file_stem(view).split("_")
    assert f"{view.tr.t(d.label)}: {name}" in filter_text(view)
    assert name in describe(view) or value in describe(view)  # the quarter as its date and code
