"""The upload page (AppTest on the real app and a writable demo copy): scope, check, preview, confirm."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from google.protobuf import text_format

from dashboard.i18n import I18n
from dashboard.upload import steps
from dashboard.upload import work as upload_helpers
from pipelines import warehouse as wh
from pipelines.users import User
from tests.dashboard import upload_support
from tests.dashboard.upload_support import (
    SAMPLES,
    as_read,
    bad_clients_csv,
    fewer_clients_csv,
    signed_in,
    upload,
)

THIN = "\u202f"  # Finnish thousands

cheap_hashes, upload_db = upload_support.cheap_hashes, upload_support.upload_db  # fixtures


def audit(db: Path) -> list[tuple]:
    con = wh.connect_reader(db)
    try:
        query = "select upload_id, user_name, status, n_rows, file_sha256 from audit.uploads order by 1"
        return con.sql(query).fetchall()
    finally:
        con.close()


def table_with(at, column: str):
    """Return the first st.table or st.dataframe that has ``column`` (as a pandas frame of its values)."""
    return next(as_read(t.value) for t in [*at.table, *at.dataframe] if column in t.value.columns)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_form_offers_only_the_coordinators_scope(app, upload_db) -> None:
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    assert at.title[0].value == "Lataa tiedosto"
    assert at.selectbox(key="upload_project").options == ["VALPAS 2"]
    # the project ended 31.7.2023, so the last finished quarter is brought back to its last one
    assert at.selectbox(key="upload_quarter_VALPAS2").value == "2023Q3"
    assert at.selectbox(key="upload_kind").value == "auto"
    assert "20 Mt" in at.file_uploader[0].label
    admin = signed_in(app, upload_db, "ada", "views/upload.py")
    assert len(admin.selectbox(key="upload_project").options) == 4  # an admin uploads for every project


@pytest.mark.parametrize(("lang", "heading"), [("fi", "Esimerkkitiedostot"), ("sv", "Exempelfiler")])
def test_the_sample_files_are_downloads_not_a_server_path(app, upload_db, lang: str, heading: str) -> None:
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    at.segmented_control(key="w_lang").set_value(lang).run()
    assert not any("data/samples" in c.value for c in at.caption)
    assert heading in [e.label for e in at.expander]
    samples = [
        b.proto
        for b in at.get("download_button")
        if b.proto.id.endswith(tuple(f"-sample_{p.stem}" for p in SAMPLES.iterdir()))
    ]
    offered = {b.label.rsplit(" (", 1)[1].rstrip(")") for b in samples}
    assert offered == {p.name for p in SAMPLES.iterdir() if p.suffix in (".csv", ".xlsx")}
    assert len(offered) == 6


@pytest.mark.parametrize(("lang", "words"), [("fi", "enintään 20 Mt"), ("sv", "högst 20 MB")])
def test_the_upload_box_is_drawn_in_the_readers_language(app, upload_db, lang: str, words: str) -> None:
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    at.segmented_control(key="w_lang").set_value(lang).run()
    styles = [h.proto.body for h in at.get("html") if "stFileUploaderDropzone" in h.proto.body]
    assert len(styles) == 1 and words in styles[0]
    assert f"{upload_helpers.MAX_UPLOAD_MB} " in styles[0]  # the limit is the setting's, not a copy of it


def test_rows_outside_the_scope_reject_the_file_and_are_listed(app, upload_db) -> None:
    before = audit(upload_db)
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    upload(at, "asiakkaat.csv", bad_clients_csv())
    assert not at.exception, [e.value for e in at.exception]
    assert at.error[0].value.startswith("Tiedostoa ei voi tallentaa: siinä on 3 ongelmaa.")
    problems = table_with(at, "Rivi")
    assert list(problems.columns) == ["Rivi", "Sarake", "Arvo", "Ongelma"]  # no sheet column for a CSV
    rows = {(r.Rivi, r.Sarake, r.Arvo): r.Ongelma for r in problems.itertuples()}
    assert rows[(3, "kunta", "Posio")].startswith("Asiakaslista on yhden kunnan lista")
    assert (4, "aloituspäivä", "31.2.2021") in rows and (5, "tilanne_alussa", "lomalla") in rows
    annotated = [b.proto.label for b in at.get("download_button") if "-sample_" not in b.proto.id]
    assert annotated[0].startswith("Lataa tiedosto, jossa ongelmat")
    assert "upload_confirm" not in [b.key for b in at.button]
    assert audit(upload_db) == before, "checking a file writes nothing"


def test_problems_are_listed_in_the_readers_language(app, upload_db) -> None:
    at = signed_in(app, upload_db, "anna")
    at.segmented_control(key="w_lang").set_value("en").run()
    at.switch_page("views/upload.py").run()
    upload(at, "clients.csv", bad_clients_csv())
    problems = table_with(at, "Row")
    assert list(problems.columns) == ["Row", "Column", "Value", "Problem"]
    assert any(p.startswith("A client list is one municipality's list") for p in problems["Problem"])


def test_a_valid_file_shows_the_preview_then_confirm_commits_it(app, upload_db) -> None:
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    upload(at, "kittila_2023Q3.csv", fewer_clients_csv(3), kind="clients")
    assert not at.exception and not at.error
    changes = table_with(at, "Kunta")
    assert changes.to_dict("records") == [
        {"Kunta": "Kittilä", "Asiakkaita nyt": 26, "Asiakkaita jatkossa": 23, "Uusia rivejä": 0,
         "Poistuvia rivejä": 3, "Muuttuvia rivejä": 0}
    ]  # fmt: skip
    figures = {r["Luku"]: list(r.values())[1:] for r in table_with(at, "Luku").to_dict("records")}
    assert figures["Asiakkaat"] == ["128", "125", "-3"]  # now, after saving, change
    assert len(audit(upload_db)) == 74, "the preview wrote nothing"
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    accepted = "Tallennettu: kittila\\_2023Q3\\.csv, 23 riviä (Kittilä); lataus #"  # the name as written
    assert at.success[0].value.startswith(accepted)
    _, user, status, n_rows, _ = audit(upload_db)[-1]
    assert (user, status, n_rows) == ("anna", "accepted", 23)
    assert not at.file_uploader[0].value, "a fresh uploader after the commit"
    at.switch_page("views/overview.py").run()  # the figures are new at once
    assert metrics(at)["Asiakkaat"] == "125"


def test_the_same_file_again_changes_nothing_and_says_so(app, upload_db) -> None:
    data = (SAMPLES / "asiakkaat.xlsx").read_bytes()
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    upload(at, "asiakkaat.xlsx", data)
    assert "Tiedosto tulkittiin sisällöltään: Asiakkaat (asiakaslista)." in [c.value for c in at.main.caption]
    at.button(key="upload_confirm").click().run()
    assert at.success
    upload(at, "asiakkaat.xlsx", data)
    assert at.info[-1].value.startswith("Sama tiedosto on jo voimassa")
    at.button(key="upload_confirm").click().run()
    assert at.info[-1].value.startswith("Sama tiedosto oli jo voimassa (Kittilä): mitään ei muuttunut.")
    assert [r[2] for r in audit(upload_db)[-2:]] == ["accepted", "unchanged"]


def test_a_busy_warehouse_is_waited_for_with_a_message(app, upload_db) -> None:
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    upload(at, "kittila.csv", fewer_clients_csv(1))
    held, release = threading.Event(), threading.Event()

    def other_writer() -> None:
        with wh.locked(upload_db):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=other_writer)
    thread.start()
    held.wait(5)
    threading.Timer(1.0, release.set).start()
    at.button(key="upload_confirm").click().run()
    thread.join()
    assert any(i.value.startswith("Toinen lataus oli käynnissä") for i in at.info)  # live: browser test
    assert at.success and audit(upload_db)[-1][2] == "accepted"


def test_confirming_a_preview_made_before_another_upload_asks_to_look_again(app, upload_db) -> None:
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    upload(at, "kittila.csv", fewer_clients_csv(2))
    with wh.write(upload_db):  # someone else publishes a snapshot while the preview is on screen
        pass
    n_uploads = len(audit(upload_db))
    at.button(key="upload_confirm").click().run()
    assert at.warning[0].value.startswith("Tietovarastoon tallennettiin juuri toinen lataus")
    assert len(audit(upload_db)) == n_uploads, "nothing saved from a stale preview"
    at.button(key="upload_confirm").click().run()
    assert at.success and audit(upload_db)[-1][1:4] == ("anna", "accepted", 24)


def test_a_reader_is_not_slowed_by_an_upload_holding_the_lock(app, upload_db, record_property) -> None:
    """Readers never take the writer lock: the overview renders while a load holds it."""
    timings = {}
    for label in ("idle", "lock held"):
        release = threading.Event()
        holder = threading.Thread(target=_hold, args=(upload_db, release)) if label == "lock held" else None
        if holder:
            holder.start()
            time.sleep(0.2)
        start = time.perf_counter()
        at = app(upload_db)
        timings[label] = time.perf_counter() - start
        release.set()
        if holder:
            holder.join()
        assert metrics(at)["Asiakkaat"] == "128"
    record_property("overview_seconds", timings)
    print(f"overview AppTest run: {timings}")
    assert timings["lock held"] < 10


def _hold(db: Path, release: threading.Event) -> None:
    with wh.locked(db):
        release.wait(30)


def test_a_viewer_cannot_reach_the_upload_page(app, upload_db) -> None:
    at = signed_in(app, upload_db, "ville")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/upload.py")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("asiakkaat_utf8.csv", "clients"),
        ("tapahtumat.csv", "events"),
        ("osallistumiset.csv", "attendance"),
        ("tapahtumat_ja_osallistumiset.xlsx", "workbook"),
    ],
)
def test_the_file_says_what_it_holds(name: str, kind: str) -> None:
    assert upload_helpers.guess_kind(SAMPLES / name) == kind


def test_choice_key_changes_with_the_file_and_the_snapshot(upload_db) -> None:
    a = steps.Choice("VALPAS2", "2023Q3", "auto", "a.csv", b"1")
    b = steps.Choice("VALPAS2", "2023Q3", "auto", "a.csv", b"2")
    user = User("anna", "coordinator")
    assert a.key(user, I18n("fi")) != b.key(user, I18n("fi"))
    assert a.key(user, I18n("fi")) != a.key(user, I18n("sv"))


def test_an_events_workbook_previews_its_events_and_participations(app, upload_db) -> None:
    at = signed_in(app, upload_db, "ada", "views/upload.py")
    upload(at, "tapahtumat.xlsx", (SAMPLES / "tapahtumat_ja_osallistumiset.xlsx").read_bytes())
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Tiedosto tulkittiin sisällöltään: Tapahtumat ja osallistumiset (Excel-työkirja)." in [
        c.value for c in at.main.caption
    ]
    changes = table_with(at, "Sisältö").to_dict("records")
    events = changes[0]
    assert (events["Sisältö"], events["Rivejä tiedostossa"], events["Uusia rivejä"]) == ("Tapahtumat", 2, 2)
    figures = {r["Luku"]: list(r.values())[1:] for r in table_with(at, "Luku").to_dict("records")}
    before, _, change = figures["Ammattilaisten osallistumiset"]
    assert before == f"1{THIN}259" and change.startswith("+")


@pytest.mark.parametrize(
    ("lang", "column", "said"),
    [
        (
            "fi",
            "Ongelma",
            "Voit ladata tietoja vain kunnalle Kittilä (261); tämä tiedosto koskee kuntaa Posio (614).",
        ),
        (
            "sv",
            "Problem",
            "Du får ladda upp uppgifter endast för Kittilä (261); den här filen gäller Posio (614).",
        ),
        ("en", "Problem", "You may upload for Kittilä (261) only; this file is for Posio (614)."),
    ],
)
def test_a_file_of_another_municipality_is_told_once_first(app, upload_db, lang, column, said) -> None:
    posio = [f"POS-{i:03d};Posio;18-24;mies;1.2.2021;;työtön;ei;;;Valmentaja A" for i in range(27)]
    at = signed_in(app, upload_db, "anna")
    at.segmented_control(key="w_lang").set_value(lang).run()
    at.switch_page("views/upload.py").run()
    upload(at, "posio.csv", ("\r\n".join([upload_support.HEADER, *posio]) + "\r\n").encode("utf-8"))
    assert not at.exception, [e.value for e in at.exception]
    problems = list(table_with(at, column)[column])
    assert problems == [said]


def _page_text(node) -> str:
    """Return every element's protobuf text on the page, the file uploader's own entry left out."""
    proto = getattr(node, "proto", None)
    text = (
        ""
        if proto is None or node.type == "file_uploader"
        else text_format.MessageToString(proto, as_utf8=True)
    )
    return text + "".join(_page_text(child) for child in getattr(node, "children", {}).values())


@pytest.mark.parametrize(
    ("name", "header", "code"),
    [
        ("asiakkaat.csv", "valmentaja 131052-308T", "hetu"),
        ("asiakkaat 131052-308T.csv", "valmentaja", "file_name_personal"),
    ],
)
def test_a_code_in_a_header_or_file_name_is_not_echoed_on_the_page(app, upload_db, name, header, code):
    at = signed_in(app, upload_db, "anna", "views/upload.py")
    data = bad_clients_csv().replace(b"valmentaja", header.encode("cp1252"))
    upload(at, name, data)
    assert not at.exception, [e.value for e in at.exception]
    assert at.error[0].value.startswith("Tiedostoa ei voi tallentaa")
    shown = _page_text(at._tree)
    assert "Tiedostoa ei voi tallentaa" in shown and "Tiedostossa on ongelmia" in shown  # the walk reads it
    assert "131052" not in shown
    codes = {p.code for p in at.session_state[steps.CHECKED][1].problems}
    assert code in codes
