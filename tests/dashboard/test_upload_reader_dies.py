"""The upload page when the reader dies (issue 11 items 1 and 4): the file is read in a child process, so
a reader that runs out of memory or panics leaves the Streamlit server answering, says so in a sentence
of the reader's language, and stores nothing (AppTest on the real app, a writable demo copy)."""

from __future__ import annotations

import pytest

from tests.dashboard import upload_support
from tests.dashboard.upload_support import as_read, signed_in, upload
from tests.pipelines import hostile, test_isolate
from tests.pipelines.conftest import snapshot_state

cheap_hashes, upload_db = upload_support.cheap_hashes, upload_support.upload_db  # fixtures


def problems_said(at) -> list[str]:
    frames = [as_read(t.value) for t in [*at.table, *at.dataframe]]
    return [v for frame in frames if "Ongelma" in frame.columns for v in frame["Ongelma"]]


def test_a_reader_that_runs_out_of_memory_leaves_the_page_answering(app, upload_db, monkeypatch) -> None:
    """The far cell costs calamine ~125 MB: past the child's ceiling it aborts, and only the child dies."""
    monkeypatch.setenv("UPLOAD_READER_MEMORY_MB", str(test_isolate.SMALL))
    before = snapshot_state(upload_db)
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    upload(at, "asiakkaat.xlsx", hostile.far_cell_xlsx(test_isolate.FAR))
    assert not at.exception, [e.value for e in at.exception]
    assert at.error[0].value.startswith("Tiedostoa ei voi tallentaa")
    assert problems_said(at) == [
        "Tiedostoa ei voitu lukea: se on liian suuri tai vioittunut. Mitään ei tallennettu. Avaa "
        "tiedosto Excelissä, tarkista että siinä on vain ladattavat tiedot, tallenna se uudelleen ja lataa "
        "se uudestaan."
    ]
    labels = [b.proto.label for b in at.get("download_button")]
    assert not any(label.startswith("Lataa tiedosto, jossa ongelmat") for label in labels)  # not reopened
    assert snapshot_state(upload_db) == before
    at.switch_page("views/overview.py").run()
    assert not at.exception and at.title


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_a_reader_panic_is_told_not_thrown(app, upload_db, tmp_path, lang) -> None:
    before = snapshot_state(upload_db)
    at = signed_in(app, upload_db, "anna")
    at.segmented_control(key="w_lang").set_value(lang).run()
    at.switch_page("views/upload.py").run()
    upload(at, "asiakkaat.xlsx", test_isolate.panicking_workbook(tmp_path).read_bytes())
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(str(as_read(t.value).to_dict()) for t in [*at.table, *at.dataframe])
    assert ("could not be read" if lang == "en" else "Tiedostoa ei voitu lukea") in said
    assert "Panic" not in said and "Traceback" not in " ".join(e.value for e in at.error)
    assert snapshot_state(upload_db) == before
