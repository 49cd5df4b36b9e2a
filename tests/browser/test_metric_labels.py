"""Headline labels are read whole in every language at 1400 px (issue 12 item 3: Swedish labels were cut,
"Arbetsförmågecoa…", "Hittade en fortsatt…")."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, settle, wait_for_app

pytestmark = pytest.mark.browser

CUT = """() => [...document.querySelectorAll('[data-testid="stMetricLabel"] *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.innerText)"""  # wider than its box: cut, or spilling out of the card


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_no_headline_label_is_cut(page, app_url: str, lang: str) -> None:
    page.goto(f"{app_url}/?lang={lang}")
    wait_for_app(page)
    page.locator('[data-testid="stMetricLabel"]').first.wait_for()
    settle(page)
    assert page.locator('[data-testid="stMetricLabel"]').count() >= 4
    screenshot(page, f"metric_labels_{lang}")
    assert page.evaluate(CUT) == []
