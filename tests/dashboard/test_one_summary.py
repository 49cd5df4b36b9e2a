"""The headline figures mean one thing (issue 14): ``pipelines summary`` (the CLI and the upload preview a
coordinator confirms) and the pages' queries and figures give the same counts, for every quarter and
municipality, on the demo and on random warehouses written through the real writer.

Both now run the same queries (``pipelines/sql/shared/``) and count with the same functions
(``pipelines.counts``); this holds them equal anyway, from the pages' side as the pages read it (the
overview's headline, the status and pathway tables, the trend's per-quarter totals), so a page that goes
back to a query or a count of its own fails here (``test_a_summary_that_counts_differently_fails``).

One difference is by design and held here too: the summary's ``status_at_entry`` counts every client
listed (``status_counts(of="listed")``), while the pages' status table counts the ended clients' entry and
exit statuses (``of="ended"``), as the status change needs; mid-project they differ (demo 2020Q1: 4
listed, none ended).
"""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from dashboard import db, figures
from dashboard.builders import View, overview
from dashboard.choices import choices_for
from dashboard.filters import Filters
from dashboard.i18n import I18n
from pipelines import codes, counts, summary
from pipelines import warehouse as wh

MUNIS = ("261", "614", "678", "977")  # VALPAS 2's municipalities in the reference data
QUARTERS = (("2023Q1", date(2023, 3, 31)), ("2023Q2", date(2023, 6, 30)), ("2023Q3", date(2023, 9, 30)))


def random_warehouse(path: Path, seed: int) -> Path:
    """Random client lists (some carried, some ended, one municipality skipping a quarter) and events."""
    rng = random.Random(seed)
    progressed, not_progressed = sorted(codes.PROGRESSED_PATHWAYS), sorted(codes.NOT_PROGRESSED_PATHWAYS)
    clients = {
        m: [
            (
                f"C{m}-{i:03d}",
                rng.choice(sorted(codes.AGE_GROUP)),
                rng.choice(sorted(codes.GENDER)),
                rng.choice(sorted(codes.STATUS)),
                rng.randrange(len(QUARTERS) + 1),
            )
            for i in range(rng.randint(2, 14))
        ]
        for m in MUNIS
    }
    with wh.write(path, fresh=True) as con:
        upload = 0
        for qi, (quarter, as_at) in enumerate(QUARTERS):
            for m in MUNIS:
                if qi == 1 and m == "977":  # no list this quarter: the last one is carried forward
                    continue
                upload += 1
                con.execute(
                    "insert into audit.uploads values (?, ?, 'test', 'VALPAS2', ?, 'clients', ?, 'x', 0, "
                    "'accepted', 0, null)",
                    [upload, datetime(as_at.year, as_at.month, as_at.day, 12), quarter, f"{m}_{quarter}.csv"],
                )
                con.execute(
                    "insert into staging.client_snapshots values ('VALPAS2', ?, ?, ?)", [m, quarter, upload]
                )
                con.execute("insert into audit.upload_municipalities values (?, 'VALPAS2', ?)", [upload, m])
                for number, age, gender, entry, ends in clients[m]:
                    ended = ends <= qi
                    pathway = rng.choice(progressed if rng.random() < 0.6 else not_progressed)
                    con.execute(
                        "insert into staging.clients values "
                        "(?, 'VALPAS2', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [upload, quarter, m, number, age, gender, date(2023, 1, 10),
                         as_at if ended else None, entry, entry == "unemployed",
                         rng.choice(sorted(codes.STATUS)) if ended else None, pathway if ended else None,
                         f"Coach {m} {rng.randint(1, 2)}"],
                    )  # fmt: skip
        for e in range(rng.randint(1, 6)):
            m = rng.choice(MUNIS)
            region = "21" if m in ("261", "614") else "19"
            when = date(2023, rng.randint(1, 9), rng.randint(1, 28))
            con.execute(
                "insert into staging.events values "
                "('VALPAS2', ?, 1, 'Koulutus', ?, 'training', 'remote', ?, ?)",
                [f"E{e}", when, region, m],
            )
            con.execute(
                "insert into staging.attendance values ('VALPAS2', ?, 'social_services', ?, 1)",
                [f"E{e}", rng.randint(1, 30)],
            )
    return path


def page_figures(f: Filters) -> dict[str, object]:
    """The figures the pages show unhidden, from their own queries (``dashboard/queries``) and ``figures``."""
    profile = db.query("client_profiles", quarter=f.quarter, **f.client_params())
    total = figures.outcomes(profile).row(0, named=True)
    statuses = figures.status_counts(profile)  # ended clients only
    listed = profile.group_by("status_at_entry").agg(pl.col("n_clients").sum())  # by hand, not counts
    entry = dict.fromkeys(codes.STATUS, 0) | dict(listed.iter_rows())
    pathways = figures.pathway_counts(profile)
    coaches = db.query("coaches_by_quarter", **f.place_params()).filter(pl.col("quarter") == f.quarter)
    parts = db.query("participations_by_quarter", **f.place_params()).filter(pl.col("quarter") <= f.quarter)
    return {
        "n_clients": total["n_clients"],
        "n_progressed": total["n_progressed"],
        "n_not_progressed": total["n_not_progressed"],
        "status_at_entry": entry,
        "ended_status_at_entry": dict(zip(statuses["status"], statuses["n_at_entry"], strict=True)),
        "status_at_exit": dict(zip(statuses["status"], statuses["n_at_exit"], strict=True)),
        "pathways": dict(zip(pathways["pathway"], pathways["n_clients"], strict=True)),
        "n_coaches": int(coaches["n_coaches"].sum()),
        "n_professional_participations": int(parts["n_participations"].sum()),
    }


OVERVIEW = {  # the overview's Headline field: the summary's key
    "n_clients": "n_clients",
    "n_progressed": "n_progressed",
    "n_not_progressed": "n_not_progressed",
    "n_coaches": "n_coaches",
    "n_participations": "n_professional_participations",
}


def overview_figures(view: View) -> dict[str, object]:
    """The overview's headline as the page shows it (None where a breakdown hides a small count), and the
    trend's totals at the quarter (``client_totals_by_quarter``, the page's other count of clients)."""
    f = view.filters
    h = overview.headline_at(view, f.quarter)
    assert h is not None
    shown = {key: getattr(h, field) for field, key in OVERVIEW.items()}
    totals = db.query("client_totals_by_quarter", **f.client_params()).filter(pl.col("quarter") == f.quarter)
    trend = totals.select("n_clients", "n_progressed", "n_not_progressed").rows(named=True)
    return shown | {"trend": trend[0] if trend else dict.fromkeys(("n_clients", "n_progressed"), 0)}


def check_equal(path: Path) -> int:
    """Compare both computations at every quarter with client data, the whole project and each
    municipality; return how many selections were compared."""
    db.pin(path)
    choices = choices_for("VALPAS2")
    con = wh.connect_reader(path)
    latest = summary.latest_quarter(con, "VALPAS2")
    compared = 0
    for quarter in [q for q in choices.quarters if q <= latest]:
        for m in (None, *sorted(choices.municipalities)):
            cli = summary.summary(con, "VALPAS2", quarter, m)
            f = Filters(project="VALPAS2", quarter=quarter, municipality=m)
            pages = page_figures(f)
            ended_entry = pages.pop("ended_status_at_entry")
            assert {k: cli[k] for k in pages} == pages, (quarter, m)
            assert sum(ended_entry.values()) == cli["n_progressed"] + cli["n_not_progressed"]
            shown = overview_figures(View(f, I18n("fi"), choices))
            trend = shown.pop("trend")
            assert {k: v for k, v in shown.items() if v is not None} == {
                k: cli[k] for k, v in shown.items() if v is not None
            }, (quarter, m)
            assert m is not None or None not in shown.values()  # the whole project hides nothing
            assert trend.get("n_clients") == cli["n_clients"], (quarter, m)
            if cli["n_clients"]:
                assert (trend["n_progressed"], trend["n_not_progressed"]) == (
                    cli["n_progressed"],
                    cli["n_not_progressed"],
                ), (quarter, m)
            compared += 1
    return compared


def test_the_summary_and_the_pages_agree_on_the_demo(warehouse: Path, use_db) -> None:
    use_db(warehouse)
    assert check_equal(warehouse) > 50


def test_a_summary_that_counts_differently_fails(warehouse: Path, use_db, monkeypatch) -> None:
    """The check still fails when one side counts on its own: here the summary's client count is one off."""
    use_db(warehouse)
    real = counts.headline
    monkeypatch.setattr(
        counts, "headline", lambda profile: real(profile) | {"n_clients": real(profile)["n_clients"] + 1}
    )
    with pytest.raises(AssertionError):
        check_equal(warehouse)


@pytest.mark.parametrize("seed", range(3))
def test_the_summary_and_the_pages_agree_on_random_uploads(tmp_path: Path, use_db, seed: int) -> None:
    path = use_db(random_warehouse(tmp_path / "warehouse.duckdb", seed))
    db.pin(path)
    assert check_equal(path) > len(QUARTERS) * (1 + len(MUNIS))  # with the quarters before the data
