"""The ingest benchmark's baseline: the clients contract checked with pandas + pandera.pandas.

Written as a competent pandas user would write it, not as a strawman: one ``read_csv`` with
``dtype=str`` (pandas 3 backs it with Arrow strings, so ``.str`` methods and regexes run in Arrow's C++),
vectorised parsing (``Series.map`` with dicts, ``to_datetime`` with an explicit ``format``) and one
``DataFrameSchema`` validated with ``lazy=True``, built-in checks where pandera has them and wide checks
for the rules that span columns. It checks what ``pipelines.ingest.validate_upload`` checks for a clients
file, in the same order (personal data first, then headers, then values), and uses the same patterns
for client ids and personal data so that both sides accept and reject the same cells.
Not checked here, which only makes the baseline faster: the second gate over the staging frame
(``schemas.STAGING``), ragged rows and encodings other than cp1252.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from pipelines import codes, pii
from pipelines.transform import CLIENT_ID, Context

FIELDS = codes.CLIENT_FIELDS
CATEGORIES = {
    "age_group": codes.AGE_GROUP,
    "gender": codes.GENDER,
    "status_at_entry": codes.STATUS,
    "status_at_exit": codes.STATUS,
    "pathway": codes.PATHWAY,
}
HEADERS = {codes.normalise(s.replace("_", " ")): f.name for f in FIELDS for s in (f.fi, f.en, f.name)}
LOOKUPS = {c: codes.spelling_map(m) for c, m in CATEGORIES.items()}
YES_NO = codes.spelling_map(codes.YES_NO)

# Headers only: every column is text and may be empty; required ones must be there, no others may.
RAW_SCHEMA = pa.DataFrameSchema(
    {f.name: pa.Column(str, nullable=True, required=f.required) for f in FIELDS},
    strict=True,
    name="clients file headers",
)

Found = list[tuple[int | None, str | None, str]]  # (Excel row, column, check) per problem


def fold(text: pd.Series) -> pd.Series:
    """Fold cells for matching as ``codes.normalise`` does: trimmed, lower case, en dash as hyphen."""
    return (
        text.str.strip()
        .str.lower()
        .str.replace("[\u2013\u2014]", "-", regex=True)
        .str.replace(r"\s+", " ", regex=True)
    )


def read(path: Path) -> pd.DataFrame:
    """Read a Finnish Excel CSV as text cells indexed by the Excel row number (header = row 1)."""
    frame = pd.read_csv(path, encoding="cp1252", sep=";", dtype=str, skip_blank_lines=False)
    frame = frame.apply(lambda column: column.str.strip()).replace("", None).dropna(how="all")
    frame.index += 2
    return frame


def personal_data(frame: pd.DataFrame) -> Found:
    """Find identity codes, e-mail addresses and phone numbers: one regex per column, then verify hits."""
    found = []
    for column in frame.columns:
        cells = frame[column]
        hits = cells[cells.str.contains(pii._CANDIDATE, regex=True, na=False)]
        found += [(row, column, kind) for row, cell in hits.items() for kind in pii._kinds(cell)]
    return found


def parse_date(text: pd.Series) -> pd.Series:
    """Parse ``d.m.yyyy`` (day first), falling back to ISO for the cells that are not Finnish dates."""
    parsed = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    rest = parsed.isna() & text.notna()
    if rest.any():
        parsed[rest] = pd.to_datetime(text[rest].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return parsed


def parse(frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Type a clients frame (canonical headers): codes, dates and booleans beside the raw text."""
    parsed = frame.add_prefix("raw_")
    parsed["client_id"] = frame["client_id"]
    key = fold(frame["municipality"])
    key = key.where(~key.str.fullmatch(r"\d{1,3}", na=False), key.str.zfill(3))
    parsed["municipality_code"] = key.map(ctx.municipalities)
    for column, lookup in LOOKUPS.items():
        parsed[column] = fold(frame[column]).map(lookup)
    parsed["start_date"] = parse_date(frame["start_date"])
    parsed["end_date"] = parse_date(frame["end_date"])
    parsed["is_long_term_unemployed"] = fold(frame["is_long_term_unemployed"]).map(YES_NO)
    return parsed


def _present(raw: str, parsed: str, code: str) -> pa.Check:
    """A cell that is filled in must parse (category, date, yes/no, municipality)."""
    return pa.Check(lambda df: df[f"raw_{raw}"].isna() | df[parsed].notna(), name=f"{raw}:{code}")


def schema(ctx: Context) -> pa.DataFrameSchema:
    """Return the contract rules for a parsed clients frame, one named check each."""
    start, end, q_end = (pd.Timestamp(d) for d in (ctx.project_start, ctx.project_end, ctx.quarter_end))
    required = ("client_id", "municipality", "age_group", "start_date", "status_at_entry")
    columns = {f"raw_{c}": pa.Column(str, nullable=False) for c in required}
    columns |= {
        "client_id": pa.Column(str, pa.Check.str_matches(CLIENT_ID), unique=True, nullable=True),
        "municipality_code": pa.Column(
            checks=pa.Check.isin(sorted(ctx.project_municipalities)), nullable=True
        ),
        "start_date": pa.Column(checks=[pa.Check.in_range(start, end), pa.Check.le(q_end)], nullable=True),
        "end_date": pa.Column(checks=pa.Check.le(q_end), nullable=True),
        "raw_coach": pa.Column(str, pa.Check.str_length(max_value=40), nullable=True),
    }
    ended = "raw_end_date"
    checks = [
        _present("municipality", "municipality_code", "unknown_municipality"),
        *(_present(c, c, "invalid_category") for c in CATEGORIES),
        *(_present(c, c, "invalid_date") for c in ("start_date", "end_date")),
        _present("is_long_term_unemployed", "is_long_term_unemployed", "invalid_yes_no"),
        pa.Check(
            lambda df: ~(df["end_date"] < df["start_date"]),  # NaT compares False: empty dates pass
            name="end_date:end_before_start",
        ),
        pa.Check(
            lambda df: df["raw_status_at_exit"].isna() | df[ended].notna(),
            name="status_at_exit:exit_status_while_active",
        ),
        pa.Check(
            lambda df: df["raw_pathway"].isna() | df[ended].notna(), name="pathway:pathway_while_active"
        ),
        pa.Check(lambda df: df[ended].isna() | df["raw_pathway"].notna(), name="pathway:pathway_required"),
        pa.Check(
            lambda df: (
                ~df["is_long_term_unemployed"].eq(True)
                | df["status_at_entry"].eq("unemployed")
                | df["status_at_entry"].isna()
            ),
            name="is_long_term_unemployed:long_term_not_unemployed",
        ),
    ]
    return pa.DataFrameSchema(columns, checks=checks, name="clients (pandas baseline)")


def _failures(err: SchemaErrors) -> Found:
    """Return one problem per (row, column, check); a wide check names its column in the check name."""
    found = set()
    cases = err.failure_cases[["schema_context", "column", "check", "failure_case", "index"]]
    for context, column, check, case, index in cases.itertuples(index=False):
        if context != "Column":  # a wide check ("pathway:pathway_required") or a header check
            column = str(check).split(":")[0] if ":" in str(check) else str(case)
        found.add((None if pd.isna(index) else int(index), column, str(check)))
    return sorted(found, key=lambda p: (p[0] or 0, p[1] or "", p[2]))


def validate(path: Path, ctx: Context) -> tuple[pd.DataFrame | None, Found]:
    """Check a clients file as ``validate_upload`` does; return (staging frame, []) or (None, problems)."""
    frame = read(path)
    if found := personal_data(frame):  # personal data first: nothing else looks at such a file
        return None, found
    frame.columns = [HEADERS.get(codes.normalise(c.replace("_", " ")), c) for c in frame.columns]
    try:
        RAW_SCHEMA.validate(frame, lazy=True)
    except SchemaErrors as err:
        return None, _failures(err)
    frame = frame.reindex(columns=[f.name for f in FIELDS])  # optional columns left out are empty
    parsed = parse(frame, ctx)
    try:
        schema(ctx).validate(parsed, lazy=True)
    except SchemaErrors as err:
        return None, _failures(err)
    staged = parsed[["municipality_code", "client_id", *CATEGORIES, "start_date", "end_date"]].assign(
        project_code=ctx.project_code,
        quarter=ctx.quarter,
        gender=parsed["gender"].fillna("unknown"),
        is_long_term_unemployed=parsed["is_long_term_unemployed"],
        coach=frame["coach"],
    )
    return staged, []
