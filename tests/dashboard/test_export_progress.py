"""The summary deck is made slide by slide with the progress shown, then offered as a download."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pptx import Presentation

from dashboard.export import summary


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Make the chart renderer find no chromium (unless one already runs): slides show tables, quickly."""
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))


def test_summary_reports_each_slide_as_it_is_ready(warehouse, make_view, no_browser) -> None:
    calls: list[tuple[int, int]] = []
    result = summary(make_view(warehouse), "pptx", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 7) for n in range(1, 8)]
    assert len(Presentation(io.BytesIO(result.data)).slides) == 7


def test_a_project_without_client_data_counts_its_three_slides(warehouse, make_view, no_browser) -> None:
    calls: list[tuple[int, int]] = []
    summary(make_view(warehouse, project="YHDESSA"), "pdf", progress=lambda *c: calls.append(c))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def _texts(at, kind: str) -> list[str]:
    return [e.proto.text if kind == "progress" else e.proto.label for e in at.get(kind)]


@pytest.mark.parametrize(
    ("lang", "done", "download"),
    [
        ("fi", "Valmis: 7 diaa", "Lataa VALPAS2_2023Q3.pptx"),
        ("sv", "Klart: 7 bilder", "Ladda ned VALPAS2_2023Q3.pptx"),
        ("en", "Done: 7 slides", "Download VALPAS2_2023Q3.pptx"),
    ],
)
def test_the_sidebar_makes_the_deck_with_progress_then_offers_it(
    app, warehouse: Path, no_browser, lang: str, done: str, download: str
) -> None:
    at = app(warehouse, lang=lang)
    assert download not in _texts(at, "download_button")  # nothing is made before it is asked for
    at.button(key="summary_pptx_make").click().run()
    assert not at.exception
    assert done in _texts(at, "progress")
    assert download in _texts(at, "download_button")
    at.selectbox(key="w_municipality").set_value("678").run()  # the deck was made for other filters
    assert download not in _texts(at, "download_button")
    assert download.replace("VALPAS2", "VALPAS2_678") not in _texts(at, "download_button")
