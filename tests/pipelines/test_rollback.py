"""Rollback of a client list to an earlier accepted upload, its log, its replay, and the upload history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines import cli, ingest, kept, replay, rollback, warehouse
from pipelines.ingest import UsageError
from pipelines.users import User
from tests.pipelines.conftest import VALID_ROWS, clients_csv, snapshot_state

ADMIN = User("root", "admin")
ANNA = User("anna", "coordinator", frozenset({("VALPAS2", "261")}))
BERT = User("bert", "coordinator", frozenset({("VALPAS2", "261")}))
POSIO = User("paula", "coordinator", frozenset({("VALPAS2", "614")}))
VIEWER = User("ville", "viewer")
POSIO_ROWS = ("POS-001;Posio;18-24;mies;1.2.2021;;työtön;ei;;;Valmentaja A",)


def load(db: Path, path: Path, quarter: str = "2021Q2", user: str = "anna") -> ingest.LoadResult:
    return ingest.load_file(db, path, project_code="VALPAS2", quarter=quarter, kind="clients", user_name=user)


def back(db: Path, to: int, user: User = ADMIN, municipality: str = "261", quarter: str = "2021Q2"):
    return rollback.rollback(
        db,
        project_code="VALPAS2",
        municipality_code=municipality,
        quarter=quarter,
        to_upload_id=to,
        user=user,
    )


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    con = warehouse.connect_reader(db)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def total(db: Path, quarter: str = "2021Q2", municipality: str = "261") -> int | None:
    return rows(
        db,
        "select sum(n_clients) from marts.client_counts where quarter = ? and municipality_code = ?",
        [quarter, municipality],
    )[0][0]


def marts(db: Path) -> dict[str, list[tuple]]:
    return {k: v for k, v in snapshot_state(db).items() if k.startswith("marts.")}


def manifest(db: Path) -> list[dict]:
    con = warehouse.connect_reader(db)  # what rebuild replays comes from the published snapshot
    try:
        return kept.manifest(con)
    finally:
        con.close()


@pytest.fixture
def two_uploads(db, tmp_path) -> tuple[Path, int, int]:
    """Anna's list of three clients, then her list of two: the second is current."""
    first = load(db, clients_csv(tmp_path / "a.csv"))
    second = load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:2]))
    assert (first.status, second.status, total(db)) == ("accepted", "accepted", 2)
    return db, first.upload_id, second.upload_id


def test_rollback_puts_the_earlier_list_back_in_the_marts(db, tmp_path):
    first = load(db, clients_csv(tmp_path / "a.csv"))
    after_first = marts(db)
    load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:2]))

    result = back(db, first.upload_id)

    assert (result.status, result.n_rows, result.municipalities) == ("rollback", 3, ("261",))
    assert total(db) == 3 and total(db, "2023Q3") == 3
    assert marts(db) == after_first
    assert rows(db, "select upload_id from staging.client_snapshots") == [(first.upload_id,)]


def test_rollback_is_logged_in_the_audit_tables_and_the_manifest(two_uploads, tmp_path):
    db, first, second = two_uploads

    result = back(db, first)

    audit = rows(
        db,
        "select user_name, project_code, quarter, kind, file_name, file_sha256, n_rows, status, "
        "n_problems, stored_file from audit.uploads where upload_id = ?",
        [result.upload_id],
    )
    assert audit == [
        (
            "root",
            "VALPAS2",
            "2021Q2",
            "clients",
            f"rollback to #{first}",
            ingest.sha256_of(tmp_path / "a.csv"),
            3,
            "rollback",
            0,
            None,
        )
    ]
    assert rows(db, "select * from audit.rollbacks") == [(result.upload_id, "261", second, first)]
    entry = manifest(db)[-1]
    assert {k: entry[k] for k in ("action", "upload_id", "municipality_code", "quarter", "to_upload_id")} == {
        "action": "rollback",
        "upload_id": result.upload_id,
        "municipality_code": "261",
        "quarter": "2021Q2",
        "to_upload_id": first,
    }
    assert [e["upload_id"] for e in manifest(db) if e["action"] == "load"] == [first, second]


def test_only_the_named_municipality_is_rolled_back(db, tmp_path):
    first = load(db, clients_csv(tmp_path / "a.csv"))
    load(db, clients_csv(tmp_path / "p.csv", POSIO_ROWS))
    load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:1]))
    load(db, clients_csv(tmp_path / "q.csv", (*POSIO_ROWS, POSIO_ROWS[0].replace("001", "002"))))

    back(db, first.upload_id)

    assert (total(db, municipality="261"), total(db, municipality="614")) == (3, 2)


def test_the_rolled_back_file_can_be_loaded_again(two_uploads, tmp_path):
    db, first, _ = two_uploads
    back(db, first)

    again = load(db, tmp_path / "b.csv")

    assert again.status == "accepted"  # not "unchanged": it is no longer the current list
    assert total(db) == 2


def test_a_rollback_can_itself_be_rolled_forward(two_uploads):
    db, first, second = two_uploads
    back(db, first, ANNA)

    back(db, second, ANNA)  # the latest change is Anna's rollback: she may undo it

    assert total(db) == 2
    assert rollback.rollback_targets(warehouse.connect_reader(db), "VALPAS2", "261", "2021Q2") == [first]


@pytest.mark.parametrize(
    ("target", "municipality", "quarter", "key"),
    [
        ("rejected", "261", "2021Q2", "rollback.not_accepted"),
        ("unchanged", "261", "2021Q2", "rollback.not_accepted"),
        ("first", "614", "2021Q2", "rollback.no_list"),  # nothing ever loaded for Posio
        ("posio", "614", "2021Q2", "rollback.already_current"),
        ("first", "614", "2021Q3", "rollback.other_list"),
        ("other_quarter", "261", "2021Q2", "rollback.other_list"),
        ("posio", "261", "2021Q2", "rollback.no_rows_for_municipality"),
        ("second", "261", "2021Q2", "rollback.already_current"),
        ("missing", "261", "2021Q2", "rollback.unknown_upload"),
    ],
)
def test_a_wrong_rollback_is_refused_and_changes_nothing(
    two_uploads, tmp_path, target, municipality, quarter, key
):
    db, first, second = two_uploads
    ids = {"first": first, "second": second, "missing": 999}
    ids["rejected"] = load(
        db, clients_csv(tmp_path / "bad.csv", ("KIT-9;Kittilä;18-24;;1.2.2021;;??;;;;",))
    ).upload_id
    ids["unchanged"] = load(db, tmp_path / "b.csv").upload_id
    ids["other_quarter"] = load(db, tmp_path / "a.csv", quarter="2021Q3").upload_id
    if target == "posio" or (municipality == "614" and quarter == "2021Q3"):
        ids["posio"] = load(db, clients_csv(tmp_path / "p.csv", POSIO_ROWS), quarter=quarter).upload_id
    before, log, entries = (
        snapshot_state(db),
        rows(db, "select * from audit.uploads order by 1"),
        manifest(db),
    )

    with pytest.raises(UsageError) as refused:
        back(db, ids[target], municipality=municipality, quarter=quarter)

    assert refused.value.key == key
    assert snapshot_state(db) == before
    assert rows(db, "select * from audit.uploads order by 1") == log
    assert manifest(db) == entries


@pytest.mark.parametrize(
    ("user", "allowed"),
    [(ADMIN, True), (ANNA, True), (BERT, False), (POSIO, False), (VIEWER, False)],
)
def test_only_an_admin_or_the_coordinator_who_made_the_change_may_roll_it_back(db, tmp_path, user, allowed):
    first = load(db, clients_csv(tmp_path / "a.csv"), user="bert")
    load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:2]), user="anna")

    if allowed:
        back(db, first.upload_id, user)
        assert total(db) == 3
    else:
        with pytest.raises(UsageError) as refused:
            back(db, first.upload_id, user)
        assert (refused.value.key, refused.value.params["uploader"]) == ("rollback.not_allowed", "anna")
        assert total(db) == 2


def test_rebuild_reproduces_the_rolled_back_state_and_every_id(db, tmp_path):
    load(db, clients_csv(tmp_path / "bad.csv", ("x;y",)))  # rejected: not replayed, its id stays unused
    first = load(db, clients_csv(tmp_path / "a.csv"))
    load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:2]))
    back(db, first.upload_id)
    load(db, clients_csv(tmp_path / "c.csv", VALID_ROWS[:1]), quarter="2021Q3")
    before = snapshot_state(db)
    log = rows(db, "select * from audit.uploads where status <> 'rejected' order by 1")
    rollbacks = rows(db, "select * from audit.rollbacks")

    assert replay.rebuild(db) == 3

    assert snapshot_state(db) == before
    assert rows(db, "select * from audit.uploads order by 1") == log
    assert rows(db, "select * from audit.rollbacks") == rollbacks
    assert (total(db), total(db, "2021Q3")) == (3, 1)


def test_the_upload_log_names_the_municipalities_each_list_carried(db, tmp_path):
    """Each load logs its lists' municipalities: what staging's lists say, as migration 007 fills it in."""
    first = load(db, clients_csv(tmp_path / "a.csv"))
    second = load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:2]))
    posio = load(db, clients_csv(tmp_path / "posio.csv", POSIO_ROWS), user="paula")
    back(db, first.upload_id)
    logged = rows(db, "select upload_id, municipality_code from audit.upload_municipalities order by all")
    in_staging = rows(
        db,
        "select upload_id, municipality_code from staging.clients union "
        "select upload_id, municipality_code from staging.client_snapshots order by all",
    )
    assert logged == in_staging
    assert logged == [(first.upload_id, "261"), (second.upload_id, "261"), (posio.upload_id, "614")]


def test_rebuild_finds_a_rollback_target_by_its_file_in_a_manifest_without_ids(db, tmp_path):
    load(db, clients_csv(tmp_path / "bad.csv", ("x;y",)))
    first = load(db, clients_csv(tmp_path / "a.csv"))
    load(db, clients_csv(tmp_path / "b.csv", VALID_ROWS[:2]))
    back(db, first.upload_id)
    expected = marts(db)
    path = warehouse.uploads_dir(db) / kept.MANIFEST  # as written before loads recorded their ids
    entries = manifest(db)
    db.unlink()  # the copy beside the kept cells is read only when the snapshots are lost
    shutil.rmtree(warehouse.snapshot_dir(db))
    path.write_text(
        "".join(
            json.dumps(
                {k: v for k, v in e.items() if e["action"] == "rollback" or k != "upload_id"}, default=str
            )
            + "\n"
            for e in entries
        ),
        "utf-8",
    )

    replay.rebuild(db)

    assert marts(db) == expected
    assert rows(
        db, "select u.file_sha256 from staging.client_snapshots join audit.uploads u using (upload_id)"
    ) == [(ingest.sha256_of(tmp_path / "a.csv"),)]


def test_upload_history_lists_every_attempt_and_what_is_current(two_uploads, tmp_path):
    db, first, second = two_uploads
    rejected = load(db, clients_csv(tmp_path / "bad.csv", ("x;y",)))
    undo = back(db, first)

    history = rollback.upload_history(warehouse.connect_reader(db), "VALPAS2")

    assert history.columns == [
        "upload_id",
        "uploaded_at",
        "user_name",
        "quarter",
        "kind",
        "file_name",
        "status",
        "n_rows",
        "n_problems",
        "municipalities",
        "to_upload_id",
        "current_for",
    ]
    got = history.select(
        "upload_id", "user_name", "status", "municipalities", "to_upload_id", "current_for"
    ).rows()
    assert got == [
        (undo.upload_id, "root", "rollback", ["261"], first, []),
        (rejected.upload_id, "anna", "rejected", [], None, []),
        (second, "anna", "accepted", ["261"], None, []),
        (first, "anna", "accepted", ["261"], None, ["261"]),
    ]
    assert rollback.upload_history(warehouse.connect_reader(db), "VALPAS").height == 0


def test_cli_rollback_and_history(two_uploads, capsys):
    db, first, second = two_uploads

    code = cli.main(
        [
            "rollback",
            "--db",
            str(db),
            "--project",
            "VALPAS2",
            "--municipality",
            "261",
            "--quarter",
            "2021Q2",
            "--to",
            str(first),
            "--user",
            "root",
            "--lang",
            "en",
        ]
    )
    out = capsys.readouterr().out
    refused = cli.main(
        [
            "rollback",
            "--db",
            str(db),
            "--project",
            "VALPAS2",
            "--municipality",
            "261",
            "--quarter",
            "2021Q2",
            "--to",
            str(first),
            "--lang",
            "en",
        ]
    )
    err = capsys.readouterr().err
    cli.main(["history", "--db", str(db), "--project", "VALPAS2", "--lang", "en"])
    listed = capsys.readouterr().out.splitlines()

    assert code == 0
    assert out.strip() == (
        f"The list of municipality 261 (VALPAS2, 2021Q2) was rolled back to upload #{first} "
        f"(3 rows); logged as #{second + 1}."
    )
    assert refused == 2
    assert (
        err.strip()
        == f"Upload #{first} is already the current list of municipality 261 for 2021Q2; nothing changed."
    )
    assert [line.split()[0] for line in listed] == [f"#{second + 1}", f"#{second}", f"#{first}"]
    assert listed[0].endswith(f"rollback to #{first}") and listed[-1].endswith("(current: 261)")


def test_a_rollback_after_a_rejected_upload_takes_a_new_id(two_uploads, tmp_path):
    db, first, second = two_uploads
    rejected = load(db, clients_csv(tmp_path / "bad.csv", ("x;y",)))  # logged beside the snapshots only
    assert rejected.status == "rejected" and rejected.upload_id == second + 1

    result = back(db, first)

    assert result.upload_id == rejected.upload_id + 1  # not the reject's id again
    con = warehouse.connect_reader(db)
    try:
        history = kept.rejected_rows(con)["upload_id"].to_list()
        ids = [r[0] for r in con.execute("select upload_id from audit.uploads").fetchall()]
    finally:
        con.close()
    assert len(set(history + ids)) == len(history + ids)
