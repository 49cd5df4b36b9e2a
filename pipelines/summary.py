"""A project's headline figures computed from the marts (``python -m pipelines summary``, upload preview).

The figures are the pages' own: the client rows, coaches and participations come from the queries in
``sql/shared/``, which the dashboard runs under the same names (``dashboard/db.py``), and the counting is
``pipelines.counts``, which the pages count with too. So the preview a coordinator confirms is what the
overview then shows (issue 14, ``tests/dashboard/test_one_summary.py``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines import counts, indicators

SQL = Path(__file__).parent / "sql" / "summary"
SHARED = Path(__file__).parent / "sql" / "shared"  # the queries the pages run too (dashboard.db.QUERY_DIRS)
WHOLE = {"region": None, "age_group": None, "gender": None}  # the summary narrows by municipality only


def _query(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> list[tuple]:
    return con.execute((SQL / f"{name}.sql").read_text(encoding="utf-8"), params).fetchall()


def shared(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """Return the result of ``sql/shared/<name>.sql``, a query the pages run through ``dashboard.db``."""
    return con.sql((SHARED / f"{name}.sql").read_text(encoding="utf-8"), params=params).pl()


def latest_quarter(con: duckdb.DuckDBPyConnection, project_code: str) -> str | None:
    """Return the latest quarter with client data for the project."""
    return _query(con, "latest_quarter", {"project": project_code})[0][0]


def summary(
    con: duckdb.DuckDBPyConnection, project_code: str, quarter: str, municipality: str | None = None
) -> dict[str, object]:
    """Return the headline figures as at ``quarter``: client counts by status and pathway, coaches,
    progressed shares, and participations cumulative to the quarter's end."""
    params = {"project": project_code, "quarter": quarter, "municipality": municipality}
    place = {"project": project_code, "region": None, "municipality": municipality}
    profile = shared(con, "client_profiles", **params, **WHOLE)
    coaches = shared(con, "coaches_by_quarter", **place)
    parts = shared(con, "participations_by_quarter", **place)
    clients = counts.headline(profile)
    return {
        "project": project_code,
        "quarter": quarter,
        "municipality": municipality,
        "n_clients": clients["n_clients"],
        "n_coaches": counts.coaches_at(coaches, quarter),
        "status_at_entry": clients["status_at_entry"],
        "status_at_exit": clients["status_at_exit"],
        "pathways": clients["pathways"],
        "n_progressed": clients["n_progressed"],
        "n_not_progressed": clients["n_not_progressed"],
        "share_progressed": clients["share_progressed"],
        "n_professional_participations": counts.participations_to(parts, quarter),
        "n_open_event_reach": _query(con, "open_event_reach", params)[0][0],
        "municipalities": sorted(profile["municipality_code"].unique().to_list()),
        **programme_indicators(con, params, profile),
    }


def programme_indicators(
    con: duckdb.DuckDBPyConnection, params: dict, profile: pl.DataFrame
) -> dict[str, object]:
    """Return the project's programme and ``{code: count}`` of its indicators the data support.

    A project whose programme no source names gets ``None`` for both, rather than a guess.
    """
    found = _query(con, "programme", {"project": params["project"]})
    programme_code, label = found[0] if found else (None, None)
    if programme_code is None:
        return {"indicator_programme": None, "indicators": None}
    return {"indicator_programme": label, "indicators": indicators.codes_and_counts(profile, programme_code)}
