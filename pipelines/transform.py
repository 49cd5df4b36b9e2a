"""Pure transforms: all-text upload frames -> typed frames with contract codes -> staging rows.

Every function here takes and returns Polars frames or expressions and touches no file or database,
so each can be tested with a three-row frame. Raw text stays beside each parsed value (``raw_<col>``)
so validation can report the cell exactly as the coordinator wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from pipelines import codes

ISO_DATE = r"^\d{4}-\d{1,2}-\d{1,2}( 00:00(:00)?)?$"
FINNISH_DATE = r"^\d{1,2}\.\d{1,2}\.\d{4}$"
CLIENT_ID = r"^[A-Za-z0-9_-]{3,20}$"
EVENT_ID = r"^[A-Za-z0-9_./-]{1,40}$"


@dataclass(frozen=True)
class Context:
    """What validation needs to know about the project and the warehouse, read before loading."""

    project_code: str
    quarter: str
    project_start: date
    project_end: date
    quarter_end: date
    municipalities: dict[str, str]  # normalised code / Finnish / Swedish name -> municipality code
    project_municipalities: frozenset[str]
    regions: dict[str, str]  # normalised code / name in fi, sv, en -> wellbeing region code
    existing_event_ids: frozenset[str] = frozenset()
    allowed_municipalities: frozenset[str] | None = None  # a coordinator's scope; None = whole project
    file_event_ids: frozenset[str] = field(default_factory=frozenset)  # events in the same workbook
    # The owner of each stored event: its municipality, None for an event of the whole wellbeing region.
    existing_event_municipalities: dict[str, str | None] = field(default_factory=dict)
    # The municipality of each event in the same workbook (attendance rows are checked against it).
    file_event_municipalities: dict[str, str | None] = field(default_factory=dict)
    municipality_regions: dict[str, str] = field(default_factory=dict)  # municipality -> region code
    municipality_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (fi, sv)

    @property
    def project_regions(self) -> frozenset[str]:
        """Return the wellbeing regions the project's municipalities lie in."""
        return frozenset(
            self.municipality_regions[m]
            for m in self.project_municipalities
            if m in self.municipality_regions
        )

    def event_municipality(self, event_id: str) -> str | None:
        """Return the municipality of an event in this upload, else of the stored event (None: region)."""
        if event_id in self.file_event_municipalities:
            return self.file_event_municipalities[event_id]
        return self.existing_event_municipalities.get(event_id)


def per_distinct(column: str, parse: Callable[[pl.Expr], pl.Expr], dtype: type[pl.DataType]) -> pl.Expr:
    """Parse each distinct cell of a text column once, then give every cell its parsed value.

    An upload repeats a few spellings (or a few hundred dates) thousands of times, so looking cells up
    in their parsed distinct values costs a fraction of parsing every cell; ``parse`` of null is null.
    """
    distinct = pl.col(column).drop_nulls().unique(maintain_order=True)
    return pl.col(column).replace_strict(distinct, parse(distinct), default=None, return_dtype=dtype)


def folded(text: pl.Expr) -> pl.Expr:
    """Fold text like ``codes.normalise``: trimmed, lower case, en dash as hyphen, single spaces."""
    return (
        text.str.strip_chars()
        .str.to_lowercase()
        .str.replace_all("[\u2013\u2014]", "-")
        .str.replace_all(r"\s+", " ")
    )


def _lookup(key: pl.Expr, lookup: dict, dtype: type[pl.DataType]) -> pl.Expr:
    """Map folded keys through ``lookup``; a key it does not hold becomes null."""
    return key.replace_strict(list(lookup), list(lookup.values()), default=None, return_dtype=dtype)


def _padded(text: pl.Expr, digits: int) -> pl.Expr:
    """Fold a code-or-name cell; a code of up to ``digits`` digits gets its leading zeros back."""
    key = folded(text)
    return pl.when(key.str.contains(rf"^\d{{1,{digits}}}$")).then(key.str.zfill(digits)).otherwise(key)


def coded(column: str, mapping: dict) -> pl.Expr:
    """Map accepted spellings to the stored code; unknown spellings become null."""
    lookup = {spelling: str(code) for spelling, code in codes.spelling_map(mapping).items()}
    return per_distinct(column, lambda text: _lookup(folded(text), lookup, pl.String), pl.String)


def yes_no(column: str) -> pl.Expr:
    """Parse kyllä/ei, yes/no, k/e, y/n, 1/0, true/false; anything else becomes null."""
    lookup = codes.spelling_map(codes.YES_NO)
    return per_distinct(column, lambda text: _lookup(folded(text), lookup, pl.Boolean), pl.Boolean)


def _date(text: pl.Expr) -> pl.Expr:
    """Parse text of exactly one of the two date forms; the patterns reject 2-digit years (31.7.23)."""
    text = text.str.strip_chars()
    finnish = pl.when(text.str.contains(FINNISH_DATE)).then(
        text.str.strptime(pl.Date, "%d.%m.%Y", strict=False)
    )
    iso = pl.when(text.str.contains(ISO_DATE)).then(
        text.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    )
    return pl.coalesce(finnish, iso)


def parsed_date(column: str) -> pl.Expr:
    """Parse ``d.m.yyyy`` or ISO ``yyyy-mm-dd`` (xlsx date cells arrive as ISO text); else null."""
    return per_distinct(column, _date, pl.Date)


def municipality_code(column: str, lookup: dict[str, str]) -> pl.Expr:
    """Resolve a municipality by code (leading zeros optional), Finnish or Swedish name."""
    return per_distinct(column, lambda text: _lookup(_padded(text, 3), lookup, pl.String), pl.String)


def region_code(column: str, lookup: dict[str, str]) -> pl.Expr:
    """Resolve a wellbeing region by its two-digit code or any of its names."""
    return per_distinct(column, lambda text: _lookup(_padded(text, 2), lookup, pl.String), pl.String)


def _with_raw(frame: pl.DataFrame, columns: list[str]) -> list[pl.Expr]:
    return [pl.col(c).alias(f"raw_{c}") for c in columns if c in frame.columns]


def parse_clients(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Type a clients frame (canonical headers, all text): codes, dates and booleans beside raw text."""
    return frame.select(
        "excel_row",
        *_with_raw(frame, [f.name for f in codes.CLIENT_FIELDS]),
        pl.col("client_id").str.strip_chars(),
        municipality_code("municipality", ctx.municipalities).alias("municipality_code"),
        coded("age_group", codes.AGE_GROUP).alias("age_group"),
        coded("gender", codes.GENDER).alias("gender"),
        parsed_date("start_date").alias("start_date"),
        parsed_date("end_date").alias("end_date"),
        coded("status_at_entry", codes.STATUS).alias("status_at_entry"),
        yes_no("is_long_term_unemployed").alias("is_long_term_unemployed"),
        coded("status_at_exit", codes.STATUS).alias("status_at_exit"),
        coded("pathway", codes.PATHWAY).alias("pathway"),
        pl.col("coach").str.strip_chars(),
    )


def parse_events(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Type an events frame: dates, event type and delivery codes, region and municipality codes."""
    return frame.select(
        "excel_row",
        *_with_raw(frame, [f.name for f in codes.EVENT_FIELDS]),
        pl.col("event_id").str.strip_chars(),
        pl.col("title").str.strip_chars(),
        parsed_date("event_date").alias("event_date"),
        coded("event_type", codes.EVENT_TYPE).alias("event_type"),
        coded("delivery", codes.DELIVERY).alias("delivery"),
        region_code("wellbeing_region", ctx.regions).alias("wellbeing_region_code"),
        municipality_code("municipality", ctx.municipalities).alias("municipality_code"),
    )


def parse_attendance(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Type an attendance frame: sector code and participant count (whole numbers only)."""
    count = pl.col("n_participants").str.strip_chars()
    return frame.select(
        "excel_row",
        *_with_raw(frame, [f.name for f in codes.ATTENDANCE_FIELDS]),
        pl.col("event_id").str.strip_chars(),
        coded("sector", codes.SECTOR).alias("sector"),
        pl.when(count.str.contains(r"^[0-9]{1,7}$")).then(count.cast(pl.Int32)).alias("n_participants"),
    )


PARSERS = {"clients": parse_clients, "events": parse_events, "attendance": parse_attendance}


def to_staging(parsed: pl.DataFrame, kind: str, ctx: Context) -> pl.DataFrame:
    """Select the staging columns of a validated frame, stamped with project (and quarter for clients)."""
    project = pl.lit(ctx.project_code).alias("project_code")
    if kind == "clients":
        return parsed.select(
            project,
            pl.lit(ctx.quarter).alias("quarter"),
            "municipality_code",
            "client_id",
            "age_group",
            pl.col("gender").fill_null("unknown"),
            "start_date",
            "end_date",
            "status_at_entry",
            "is_long_term_unemployed",
            "status_at_exit",
            "pathway",
            "coach",
        )
    if kind == "events":
        return parsed.select(
            project,
            "event_id",
            "title",
            "event_date",
            "event_type",
            "delivery",
            "wellbeing_region_code",
            "municipality_code",
        )
    return parsed.select(project, "event_id", "sector", "n_participants")
