"""Pandera schemas: every rule of the data contract, checked lazily so all problems come at once.

Each upload kind has an input schema over the parsed frame (``transform.parse_*``: typed values beside
``raw_<col>`` text) whose checks are named ``"<column>:<code>"``; ``problems()`` turns pandera's failure
cases into ``Problem``s with the Excel row, the header as written and the raw cell. A staging schema per
kind states the typed rows that will be loaded (types, codes, keys); ``staged`` checks their shape as the
last gate before the warehouse, and the tests check them in full.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from pipelines import codes, explain, quarters
from pipelines.problems import Problem, sort_problems
from pipelines.transform import CLIENT_ID, EVENT_ID, Context


@dataclass(frozen=True)
class Rule:
    """One contract rule: ``ok`` is True for rows that pass (nulls pass unless the rule is about them)."""

    column: str
    code: str
    ok: pl.Expr
    params: tuple[tuple[str, str], ...] = ()


def _raw(c: str) -> pl.Expr:
    return pl.col(f"raw_{c}")


def _required(c: str) -> Rule:
    return Rule(c, "required", _raw(c).is_not_null())


def _category(c: str, parsed: str, mapping: dict) -> Rule:
    expected_fi = ", ".join(s[0] for s in mapping.values())
    expected_en = ", ".join(s[-1] if len(s) > 1 else s[0] for s in mapping.values())
    ok = _raw(c).is_null() | pl.col(parsed).is_not_null()
    return Rule(c, "invalid_category", ok, (("expected_fi", expected_fi), ("expected_en", expected_en)))


def _date(c: str) -> Rule:
    return Rule(c, "invalid_date", _raw(c).is_null() | pl.col(c).is_not_null())


def _fmt(d) -> str:
    return f"{d.day}.{d.month}.{d.year}"


def _within_project(c: str, ctx: Context) -> Rule:
    ok = pl.col(c).is_null() | pl.col(c).is_between(pl.lit(ctx.project_start), pl.lit(ctx.project_end))
    return Rule(
        c, "date_outside_project", ok, (("start", _fmt(ctx.project_start)), ("end", _fmt(ctx.project_end)))
    )


def _not_after_quarter(c: str, ctx: Context) -> Rule:
    ok = pl.col(c).is_null() | (pl.col(c) <= pl.lit(ctx.quarter_end))
    return Rule(c, "date_after_quarter", ok, (("quarter", ctx.quarter), ("end", _fmt(ctx.quarter_end))))


def client_rules(ctx: Context) -> list[Rule]:
    """Return the rules for a clients file (asiakkaat): one row per client."""
    ended = _raw("end_date").is_not_null()
    municipality_known = pl.col("municipality_code").is_not_null()
    rules = [
        _required("client_id"),
        Rule(
            "client_id",
            "client_id_format",
            _raw("client_id").is_null() | pl.col("client_id").str.contains(CLIENT_ID),
        ),
        Rule(
            "client_id",
            "duplicate_client_id",
            pl.col("client_id").is_null() | ~pl.col("client_id").is_duplicated(),
        ),
        _required("municipality"),
        Rule("municipality", "unknown_municipality", _raw("municipality").is_null() | municipality_known),
        Rule(
            "municipality",
            "municipality_not_in_project",
            ~municipality_known | pl.col("municipality_code").is_in(sorted(ctx.project_municipalities)),
            (("project", ctx.project_code),),
        ),
        _required("age_group"),
        _category("age_group", "age_group", codes.AGE_GROUP),
        _category("gender", "gender", codes.GENDER),
        _required("start_date"),
        _date("start_date"),
        _within_project("start_date", ctx),
        _not_after_quarter("start_date", ctx),
        _date("end_date"),
        Rule(
            "end_date",
            "end_before_start",
            pl.col("end_date").is_null()
            | pl.col("start_date").is_null()
            | (pl.col("end_date") >= pl.col("start_date")),
        ),
        _not_after_quarter("end_date", ctx),
        _required("status_at_entry"),
        _category("status_at_entry", "status_at_entry", codes.STATUS),
        Rule(
            "is_long_term_unemployed",
            "invalid_yes_no",
            _raw("is_long_term_unemployed").is_null() | pl.col("is_long_term_unemployed").is_not_null(),
        ),
        Rule(
            "is_long_term_unemployed",
            "long_term_not_unemployed",
            ~pl.col("is_long_term_unemployed").fill_null(False)
            | (pl.col("status_at_entry") == "unemployed").fill_null(True),
        ),
        _category("status_at_exit", "status_at_exit", codes.STATUS),
        Rule("status_at_exit", "exit_status_while_active", _raw("status_at_exit").is_null() | ended),
        _category("pathway", "pathway", codes.PATHWAY),
        Rule("pathway", "pathway_while_active", _raw("pathway").is_null() | ended),
        Rule("pathway", "pathway_required", ~ended | _raw("pathway").is_not_null()),
        Rule("coach", "text_too_long", _raw("coach").is_null() | (_raw("coach").str.len_chars() <= 40)),
    ]
    # A clients upload is one municipality's whole list (it replaces that list): the list is the
    # municipality most of its rows name (the first of them on a tie), and a row of another one is an error
    # rather than a one-row list that would replace that municipality's real one.
    in_project = municipality_known & pl.col("municipality_code").is_in(sorted(ctx.project_municipalities))
    rank = pl.len().over("municipality_code") * (1 << 32) - pl.col("excel_row").min().over(
        "municipality_code"
    )
    rules.append(
        Rule("municipality", "other_municipality", ~in_project | (rank == rank.filter(in_project).max()))
    )
    return rules


def event_rules(ctx: Context) -> list[Rule]:
    """Return the rules for an events file (tapahtumat): one row per event for professionals."""
    municipality_known = pl.col("municipality_code").is_not_null()
    region = pl.col("wellbeing_region_code")
    in_project = municipality_known & pl.col("municipality_code").is_in(sorted(ctx.project_municipalities))
    municipality_region = pl.col("municipality_code").replace_strict(
        ctx.municipality_regions, default=None, return_dtype=pl.String
    )
    return [
        _required("event_id"),
        Rule(
            "event_id",
            "event_id_format",
            _raw("event_id").is_null() | pl.col("event_id").str.contains(EVENT_ID),
        ),
        Rule(
            "event_id",
            "duplicate_event_id",
            pl.col("event_id").is_null() | ~pl.col("event_id").is_duplicated(),
        ),
        _required("title"),
        Rule("title", "text_too_long", _raw("title").is_null() | (_raw("title").str.len_chars() <= 200)),
        _required("event_date"),
        _date("event_date"),
        _within_project("event_date", ctx),
        _required("event_type"),
        _category("event_type", "event_type", codes.EVENT_TYPE),
        _required("delivery"),
        _category("delivery", "delivery", codes.DELIVERY),
        _required("wellbeing_region"),
        Rule(
            "wellbeing_region",
            "unknown_region",
            _raw("wellbeing_region").is_null() | pl.col("wellbeing_region_code").is_not_null(),
        ),
        Rule("municipality", "unknown_municipality", _raw("municipality").is_null() | municipality_known),
        Rule(
            "municipality",
            "municipality_not_in_project",
            ~municipality_known | in_project,
            (("project", ctx.project_code),),
        ),
        Rule(
            "wellbeing_region",
            "region_not_in_project",
            region.is_null() | region.is_in(sorted(ctx.project_regions)),
            (("project", ctx.project_code),),
        ),
        Rule(
            "municipality",
            "municipality_not_in_region",
            ~in_project | region.is_null() | (municipality_region == region).fill_null(True),
        ),
        *_event_scope_rules(ctx),
    ]


def _event_scope_rules(ctx: Context) -> list[Rule]:
    """A coordinator writes only their municipalities' events; events of the whole region need project scope.

    An event's owner is the municipality of the stored event: an upload may not move another municipality's
    event (or a region event, which has none) into its own, nor overwrite it.
    """
    allowed = ctx.allowed_municipalities
    if allowed is None:
        return []
    foreign = sorted(e for e, m in ctx.existing_event_municipalities.items() if m not in allowed)
    municipality = pl.col("municipality_code")
    return [
        Rule("municipality", "out_of_scope", municipality.is_null() | municipality.is_in(sorted(allowed))),
        Rule("municipality", "region_event_project_only", _raw("municipality").is_not_null()),
        Rule(
            "event_id",
            "event_owned_elsewhere",
            pl.col("event_id").is_null() | ~pl.col("event_id").is_in(foreign),
        ),
    ]


def attendance_rules(ctx: Context) -> list[Rule]:
    """Return the rules for an attendance file (osallistumiset): one row per event and sector."""
    known = sorted(ctx.existing_event_ids | ctx.file_event_ids)
    key = pl.struct("event_id", "sector")
    return [
        _required("event_id"),
        Rule("event_id", "unknown_event", pl.col("event_id").is_null() | pl.col("event_id").is_in(known)),
        _required("sector"),
        _category("sector", "sector", codes.SECTOR),
        Rule("sector", "duplicate_attendance", pl.col("sector").is_null() | ~key.is_duplicated()),
        _required("n_participants"),
        Rule(
            "n_participants",
            "invalid_count",
            _raw("n_participants").is_null() | (pl.col("n_participants").fill_null(0) >= 1),
        ),
        Rule(
            "n_participants",
            "count_too_large",
            pl.col("n_participants").is_null() | (pl.col("n_participants") <= MAX_PARTICIPANTS),
            (("max", f"{MAX_PARTICIPANTS:,}".replace(",", "\u00a0")),),
        ),
        *_attendance_scope_rules(ctx),
    ]


def _attendance_scope_rules(ctx: Context) -> list[Rule]:
    """A coordinator writes attendance only of their municipalities' events (region events: project scope)."""
    allowed = ctx.allowed_municipalities
    if allowed is None:
        return []
    known = ctx.existing_event_ids | ctx.file_event_ids
    foreign = sorted(e for e in known if ctx.event_municipality(e) not in allowed)
    return [
        Rule(
            "event_id",
            "event_out_of_scope",
            pl.col("event_id").is_null() | ~pl.col("event_id").is_in(foreign),
        )
    ]


# Participations of one sector at one event: the largest VALPAS 2 event had 126, a national webinar may have
# a few thousand; 10 000 catches a slipped finger (9 999 999) without refusing any real event.
MAX_PARTICIPANTS = 10_000

RULES = {"clients": client_rules, "events": event_rules, "attendance": attendance_rules}
GRAIN = {
    "clients": "One row per client in a municipality's full client list as at the quarter's end.",
    "events": "One row per event (training, seminar, workshop) for professionals.",
    "attendance": "One row per event and professional sector: the number of participations.",
}


def input_schema(kind: str, ctx: Context) -> pa.DataFrameSchema:
    """Build the pandera schema of a parsed upload frame: one named check per contract rule."""
    rules = RULES[kind](ctx)
    checks = [
        pa.Check(lambda data, ok=r.ok: data.lazyframe.select(ok), name=f"{r.column}:{r.code}") for r in rules
    ]
    return pa.DataFrameSchema(
        {"excel_row": pa.Column(pl.Int64)}, checks=checks, name=kind, description=GRAIN[kind]
    )


def problems(parsed: pl.DataFrame, kind: str, ctx: Context, headers: dict[str, str]) -> list[Problem]:
    """Validate lazily and return every problem with its Excel row, header as written and raw value."""
    rules = {f"{r.column}:{r.code}": r for r in RULES[kind](ctx)}
    try:
        input_schema(kind, ctx).validate(parsed, lazy=True)
    except SchemaErrors as err:
        cases = err.failure_cases.filter(pl.col("check").is_in(list(rules))).select("check", "index")
        found = []
        for check, index in cases.unique().iter_rows():
            rule = rules[check]
            row = parsed.row(index, named=True)
            problem = Problem(
                code=rule.code,
                row=row["excel_row"],
                column=headers.get(rule.column, rule.column),
                value=row.get(f"raw_{rule.column}"),
                params=dict(rule.params),
            )
            found.append(explain.explained(problem, ctx))
        return sort_problems(explain.with_scope(found, parsed, kind, ctx))
    return explain.with_scope([], parsed, kind, ctx)


def _codes_of(mapping: dict) -> list[str]:
    return [str(c) for c in mapping]


STAGING = {
    "clients": pa.DataFrameSchema(
        {
            "project_code": pa.Column(pl.String),
            "quarter": pa.Column(pl.String, pa.Check.str_matches(quarters.PATTERN.pattern)),
            "municipality_code": pa.Column(pl.String, pa.Check.str_matches(r"^\d{3}$")),
            "client_id": pa.Column(pl.String, unique=True),
            "age_group": pa.Column(pl.String, pa.Check.isin(_codes_of(codes.AGE_GROUP))),
            "gender": pa.Column(pl.String, pa.Check.isin(_codes_of(codes.GENDER))),
            "start_date": pa.Column(pl.Date),
            "end_date": pa.Column(pl.Date, nullable=True),
            "status_at_entry": pa.Column(pl.String, pa.Check.isin(_codes_of(codes.STATUS))),
            "is_long_term_unemployed": pa.Column(pl.Boolean, nullable=True),
            "status_at_exit": pa.Column(pl.String, pa.Check.isin(_codes_of(codes.STATUS)), nullable=True),
            "pathway": pa.Column(pl.String, pa.Check.isin(_codes_of(codes.PATHWAY)), nullable=True),
            "coach": pa.Column(pl.String, nullable=True),
        },
        name="staging.clients",
        description="One row per client per uploaded (project, municipality, quarter) snapshot.",
        strict=True,
        ordered=True,
    ),
    "events": pa.DataFrameSchema(
        {
            "project_code": pa.Column(pl.String),
            "event_id": pa.Column(pl.String, unique=True),
            "title": pa.Column(pl.String),
            "event_date": pa.Column(pl.Date),
            "event_type": pa.Column(pl.String, pa.Check.isin(_codes_of(codes.EVENT_TYPE))),
            "delivery": pa.Column(pl.String, pa.Check.isin(_codes_of(codes.DELIVERY))),
            "wellbeing_region_code": pa.Column(pl.String, pa.Check.str_matches(r"^\d{2}$")),
            "municipality_code": pa.Column(pl.String, nullable=True),
        },
        name="staging.events",
        description="One row per event for professionals.",
        strict=True,
        ordered=True,
    ),
    "attendance": pa.DataFrameSchema(
        {
            "project_code": pa.Column(pl.String),
            "event_id": pa.Column(pl.String),
            "sector": pa.Column(pl.String, pa.Check.isin(_codes_of(codes.SECTOR))),
            "n_participants": pa.Column(pl.Int32, pa.Check.ge(1)),
        },
        name="staging.attendance",
        description="One row per event and professional sector.",
        strict=True,
        ordered=True,
        unique=["event_id", "sector"],
    ),
}

# How deep ``staged`` checks at run time. The staging schema's value checks (codes, unique ids, code shapes)
# repeat what the input schema has just checked row by row, and took a fifth of validating 100 000 clients
# (benchmarks/README.md); so uploads check the shape only (columns, order, types), and the tests set
# SCHEMA_AND_DATA for every file they load (tests/conftest.py), where a transform bug would show.
STAGING_DEPTH = ValidationDepth.SCHEMA_ONLY


def staged(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Check rows about to be loaded against the staging schema of ``kind``, at ``STAGING_DEPTH``."""
    with config_context(validation_depth=STAGING_DEPTH):
        return STAGING[kind].validate(frame)
