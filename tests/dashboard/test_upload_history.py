"""The upload history page (AppTest): every upload with its status, and rollback with a confirm dialog."""

from __future__ import annotations

from datetime import UTC

from dashboard.builders.common import format_value
from dashboard.i18n import TIMEZONE, I18n
from dashboard.upload import work as upload_helpers
from pipelines import rollback, users
from pipelines import warehouse as wh
from tests.dashboard import upload_support
from tests.dashboard.test_app import shown
from tests.dashboard.upload_support import fewer_clients_csv, signed_in, upload

cheap_hashes, upload_db = upload_support.cheap_hashes, upload_support.upload_db  # fixtures


def history_rows(at) -> list[dict]:
    """The history table's rows as the reader sees them (each cell its formatted text)."""
    table = next(t.value for t in at.table if "Tila" in t.value.columns)
    return [{k: shown(v) for k, v in row.items()} for row in table.to_dict("records")]


def current(db, municipality: str = "261") -> int | None:
    con = wh.connect_reader(db)
    try:
        return rollback.current_upload(con, "VALPAS2", municipality, "2023Q3")
    finally:
        con.close()


def anna_uploads(app, db):
    at = signed_in(app, db, "anna", "views/upload.py")
    upload(at, "kittila.csv", fewer_clients_csv(3))
    at.button(key="upload_confirm").click().run()
    assert at.success, [e.value for e in at.error]
    return at


def test_every_upload_is_listed_with_its_status(app, upload_db) -> None:
    at = anna_uploads(app, upload_db)
    at.switch_page("views/history.py").run()
    assert not at.exception, [e.value for e in at.exception]
    rows = history_rows(at)
    assert len(rows) == 75
    newest = rows[0]
    shown = (newest["Nro"], newest["Käyttäjä"], newest["Tila"], newest["Rivejä"])
    assert shown == ("#75", "anna", "hyväksytty", "23")
    assert newest["Kunnat"] == "Kittilä" and newest["Voimassa kunnille"] == "Kittilä"
    assert rows[-1]["Nro"] == "#1"


def test_the_uploader_rolls_their_change_back_after_confirming(app, upload_db) -> None:
    at = anna_uploads(app, upload_db)
    assert current(upload_db) == 75
    at.switch_page("views/history.py").run()
    lists = at.selectbox(key="rollback_list").options
    assert lists[0] == "Kittilä · 2023Q3" and all(o.startswith("Kittilä · ") for o in lists)  # her scope
    assert at.selectbox(key="rollback_target").value == 71  # the demo's Kittilä list for 2023Q3
    at.button(key="rollback_open").click().run()
    assert any("palautetaan lataukseen #71" in m.value for m in at.markdown)  # the dialog asks first
    at.button(key="rollback_no").click().run()
    assert current(upload_db) == 75 and "rollback_yes" not in [b.key for b in at.button]
    at.button(key="rollback_open").click().run()
    at.button(key="rollback_yes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value.startswith("Kunnan Kittilä lista (VALPAS2, 2023Q3) palautettu lataukseen #71")
    assert current(upload_db) == 71
    newest = history_rows(at)[0]
    shown = (newest["Nro"], newest["Tila"], newest["Tiedosto"])
    assert shown == ("#76", "palautus", "palautus lataukseen #71")
    at.switch_page("views/overview.py").run()
    assert {m.label: m.value for m in at.metric}["Asiakkaat"] == "128"  # the figures follow at once


def test_a_coordinator_cannot_undo_someone_elses_change(app, upload_db) -> None:
    at = signed_in(app, upload_db, "anna", "views/history.py")
    assert at.selectbox(key="rollback_list").value == ("261", "2023Q3")
    assert "viimeisimmän muutoksen teki demo" in at.info[-1].value  # the demo loaded the current list
    assert "rollback_open" not in [b.key for b in at.button]


def test_an_admin_may_undo_anyones_change(app, upload_db) -> None:
    anna_uploads(app, upload_db)
    at = signed_in(app, upload_db, "ada", "views/history.py")
    assert len(at.selectbox(key="rollback_list").options) > 4  # every municipality and quarter
    at.selectbox(key="rollback_list").set_value(("261", "2023Q3")).run()
    at.button(key="rollback_open").click().run()
    at.button(key="rollback_yes").click().run()
    assert at.success and current(upload_db) == 71


def test_a_viewer_sees_the_history_but_no_rollback(app, upload_db) -> None:
    at = signed_in(app, upload_db, "ville", "views/history.py")
    assert len(history_rows(at)) == 74
    assert "rollback_list" not in [s.key for s in at.selectbox]


def test_client_lists_come_from_accepted_client_uploads(upload_db) -> None:
    table = upload_helpers.history("VALPAS2")
    lists = upload_helpers.client_lists(table)
    assert ("261", "2023Q3") in lists and lists == sorted(lists, key=lambda p: (p[1], p[0]), reverse=True)
    state = upload_helpers.list_state("VALPAS2", "261", "2023Q3", users.User("ada", "admin"))
    assert state.may_roll_back and state.current == 71 and state.targets == []


def test_the_time_column_is_finnish_time_and_its_header_says_so(app, upload_db) -> None:
    """Issue 12 item 13: the header read "Aika (UTC)" over times shown in Finnish time."""
    at = anna_uploads(app, upload_db)
    at.switch_page("views/history.py").run()
    rows = history_rows(at)
    time_header = next(c for c in rows[0] if c.startswith("Aika"))
    assert time_header == "Aika (Suomen aika)"
    con = wh.connect_reader(upload_db)
    try:
        stored = con.execute("select uploaded_at from audit.uploads where upload_id = 75").fetchone()[0]
    finally:
        con.close()
    local = stored.replace(tzinfo=UTC).astimezone(TIMEZONE)  # stored naive in UTC
    assert rows[0][time_header] == f"{local.day}.{local.month}.{local.year} klo {local.hour}.{local:%M}"
    assert format_value(I18n("fi"), "datetime", stored) == rows[0][time_header]
