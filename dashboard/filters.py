"""The shared filters (rajaukset) and their URL form: pure, so a link's meaning can be tested directly.

Every filter lives in the query string under a short stable name and a language-independent code
(``?lang=sv&project=VALPAS2&municipality=678&quarter=2023Q2``), so a copied link reopens the same view on
any page and in any language. ``resolve`` turns untrusted query values into valid filters, reporting
each value it had to replace by its default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from pipelines import codes
from pipelines.i18n import DEFAULT_LANGUAGE, LANGUAGES

# filter field -> query parameter name
PARAMS = {
    "lang": "lang",
    "project": "project",
    "region": "region",
    "municipality": "municipality",
    "quarter_from": "from",
    "quarter": "quarter",
    "age_group": "age",
    "gender": "gender",
}
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


def to_params(filters: Filters, choices: ProjectChoices | None = None) -> dict[str, str]:
    """Return the query string of a view: every set filter, ``from`` only when it is not the first quarter."""
    out = {PARAMS[k]: v for k, v in asdict(filters).items() if v not in (None, "")}
    if choices and choices.quarters and filters.quarter_from == choices.quarters[0]:
        out.pop(PARAMS["quarter_from"], None)
    return out


def resolve(
    params: Mapping[str, str],
    projects: Sequence[str],
    default_project: str,
    choices_for: Callable[[str], ProjectChoices],
) -> tuple[Filters, ProjectChoices, list[Replaced]]:
    """Turn query values into valid filters; each invalid value falls back to its default and is reported."""
    replaced: list[Replaced] = []

    def pick(field: str, allowed: Sequence[str], default: str | None) -> str | None:
        value = params.get(PARAMS[field])
        if value is None or value == "":
            return default
        if value in allowed:
            return value
        replaced.append(Replaced(PARAMS[field], value))
        return default

    lang = pick("lang", LANGUAGES, DEFAULT_LANGUAGE)
    project = pick("project", projects, default_project)
    choices = choices_for(project)
    region = pick("region", choices.regions, None)
    in_region = [m for m, r in choices.municipalities.items() if region is None or r == region]
    municipality = pick("municipality", in_region, None)
    quarter = pick("quarter", choices.quarters, choices.default_quarter)
    first = choices.quarters[0] if choices.quarters else ""
    up_to = list(choices.quarters[: choices.quarters.index(quarter) + 1]) if quarter else []
    quarter_from = pick("quarter_from", up_to, first)
    filters = Filters(
        lang=lang or DEFAULT_LANGUAGE,
        project=project or "",
        region=region,
        municipality=municipality,
        quarter_from=quarter_from or "",
        quarter=quarter or "",
        age_group=pick("age_group", AGE_GROUPS, None),
        gender=pick("gender", GENDERS, None),
    )
    return filters, choices, replaced


def constrain(filters: Filters, choices: ProjectChoices) -> Filters:
    """Bring filters back inside what the project offers after a change (e.g. a new project or region)."""
    region = filters.region if filters.region in choices.regions else None
    municipality = filters.municipality if filters.municipality in choices.municipalities else None
    if municipality and region and choices.municipalities[municipality] != region:
        municipality = None
    quarters = list(choices.quarters)
    quarter = filters.quarter if filters.quarter in quarters else choices.default_quarter
    first = quarters[0] if quarters else ""
    quarter_from = filters.quarter_from if filters.quarter_from in quarters else first
    if quarters and quarter and quarters.index(quarter_from) > quarters.index(quarter):
        quarter_from = quarter
    return replace(
        filters, region=region, municipality=municipality, quarter=quarter, quarter_from=quarter_from
    )
