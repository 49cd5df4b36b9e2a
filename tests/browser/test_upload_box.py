"""The upload box in the reader's language, with the real size limit: not Streamlit's English "Upload"."""

from __future__ import annotations

import pytest

from dashboard.i18n import LANGUAGE_NAMES
from tests.browser.conftest import PASSWORD, USER, settle, sign_in

EXPECTED = {
    "fi": ("Vedä tiedosto tähän", "enintään 20 Mt"),
    "sv": ("Dra filen hit", "högst 20 MB"),
}
# What a person sees: the visible text and the generated content that stands in for Streamlit's.
SHOWN = """box => [box.innerText, ...[...box.querySelectorAll('*')].map(
  e => getComputedStyle(e, '::after').content).filter(c => c && c !== 'none')].join(' ')"""
BUTTON = {"fi": "Valitse tiedosto", "sv": "Välj fil"}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_upload_box_speaks_the_readers_language(page, upload_app, lang: str) -> None:
    _, url = upload_app
    sign_in(page, url, USER, PASSWORD)
    page.locator('[data-testid="stMain"]').get_by_role("link", name="Lataa tiedosto").click()
    box = page.locator('[data-testid="stFileUploaderDropzone"]')
    box.wait_for()
    settle(page)
    if lang != "fi":  # the language is switched in the sidebar: reloading would sign out
        page.locator('[data-testid="stSidebar"]').get_by_text(LANGUAGE_NAMES[lang], exact=True).click()
        box.get_by_role("button", name=BUTTON[lang], exact=True).wait_for()
        settle(page)
    shown = box.evaluate(SHOWN)
    words, limit = EXPECTED[lang]
    assert words in shown and limit in shown, shown
    assert "Upload" not in shown and "per file" not in shown, shown
    assert box.get_by_role("button", name=BUTTON[lang], exact=True).count() == 1  # its accessible name too
