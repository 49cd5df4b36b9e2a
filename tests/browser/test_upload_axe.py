"""The upload page has no accessibility violation of any impact (axe) when empty, after a rejected file
and at the preview (issue 12 item 18: ``presentation-role-conflict`` on the file-drop area), and its tables
(the problems, the changes, the figures before and after) fit their frames at 1400 px (item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import PASSWORD, ROOT, USER, settle, sign_in
from tests.browser.test_pages import violations
from tests.browser.test_tables_fit import TOO_WIDE
from tests.browser.test_upload import BAD_ROWS, HEADER

pytestmark = pytest.mark.browser


def test_the_upload_page_has_no_violation_in_any_state(page, upload_app, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    _, url = upload_app
    sign_in(page, url, USER, PASSWORD)
    page.locator('[data-testid="stMain"]').get_by_role("link", name="Lataa tiedosto").click()
    dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    dropzone.wait_for(state="attached")
    settle(page)
    found = {"empty": violations(Axe().run(page).response, page)}

    bad = tmp_path / "asiakkaat_kittila.csv"
    bad.write_bytes(("\r\n".join([HEADER, *BAD_ROWS]) + "\r\n").encode("cp1252"))
    dropzone.set_input_files(str(bad))
    page.get_by_text("Tiedostoa ei voi tallentaa").wait_for()
    settle(page)
    found["error"] = violations(Axe().run(page).response, page) + page.evaluate(TOO_WIDE)

    dropzone.set_input_files(str(ROOT / "data" / "samples" / "asiakkaat.xlsx"))
    page.get_by_text("Mitä muuttuu").wait_for()
    settle(page)
    found["preview"] = violations(Axe().run(page).response, page) + page.evaluate(TOO_WIDE)
    assert found == {"empty": [], "error": [], "preview": []}, "\n".join(
        f"{state}: {line}" for state, lines in found.items() for line in lines
    )
