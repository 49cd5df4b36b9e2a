"""EU common indicators (yhteiset indikaattorit) of a project's programme, computed from client counts.

The definitions, their codes and their sources live in ``data/reference/indicators.csv`` (loaded into
``ref.indicators``); this module holds the one rule per indicator key that says who is counted and out of
whom. Output indicators count participants by their situation at entry. Immediate result indicators count
a **change of situation** between entry and leaving, as the Commission's guidance defines them: CR01 /
EECR01 counts only participants inactive at entry (students are inactive) who are job searching upon
leaving; CR04 / EECR04 only those not employed at entry who are employed upon leaving.

Pure functions on a client profile frame (one row per combination of client attributes with
``n_clients``, as ``sql/shared/client_profiles.sql`` returns to the pages and to ``pipelines.summary``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
GENDERS = ("woman", "man", "other")  # the breakdown the regulations ask for (ESF+ adds non-binary)

_entry, _exit = pl.col("status_at_entry"), pl.col("status_at_exit")
_ended = ~pl.col("is_active")
_inactive_at_entry = _entry.is_in(["outside_labour_force", "in_education"])
_long_term = pl.col("is_long_term_unemployed").fill_null(False)
_ALL = pl.lit(True)
_NONE = pl.lit(False)  # the contract's age groups end at 40: nobody is above 54

# key -> (who is counted, out of whom). Keys are those of ref.indicators; one rule serves both programmes.
RULES: dict[str, tuple[pl.Expr, pl.Expr]] = {
    "total_participants": (_ALL, _ALL),
    "unemployed": (_entry == "unemployed", _ALL),
    "long_term_unemployed": ((_entry == "unemployed") & _long_term, _ALL),
    "inactive": (_inactive_at_entry, _ALL),
    "inactive_not_in_education": (_entry == "outside_labour_force", _ALL),
    "employed": (_entry == "employed", _ALL),
    "below_25": (pl.col("age_group").is_in(["15-17", "18-24"]), _ALL),
    "below_18": (pl.col("age_group") == "15-17", _ALL),
    "aged_18_29": (pl.col("age_group").is_in(["18-24", "25-29"]), _ALL),
    "above_54": (_NONE, _ALL),
    "above_54_unemployed_or_inactive": (_NONE, _ALL),
    "aged_55_plus": (_NONE, _ALL),
    "inactive_newly_job_searching": (_exit == "unemployed", _ended & _inactive_at_entry),
    "job_searching_upon_leaving": (_exit == "unemployed", _ended & _inactive_at_entry),
    "in_education_upon_leaving": (_exit == "in_education", _ended & (_entry != "in_education")),
    "employed_upon_leaving": (_exit == "employed", _ended & (_entry != "employed")),
}
# The ESF 2014-2020 total is "calculated automatically from the output indicators": CO01 + CO03 + CO05.
_KNOWN_STATUS = _entry.is_in(["unemployed", "outside_labour_force", "in_education", "employed"])
_PROGRAMME_RULES = {("ESF2014", "total_participants"): (_KNOWN_STATUS, _ALL)}
# key -> whom the share is of (the base of ``RULES``), for the page's "out of" column
BASES = {
    "inactive_newly_job_searching": "inactive_leavers",
    "job_searching_upon_leaving": "inactive_leavers",
    "in_education_upon_leaving": "not_in_education_leavers",
    "employed_upon_leaving": "not_employed_leavers",
}
_PROGRAMME_BASES = {("ESF2014", "total_participants"): "all"}
# key -> the name a programme gives its row when it differs from the key's own name: the ESF 2014-2020
# total leaves out a participant whose status at entry is not known, so its row says whom it counts.
_PROGRAMME_LABELS = {("ESF2014", "total_participants"): "total_participants_known_status"}


def label_of(programme_code: str, key: str) -> str:
    """Return the translation key (under ``indicator.``) that names an indicator's row in a programme."""
    return _PROGRAMME_LABELS.get((programme_code, key), key)


def base_of(programme_code: str, key: str) -> str:
    """Name the group an indicator's share is of (``all`` for the output indicators)."""
    return _PROGRAMME_BASES.get((programme_code, key)) or BASES.get(key, "all")


@dataclass(frozen=True)
class Definition:
    """One row of ref.indicators: an indicator of a programme, its official name, rule and source."""

    programme_code: str
    indicator_code: str  # "" for the ESF 2014-2020 total, which has no code of its own
    kind: str  # output | result
    key: str
    name_en: str
    rule: str
    is_collected: bool
    source: str


def definitions(programme_code: str, folder: Path = REFERENCE) -> list[Definition]:
    """Return the programme's indicators in the order of the reference file."""
    with open(folder / "indicators.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["programme_code"] == programme_code]
    return [
        Definition(**{**r, "is_collected": r["is_collected"] == "yes"})  # type: ignore[arg-type]
        for r in rows
    ]


def rule(programme_code: str, key: str) -> tuple[pl.Expr, pl.Expr]:
    """Return (counted, base) filters of one indicator."""
    return _PROGRAMME_RULES.get((programme_code, key)) or RULES[key]


def compute(profile: pl.DataFrame, programme_code: str, folder: Path = REFERENCE) -> pl.DataFrame:
    """Return one row per indicator of the programme: its count, base and counts by gender.

    Columns: indicator_code, key, kind, is_collected, n, n_base, n_woman, n_man, n_other (null where the
    data do not collect what the indicator needs).
    """
    rows = []
    for d in definitions(programme_code, folder):
        row: dict[str, object] = {
            "indicator_code": d.indicator_code,
            "key": d.key,
            "kind": d.kind,
            "is_collected": d.is_collected,
        }
        if d.is_collected:
            counted, base = rule(programme_code, d.key)
            in_base = profile.filter(base)
            hit = in_base.filter(counted)
            row |= {"n": int(hit["n_clients"].sum()), "n_base": int(in_base["n_clients"].sum())}
            by_gender = dict(hit.group_by("gender").agg(pl.col("n_clients").sum()).iter_rows())
            row |= {f"n_{g}": int(by_gender.get(g, 0)) for g in GENDERS}
        rows.append(row)
    schema = {
        "indicator_code": pl.String,
        "key": pl.String,
        "kind": pl.String,
        "is_collected": pl.Boolean,
        "n": pl.Int64,
        "n_base": pl.Int64,
        **{f"n_{g}": pl.Int64 for g in GENDERS},
    }
    return pl.DataFrame(rows, schema=schema)


def codes_and_counts(profile: pl.DataFrame, programme_code: str) -> dict[str, int]:
    """Return ``{code: count}`` for every coded indicator the data support (for ``summary --format json``)."""
    table = compute(profile, programme_code).filter(pl.col("is_collected") & (pl.col("indicator_code") != ""))
    return dict(table.select("indicator_code", "n").iter_rows())
