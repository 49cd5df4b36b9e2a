"""Fixtures for the dashboard: a tiny warehouse for suppression cases, views and AppTest runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import db
from dashboard.builders import View
from dashboard.choices import choices_for
from dashboard.filters import Filters
from dashboard.i18n import I18n
from pipelines import warehouse as wh

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"

# Small warehouse: VALPAS 2 at 2023Q3 with Kittilä 3 clients (below the threshold), Posio 9, Raahe 12,
# Ylivieska 10. Each tuple: municipality, age group, gender, entry, exit, pathway, clients.
SMALL_CLIENTS = (
    ("261", "18-24", "woman", "unemployed", "employed", "employment", 2),
    ("261", "25-29", "man", "unemployed", "unemployed", "referred_elsewhere", 1),
    ("614", "18-24", "man", "unemployed", "employed", "employment", 5),
    ("614", "30-40", "woman", "outside_labour_force", "outside_labour_force", "social_rehabilitation", 4),
    ("678", "18-24", "man", "unemployed", "employed", "employment", 6),
    ("678", "15-17", "woman", "in_education", "in_education", "education", 3),
    ("678", "25-29", "man", "unemployed", "unemployed", "dropped_out", 3),
    ("977", "18-24", "woman", "unemployed", "unemployed", "referred_elsewhere", 6),
    ("977", "30-40", "man", "employed", "employed", "employment", 4),
)


def build_small_warehouse(path: Path) -> Path:
    """Write the small warehouse through the real writer (marts rebuilt when the block ends)."""
    with wh.write(path, fresh=True) as con:
        upload = 0
        for quarter, as_at in (("2023Q2", date(2023, 6, 30)), ("2023Q3", date(2023, 9, 30))):
            for muni in ("261", "614", "678", "977"):
                upload += 1
                con.execute(
                    "insert into audit.uploads values (?, ?, 'test', 'VALPAS2', ?, 'clients', ?, 'x', 0, "
                    "'accepted', 0, null)",
                    [
                        upload,
                        datetime(as_at.year, as_at.month, as_at.day, 12),
                        quarter,
                        f"{muni}_{quarter}.csv",
                    ],
                )
                con.execute(
                    "insert into staging.client_snapshots values ('VALPAS2', ?, ?, ?)",
                    [muni, quarter, upload],
                )
                con.execute(
                    "insert into audit.upload_municipalities values (?, 'VALPAS2', ?)", [upload, muni]
                )
                number = 0
                for m, age, gender, entry, leave, pathway, n in SMALL_CLIENTS:
                    if m != muni:
                        continue
                    for _ in range(n):
                        number += 1
                        ended = quarter == "2023Q3"
                        con.execute(
                            "insert into staging.clients values "
                            "(?, 'VALPAS2', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [
                                upload,
                                quarter,
                                muni,
                                f"C{muni}-{number:03d}",
                                age,
                                gender,
                                date(2023, 1, 10),
                                date(2023, 7, 31) if ended else None,
                                entry,
                                entry == "unemployed",
                                leave if ended else None,
                                pathway if ended else None,
                                f"Coach {muni}",
                            ],
                        )
        con.execute(
            "insert into staging.events values "
            "('VALPAS2', 'E1', 1, 'Koulutus', ?, 'training', 'remote', '21', '261')",
            [date(2023, 5, 4)],
        )
        con.execute("insert into staging.attendance values ('VALPAS2', 'E1', 'social_services', 3, 1)")
    return path


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse where Kittilä has 3 clients, for suppression cases (not demo data)."""
    return build_small_warehouse(tmp_path_factory.mktemp("small") / "warehouse.duckdb")


@pytest.fixture
def use_db(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], Path]:
    """Point the dashboard (settings, db) at a warehouse for this test."""

    def use(path: Path) -> Path:
        monkeypatch.setenv("DASHBOARD_DB", str(path))
        if path.exists():
            db.pin(path)
        return path

    return use


@pytest.fixture
def make_view(use_db) -> Callable[..., View]:
    """Build a View on a warehouse: ``make_view(path, lang="fi", **filters)``."""

    def make(path: Path, lang: str = "fi", **values) -> View:
        use_db(path)
        values.setdefault("project", "VALPAS2")
        choices = choices_for(values["project"])
        values.setdefault("quarter", choices.default_quarter)
        values.setdefault("quarter_from", choices.quarters[0] if choices.quarters else "")
        f = Filters(lang=lang, **values)
        return View(f, I18n(lang), choices)

    return make


@pytest.fixture
def app(use_db) -> Callable[..., AppTest]:
    """Return a runner: ``app(path, page=None, **query)`` runs the app (optionally switching page)."""

    def run(path: Path, page: str | None = None, **query: str) -> AppTest:
        use_db(path)
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.query_params.update(query)
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    return run
