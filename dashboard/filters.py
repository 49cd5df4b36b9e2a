"""The shared filters (rajaukset) and their URL form: pure, so a link's meaning can be tested directly.

Every filter lives in the query string under a short stable name and a language-independent code
(``?lang=sv&project=VALPAS2&municipality=678&quarter=2023Q2``), so a copied link reopens the same view on
any page and in any language. Each filter is one declaration (``Filter``, in ``FILTERS``): its field,
URL parameter (also the export command's option), label, allowed values, default and how its values are
named, which the sidebar, ``to_params``, ``resolve``, ``constrain``, the export command, file names and
stamps all read. ``resolve`` turns untrusted query values into valid filters, reporting
each value it had to replace by its default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

from pipelines import codes
from pipelines.i18n import DEFAULT_LANGUAGE, LANGUAGES

AGE_GROUPS = tuple(codes.AGE_GROUP)
GENDERS = tuple(codes.GENDER)


@dataclass(frozen=True)
class Filters:
    """One view's selection; None means "all" for region, municipality, age group and gender."""

    lang: str = DEFAULT_LANGUAGE
    project: str = ""
    region: str | None = None
    municipality: str | None = None
    quarter_from: str = ""
    quarter: str = ""
    age_group: str | None = None
    gender: str | None = None

    @property
    def is_breakdown(self) -> bool:
        """Say whether the view is below the whole project (any filter but project and quarter)."""
        return any((self.region, self.municipality, self.age_group, self.gender))

    def client_params(self) -> dict[str, str | None]:
        """Return the bound parameters of the client queries (project and the four narrowing filters)."""
        return {
            "project": self.project,
            "region": self.region,
            "municipality": self.municipality,
            "age_group": self.age_group,
            "gender": self.gender,
        }

    def place_params(self) -> dict[str, str | None]:
        """Return the parameters of the event queries (age group and gender do not apply to events)."""
        return {"project": self.project, "region": self.region, "municipality": self.municipality}


@dataclass(frozen=True)
class ProjectChoices:
    """What a project offers to choose from: its quarters and municipalities (code -> region code)."""

    quarters: Sequence[str]
    default_quarter: str
    municipalities: Mapping[str, str]

    @property
    def regions(self) -> list[str]:
        return sorted(set(self.municipalities.values()))


@dataclass(frozen=True)
class Replaced:
    """A query value that was not valid and what the view uses instead."""

    param: str
    value: str


@dataclass(frozen=True)
class Offer:
    """What a filter may be at its turn: the projects, the chosen project's choices, the filters before it."""

    projects: Sequence[str]
    default_project: str
    choices: ProjectChoices
    before: Mapping[str, str | None]


def _in_region(o: Offer) -> list[str]:
    region = o.before.get("region")
    return [m for m, r in o.choices.municipalities.items() if region is None or r == region]


def _latest(o: Offer) -> str:
    return o.choices.default_quarter


def _first_quarter(o: Offer) -> str:
    return o.choices.quarters[0] if o.choices.quarters else ""


def _up_to_quarter(o: Offer) -> list[str]:
    quarters, quarter = list(o.choices.quarters), o.before.get("quarter")
    return quarters[: quarters.index(quarter) + 1] if quarter in quarters else []


@dataclass(frozen=True)
class Filter:
    """One filter, declared once: the sidebar, the URL, the export command, file names and stamps read it.

    ``names`` says how a value is named for a reader (``choices.value_names``): "language", "project",
    "region", "municipality", "label" (``tr.label(field, code)``) or "" (the code is its name).
    ``part``: the filter says *what* the figures count, so the stamp and the caption state it, the file
    name and the export command's options carry it (the language says how they are shown; the range's
    start is stated with the range, on the pages that have one).
    """

    field: str  # the field of ``Filters``
    param: str  # its query parameter, and the export command's option (``--<param>``)
    label: str  # the translation key of its label (the widget, the stamp)
    allowed: Callable[[Offer], Sequence[str]]  # the values it may take, given the filters before it
    default: Callable[[Offer], str] | None = None  # None: optional, "all" (None) when not set
    names: str = ""
    widget: str = "select"  # "segmented", "select", "slider", or "range" (drawn with the quarter)
    part: bool = True
    help: str = ""  # the translation key of the export command's help of ``--<param>`` ("": no option)
    metavar: str = "export.cli.metavar.code"  # the translation key of the option's value in that help

    @property
    def optional(self) -> bool:
        """Whether the filter may be "all" (None): the sidebar offers it, a link may leave it out."""
        return self.default is None


# In the order a link is resolved and the sidebar draws them: each filter's values may depend on those
# before it (a municipality on the region, the range's start on the quarter). ``Filters`` keeps the
# order of the query string (``from`` before ``quarter``).
LANG = Filter(
    "lang", "lang", "filters.language", lambda o: LANGUAGES, lambda o: DEFAULT_LANGUAGE,
    names="language", widget="segmented", part=False, help="export.cli.help.lang",
)  # fmt: skip
PROJECT = Filter(
    "project", "project", "filters.project", lambda o: o.projects, lambda o: o.default_project,
    names="project", help="export.cli.help.project",
)  # fmt: skip
REGION = Filter(
    "region", "region", "filters.region", lambda o: o.choices.regions,
    names="region", help="export.cli.help.region",
)  # fmt: skip
MUNICIPALITY = Filter(
    "municipality", "municipality", "filters.municipality", _in_region,
    names="municipality", help="export.cli.help.municipality",
)  # fmt: skip
QUARTER = Filter(
    "quarter", "quarter", "filters.quarter", lambda o: o.choices.quarters, _latest,
    widget="slider", help="export.cli.help.quarter", metavar="export.cli.metavar.quarter",
)  # fmt: skip
QUARTER_FROM = Filter(
    "quarter_from", "from", "filters.quarter_range", _up_to_quarter, _first_quarter,
    widget="range", part=False,
)  # fmt: skip
AGE_GROUP = Filter(
    "age_group", "age", "filters.age_group", lambda o: AGE_GROUPS,
    names="label", help="export.cli.help.age",
)  # fmt: skip
GENDER = Filter(
    "gender", "gender", "filters.gender", lambda o: GENDERS,
    names="label", help="export.cli.help.gender",
)  # fmt: skip
FILTERS = (LANG, PROJECT, REGION, MUNICIPALITY, QUARTER, QUARTER_FROM, AGE_GROUP, GENDER)
PARAMS = {d.field: d.param for d in FILTERS}  # filter field -> query parameter name
NO_CHOICES = ProjectChoices((), "", {})  # before the project is resolved


def to_params(filters: Filters, choices: ProjectChoices | None = None) -> dict[str, str]:
    """Return the query string of a view: every set filter, ``from`` only when it is not the first quarter."""
    out = {PARAMS[k]: v for k, v in asdict(filters).items() if v not in (None, "")}
    if choices and choices.quarters and filters.quarter_from == choices.quarters[0]:
        out.pop(QUARTER_FROM.param, None)  # the range starts at the first quarter unless it says otherwise
    return out


def resolve(
    params: Mapping[str, str],
    projects: Sequence[str],
    default_project: str,
    choices_for: Callable[[str], ProjectChoices],
) -> tuple[Filters, ProjectChoices, list[Replaced]]:
    """Turn query values into valid filters; each invalid value falls back to its default and is reported.

    Each filter is read in the declared order, against what the filters before it allow; the project's
    choices are read once the project is known.
    """
    replaced: list[Replaced] = []
    values: dict[str, str | None] = {}
    choices = NO_CHOICES
    for d in FILTERS:
        offer = Offer(projects, default_project, choices, values)
        default = None if d.default is None else d.default(offer)
        value = params.get(d.param)
        if value is not None and value != "" and value not in d.allowed(offer):
            replaced.append(Replaced(d.param, value))
            value = None
        value = value or default
        values[d.field] = value if d.optional else (value or "")
        if d is PROJECT:
            choices = choices_for(values[d.field] or "")
    return Filters(**values), choices, replaced  # type: ignore[arg-type]


def constrain(filters: Filters, choices: ProjectChoices) -> Filters:
    """Bring filters back inside what the project offers after a change (e.g. a new project or region).

    Each filter after the project keeps its value if it is allowed given the filters before it, else it
    takes its default; a range whose start is after its (new) end starts at the end instead.
    """
    values = asdict(filters)
    for d in FILTERS[FILTERS.index(PROJECT) + 1 :]:  # the caller checks the project against the warehouse
        offer = Offer((), filters.project, choices, values)
        value = values[d.field]
        if value is None or value in d.allowed(offer):
            continue
        if d is QUARTER_FROM and value in choices.quarters:
            values[d.field] = values[QUARTER.field]
        else:
            values[d.field] = None if d.default is None else d.default(offer)
    return Filters(**values)
