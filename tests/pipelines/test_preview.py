"""Preview of an upload: rows added, removed and changed, and the figures before and after."""

from __future__ import annotations

from pipelines import ingest, kept, preview, warehouse
from tests.pipelines.conftest import VALID_ROWS, clients_csv, snapshot_state


def _validated(db, path, quarter="2021Q2"):
    con = warehouse.connect_reader(db)
    try:
        ctx = ingest.load_context(con, "VALPAS2", quarter)
    finally:
        con.close()
    meta = kept.UploadMeta("VALPAS2", quarter, "clients", path.name, ingest.sha256_of(path))
    return ingest.validate_upload(path, "clients", ctx), meta


def test_preview_counts_changes_against_the_stored_list_and_changes_nothing(db, tmp_path):
    ingest.load_file(
        db, clients_csv(tmp_path / "a.csv"), project_code="VALPAS2", quarter="2021Q2", kind="clients"
    )
    before_state = snapshot_state(db)
    changed_row = VALID_ROWS[0].replace(";;;Valmentaja A", ";;;Valmentaja B")
    new_rows = (changed_row, VALID_ROWS[1], "KIT-004;Kittilä;18-24;mies;1.4.2021;;työtön;ei;;;Valmentaja A")
    validated, meta = _validated(db, clients_csv(tmp_path / "b.csv", new_rows))

    result = preview.preview(db, validated, meta)

    assert result.changes.to_dicts() == [
        {
            "municipality_code": "261",
            "n_before": 3,
            "n_after": 3,
            "n_added": 1,
            "n_removed": 1,
            "n_changed": 1,
        }
    ]
    assert (result.before["n_clients"], result.after["n_clients"]) == (3, 3)
    assert (result.before["n_not_progressed"], result.after["n_not_progressed"]) == (1, 0)
    assert not result.is_unchanged
    assert snapshot_state(db) == before_state


def test_preview_of_first_upload_compares_with_nothing(db, tmp_path):
    validated, meta = _validated(db, clients_csv(tmp_path / "a.csv"))

    result = preview.preview(db, validated, meta)

    assert result.before is None and result.after["n_clients"] == 3
    assert result.changes["n_added"].to_list() == [3]


def test_preview_recognises_an_identical_file(db, tmp_path):
    path = clients_csv(tmp_path / "a.csv")
    ingest.load_file(db, path, project_code="VALPAS2", quarter="2021Q2", kind="clients")

    result = preview.preview(db, *_validated(db, path))

    assert result.is_unchanged
    assert result.changes.select("n_added", "n_removed", "n_changed").row(0) == (0, 0, 0)
