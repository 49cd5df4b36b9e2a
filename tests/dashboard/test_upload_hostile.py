"""The upload page survives hostile files (issue 11): one file of each fuzz-corpus family is checked on
the real page (AppTest, real warehouse); none raises, none changes the warehouse, and the app still answers.
"""

from __future__ import annotations

import pytest

from tests.dashboard import upload_support
from tests.dashboard.upload_support import signed_in, upload
from tests.pipelines import fuzz
from tests.pipelines.conftest import snapshot_state

cheap_hashes, upload_db = upload_support.cheap_hashes, upload_support.upload_db  # fixtures

SAMPLE = list(fuzz.corpus(fuzz.N_FAMILIES, seed=7))


@pytest.mark.slow
def test_the_upload_page_survives_one_file_of_each_family(app, upload_db) -> None:
    before = snapshot_state(upload_db)
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    for case in SAMPLE:
        upload(at, case.name, case.data)
        assert not at.exception, (case.name, [e.value for e in at.exception])
        errors = " ".join(e.value for e in at.error)
        assert "Traceback" not in errors and "Error" not in errors, case.name
    assert snapshot_state(upload_db) == before  # checking stores nothing
    at.switch_page("views/upload.py").run()
    assert not at.exception and at.title[0].value == "Lataa tiedosto"
