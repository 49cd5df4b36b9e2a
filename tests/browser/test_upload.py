"""A real upload through the browser's file input, as a coordinator of Kittilä created with the CLI.

Its own warehouse (a copy of the demo) and its own app process, so neither the demo other browser tests
read nor the copy that the other signed-in tests share is ever written. The screenshots of the problem
table and the preview are for a person to look at.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import openpyxl
import pytest

from pipelines import warehouse
from tests.browser.conftest import PASSWORD, ROOT, USER, screenshot, served_copy, settle, sign_in

HEADER = (
    "asiakastunnus;kunta;ikäryhmä;sukupuoli;aloituspäivä;lopetuspäivä;tilanne_alussa;"
    "pitkäaikaistyötön;tilanne_lopussa;jatkopolku;valmentaja"
)
BAD_ROWS = (  # Kittilä's coordinator writes a Posio row, an impossible date and an unknown status
    "KIT-101;Kittilä;18-24;nainen;1.2.2021;31.7.2023;työtön;kyllä;työllinen;koulutus;Valmentaja Ä",
    "KIT-102;Posio;25-29;mies;15.3.2021;30.6.2023;opiskelija;;opiskelija;koulutus;Valmentaja Ä",
    "KIT-103;Kittilä;30-40;;31.2.2021;30.6.2023;työelämän ulkopuolella;;työtön;keskeytti;Valmentaja Ö",
    "KIT-104;Kittilä;18-24;muu;1.3.2021;30.6.2023;lomalla;;työtön;keskeytti;Valmentaja Ö",
)


@pytest.fixture(scope="module")
def own_upload_app(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real app on a private copy of the demo, with a coordinator of Kittilä added by the CLI: this
    test saves a file and rolls it back, so it shares its app with no other test."""
    with served_copy(demo_warehouse, tmp_path_factory.mktemp("own-upload-app")) as served:
        yield served


def uploads(db: Path) -> list[tuple]:
    con = warehouse.connect_reader(db)
    try:
        return con.sql(
            "select user_name, status, file_name, n_rows from audit.uploads order by upload_id"
        ).fetchall()
    finally:
        con.close()


def test_a_coordinator_uploads_a_bad_csv_then_a_valid_workbook(page, own_upload_app, tmp_path: Path) -> None:
    db, url = own_upload_app
    before = uploads(db)
    sign_in(page, url, USER, PASSWORD)
    menus = [m.strip() for m in page.locator('[data-testid="stTopNavSection"]').all_inner_texts()]
    assert menus == [f"Tili: {USER}"], menus  # the account's pages in one menu; no "1 more" at 1400 px
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("link", name="Lataa tiedosto").click()  # the sign-in page's link to it
    dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    dropzone.wait_for(state="attached")
    settle(page)

    bad = tmp_path / "asiakkaat_kittila.csv"
    bad.write_bytes(("\r\n".join([HEADER, *BAD_ROWS]) + "\r\n").encode("cp1252"))
    dropzone.set_input_files(str(bad))
    page.get_by_text("Tiedostoa ei voi tallentaa: siinä on 3 ongelmaa.").wait_for()
    settle(page)
    screenshot(page, "upload-problems")
    with page.expect_download() as download:
        page.get_by_role("button", name="Lataa tiedosto, jossa ongelmat on merkitty (Excel)").click()
    assert download.value.suggested_filename == "asiakkaat_kittila_ongelmat.xlsx"
    marked = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert marked["B3"].value == "Posio" and marked.cell(1, 12).value == "ongelmat"
    assert "kunta: Asiakaslista on yhden kunnan lista" in marked.cell(3, 12).value
    assert uploads(db) == before, "a checked file writes nothing"

    dropzone.set_input_files(str(ROOT / "data" / "samples" / "asiakkaat.xlsx"))
    page.get_by_text("Mitä muuttuu").wait_for()
    settle(page)
    assert "Tiedosto tulkittiin sisällöltään: Asiakkaat (asiakaslista)." in page.inner_text("body")
    screenshot(page, "upload-preview")

    release = threading.Event()
    held = threading.Event()

    def other_writer() -> None:  # another upload holding the writer lock (a CLI load, another browser)
        with warehouse.locked(db):
            held.set()
            release.wait(60)

    holder = threading.Thread(target=other_writer)
    holder.start()
    held.wait(10)
    try:
        page.get_by_role("button", name="Vahvista ja tallenna").click()
        page.get_by_text("Toinen lataus on käynnissä, odotetaan...").first.wait_for()
        screenshot(page, "upload-waiting")
    finally:
        release.set()
        holder.join()
    page.get_by_text("Tallennettu: asiakkaat.xlsx, 26 riviä (Kittilä)").wait_for()
    settle(page)
    screenshot(page, "upload-saved")
    assert uploads(db)[-1] == (USER, "accepted", "asiakkaat.xlsx", 26)

    page.get_by_role("link", name="Lataushistoria").last.click()  # the link under the message
    page.get_by_role("heading", name="Lataushistoria").wait_for()
    settle(page)
    screenshot(page, "upload-history")

    page.get_by_role("button", name="Palauta...").click()  # her own latest change: she may undo it
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("palautetaan lataukseen #71").wait_for()
    screenshot(page, "upload-rollback-dialog")
    dialog.get_by_role("button", name="Palauta", exact=True).click()
    page.get_by_text("Kunnan Kittilä lista (VALPAS2, 2023Q3) palautettu lataukseen #71").wait_for()
    settle(page)
    assert uploads(db)[-1][:2] == (USER, "rollback")
