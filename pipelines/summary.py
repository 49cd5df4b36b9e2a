"""Headline figures of a project computed from the marts (``python -m pipelines summary``)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines import codes, indicators

SQL = Path(__file__).parent / "sql" / "summary"


def _query(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> list[tuple]:
    return con.execute((SQL / f"{name}.sql").read_text(encoding="utf-8"), params).fetchall()


def latest_quarter(con: duckdb.DuckDBPyConnection, project_code: str) -> str | None:
    """Return the latest quarter with client data for the project."""
    return _query(con, "latest_quarter", {"project": project_code})[0][0]


def summary(
    con: duckdb.DuckDBPyConnection, project_code: str, quarter: str, municipality: str | None = None
) -> dict[str, object]:
    """Return the headline figures as at ``quarter``: client counts by status and pathway, coaches,
    progressed shares, and participations cumulative to the quarter's end."""
    params = {"project": project_code, "quarter": quarter, "municipality": municipality}
    rows = _query(con, "client_breakdown", params)
    entry = dict.fromkeys(codes.STATUS, 0)
    exit_ = dict.fromkeys(codes.STATUS, 0)
    pathways = dict.fromkeys(codes.PATHWAY, 0)
    n_clients = n_progressed = n_not_progressed = 0
    for status_at_entry, status_at_exit, pathway, is_progressed, n in rows:
        n_clients += n
        entry[status_at_entry] += n
        if status_at_exit is not None:
            exit_[status_at_exit] += n
        if pathway is not None:
            pathways[pathway] += n
        n_progressed += n if is_progressed is True else 0
        n_not_progressed += n if is_progressed is False else 0
    return {
        "project": project_code,
        "quarter": quarter,
        "municipality": municipality,
        "n_clients": n_clients,
        "n_coaches": _query(con, "coaches", params)[0][0],
        "status_at_entry": entry,
        "status_at_exit": exit_,
        "pathways": pathways,
        "n_progressed": n_progressed,
        "n_not_progressed": n_not_progressed,
        "share_progressed": n_progressed / n_clients if n_clients else None,
        "n_professional_participations": _query(con, "participations", params)[0][0],
        "n_open_event_reach": _query(con, "open_event_reach", params)[0][0],
        "municipalities": [r[0] for r in _query(con, "municipalities", params)],
        **programme_indicators(con, params),
    }


def programme_indicators(con: duckdb.DuckDBPyConnection, params: dict) -> dict[str, object]:
    """Return the project's programme and ``{code: count}`` of its indicators the data support.

    A project whose programme no source names gets ``None`` for both, rather than a guess.
    """
    found = _query(con, "programme", {"project": params["project"]})
    programme_code, label = found[0] if found else (None, None)
    if programme_code is None:
        return {"indicator_programme": None, "indicators": None}
    rows = _query(con, "client_profile", params)
    # typed, so that a selection without clients (a quarter before the data, a municipality without a
    # list) counts 0 for each indicator instead of summing a column of no type to None
    text, flag = pl.String, pl.Boolean
    schema = {"age_group": text, "gender": text, "status_at_entry": text, "is_long_term_unemployed": flag}
    schema |= {"is_active": flag, "status_at_exit": text, "pathway": text, "n_clients": pl.Int64}
    profile = pl.DataFrame(rows, schema=schema, orient="row")
    return {"indicator_programme": label, "indicators": indicators.codes_and_counts(profile, programme_code)}
