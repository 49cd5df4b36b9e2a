"""Accounts: hashing, sign-in, roles and scopes, the sign-in throttle, and the ``users`` CLI."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from pipelines import ingest, replay, users, warehouse
from pipelines.i18n import LANGUAGES, PIPELINES_LOCALES
from pipelines.ingest import UsageError
from pipelines.users import FailedSignIns, User
from tests.pipelines.conftest import clients_csv

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


class CountingHasher(PasswordHasher):
    """Cheap argon2 parameters (tests hash often) and a count of verify calls."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def hasher(monkeypatch) -> CountingHasher:
    cheap = CountingHasher()
    monkeypatch.setattr(users, "HASHER", cheap)
    users._dummy_hash.cache_clear()
    yield cheap
    users._dummy_hash.cache_clear()


def add(db: Path, name: str = "anna", password: str = PASSWORD, role: str = "coordinator", **kw) -> User:
    if role == "coordinator":
        kw.setdefault("project", "VALPAS2")
    with warehouse.write(db) as con:
        return users.add_user(con, name, password, role, **kw)


@contextlib.contextmanager
def reading(db: Path):
    con = warehouse.connect_reader(db)
    try:
        yield con
    finally:
        con.close()


def sign_in(db: Path, name: str, password: str) -> User | None:
    with reading(db) as con:
        return users.authenticate(con, name, password)


# --- storage and sign-in -------------------------------------------------------------------------


def test_only_an_argon2_hash_of_the_password_is_stored(db):
    add(db, municipalities=["261"])

    with reading(db) as con:
        row = con.execute("select * from audit.users").fetchall()[0]
    stored_hash = row[1]

    assert stored_hash.startswith("$argon2id$")
    assert not any(PASSWORD in str(value) for value in row)
    assert PasswordHasher().verify(stored_hash, PASSWORD)
    assert PASSWORD.encode() not in warehouse.current_snapshot(db).read_bytes()


def test_two_accounts_with_the_same_password_get_different_hashes(db):
    add(db, "anna")
    add(db, "bert")

    with reading(db) as con:
        hashes = [r[0] for r in con.execute("select password_hash from audit.users").fetchall()]

    assert len(set(hashes)) == 2  # salted


def test_authenticate_accepts_the_right_password_only(db):
    add(db, municipalities=["261", " 614"])

    assert sign_in(db, "anna", PASSWORD) == User(
        "anna", "coordinator", frozenset({("VALPAS2", "261"), ("VALPAS2", "614")})
    )
    assert sign_in(db, "anna", PASSWORD + " ") is None
    assert sign_in(db, "anna", "") is None
    assert sign_in(db, "Anna", PASSWORD) is None  # names are exact
    assert sign_in(db, "nobody", PASSWORD) is None


def test_an_unknown_name_costs_a_verify_like_a_wrong_password(db, hasher):
    add(db)
    hasher.verified = 0

    assert sign_in(db, "nobody", PASSWORD) is None
    assert hasher.verified == 1
    assert sign_in(db, "anna", "wrong password") is None
    assert hasher.verified == 2


def test_removed_account_cannot_sign_in_and_may_be_added_again(db):
    add(db)
    with warehouse.write(db) as con:
        users.remove_user(con, "anna")

    assert sign_in(db, "anna", PASSWORD) is None
    with reading(db) as con:
        assert [(u["user_name"], u["is_active"], u["scopes"]) for u in users.list_users(con)] == [
            ("anna", False, [])
        ]
        assert con.execute("select password_hash from audit.users").fetchall() == [("",)]

    add(db, password="a new password", role="viewer")
    assert sign_in(db, "anna", "a new password") == User("anna", "viewer")


def test_list_users_never_returns_a_hash(db):
    add(db, "anna", municipalities=["261"])
    add(db, "root", role="admin")

    with reading(db) as con:
        listed = users.list_users(con)

    assert [(u["user_name"], u["role"], u["is_active"]) for u in listed] == [
        ("anna", "coordinator", True),
        ("root", "admin", True),
    ]
    assert listed[0]["scopes"] == [{"project_code": "VALPAS2", "municipality_code": "261"}]
    assert all("password_hash" not in u for u in listed)
    assert "$argon2" not in str(listed)


@pytest.mark.parametrize(
    ("name", "password", "role", "kw", "key"),
    [
        ("anna", PASSWORD, "king", {}, "users.unknown_role"),
        ("anna", PASSWORD, "coordinator", {"project": None}, "users.coordinator_needs_project"),
        ("anna", PASSWORD, "coordinator", {"project": "NOPE"}, "usage.unknown_project"),
        (
            "anna",
            PASSWORD,
            "coordinator",
            {"project": "VALPAS2", "municipalities": ["261", "091"]},
            "users.municipality_not_in_project",
        ),
        ("anna", PASSWORD, "viewer", {"project": "VALPAS2"}, "users.scope_not_for_role"),
        ("anna", PASSWORD, "admin", {"municipalities": ["261"]}, "users.scope_not_for_role"),
        ("anna", "", "viewer", {}, "users.password_too_short"),
        ("anna", "short", "viewer", {}, "users.password_too_short"),
        ("anna smith", PASSWORD, "viewer", {}, "users.bad_name"),
        ("", PASSWORD, "viewer", {}, "users.bad_name"),
    ],
)
def test_invalid_accounts_are_refused_and_nothing_is_written(db, name, password, role, kw, key):
    with pytest.raises(UsageError) as refused, warehouse.write(db) as con:
        users.add_user(con, name, password, role, **kw)

    assert refused.value.key == key
    with reading(db) as con:
        assert con.execute("select count(*) from audit.users").fetchall() == [(0,)]


def test_an_active_name_cannot_be_added_twice(db):
    add(db)

    with pytest.raises(UsageError) as refused:
        add(db, password="another password")

    assert refused.value.key == "users.exists"
    assert sign_in(db, "anna", PASSWORD) is not None


def test_removing_an_unknown_user_is_a_usage_error(db):
    with pytest.raises(UsageError) as refused, warehouse.write(db) as con:
        users.remove_user(con, "nobody")

    assert refused.value.key == "users.unknown_user"


def test_rebuild_keeps_the_accounts(db, tmp_path):
    add(db, municipalities=["261"])
    ingest.load_file(
        db, clients_csv(tmp_path / "a.csv"), project_code="VALPAS2", quarter="2021Q2", kind="clients"
    )

    replay.rebuild(db)

    assert sign_in(db, "anna", PASSWORD) == User("anna", "coordinator", frozenset({("VALPAS2", "261")}))


# --- roles and scopes (pure) ---------------------------------------------------------------------

COORDINATOR = User(
    "anna", "coordinator", frozenset({("VALPAS2", "261"), ("VALPAS2", "614"), ("YHDESSA", None)})
)
ADMIN = User("root", "admin")
VIEWER = User("ville", "viewer")


def test_a_coordinator_uploads_only_within_their_scope():
    assert COORDINATOR.can_upload("VALPAS2", "261")
    assert COORDINATOR.can_upload("VALPAS2")  # the project, some municipalities
    assert not COORDINATOR.can_upload("VALPAS2", "678")
    assert not COORDINATOR.can_upload("VALPAS", "261")
    assert COORDINATOR.can_upload("YHDESSA", "698")  # the whole project
    assert COORDINATOR.allowed_municipalities("VALPAS2") == frozenset({"261", "614"})
    assert COORDINATOR.allowed_municipalities("YHDESSA") is None
    assert COORDINATOR.allowed_municipalities("VALPAS") == frozenset()
    assert COORDINATOR.projects() == frozenset({"VALPAS2", "YHDESSA"})


def test_an_admin_may_upload_anywhere_and_a_viewer_nowhere():
    assert ADMIN.can_upload("VALPAS2", "678") and ADMIN.allowed_municipalities("VALPAS2") is None
    assert ADMIN.projects() is None
    assert not VIEWER.can_upload("VALPAS2", "261") and not VIEWER.can_upload("VALPAS2")
    assert VIEWER.allowed_municipalities("VALPAS2") == frozenset()
    assert VIEWER.projects() == frozenset()


@pytest.mark.parametrize(
    ("user", "row", "allowed"),
    [
        (ADMIN, {"user_name": "someone", "project_code": "VALPAS", "municipality_code": "320"}, True),
        (COORDINATOR, {"user_name": "anna", "project_code": "VALPAS2", "municipality_code": "261"}, True),
        (COORDINATOR, {"user_name": "bert", "project_code": "VALPAS2", "municipality_code": "261"}, False),
        (COORDINATOR, {"user_name": "anna", "project_code": "VALPAS2", "municipality_code": "678"}, False),
        (COORDINATOR, {"user_name": "anna", "project_code": "VALPAS", "municipality_code": "320"}, False),
        (VIEWER, {"user_name": "ville", "project_code": "VALPAS2", "municipality_code": "261"}, False),
    ],
)
def test_only_an_admin_or_the_uploading_coordinator_may_roll_back(user, row, allowed):
    assert user.can_rollback(row) is allowed


# --- sign-in throttle ----------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_three_failures_are_free_then_the_wait_doubles_up_to_the_cap():
    clock = Clock()
    throttle = FailedSignIns(clock)
    waits = []
    for _ in range(9):
        throttle.record_failure("anna")
        waits.append(throttle.delay_for("anna"))

    assert waits == [0, 0, 1, 2, 4, 5, 5, 5, 5]  # capped at a few seconds: the owner is never locked out


ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


def test_a_flood_against_a_name_from_elsewhere_does_not_delay_its_owner():
    clock = Clock()
    throttle = FailedSignIns(clock)
    for _ in range(500):
        throttle.record_failure("anna", ATTACKER)

    assert throttle.delay_for("anna", OWNER) == 0
    assert throttle.delay_for("anna", ATTACKER) == throttle.client_cap  # the flooder waits
    throttle.record_failure("anna", OWNER)  # the owner mistypes once: still free
    assert throttle.delay_for("anna", OWNER) == 0


def test_from_the_same_address_the_owner_waits_at_most_a_short_delay():
    clock = Clock()
    throttle = FailedSignIns(clock)
    for _ in range(500):
        throttle.record_failure("anna", ATTACKER)

    assert 0 < throttle.delay_for("anna", ATTACKER) <= max(throttle.cap, throttle.client_cap) <= 10
    clock.now += 10
    assert throttle.delay_for("anna", ATTACKER) == 0


def test_trying_many_names_from_one_client_is_slowed():
    clock = Clock()
    throttle = FailedSignIns(clock)
    waits = []
    for i in range(14):
        throttle.record_failure(f"user{i}", ATTACKER)  # one failure per name: no name's counter grows
        waits.append(throttle.delay_for(f"next{i}", ATTACKER))

    assert waits == [0] * 9 + [1, 2, 4, 8, 10]
    assert throttle.delay_for("next", OWNER) == 0  # other clients are not slowed
    throttle.reset("user1", ATTACKER)  # a success does not refill the client's budget
    assert throttle.delay_for("next", ATTACKER) == 10


def test_the_wait_runs_down_with_the_clock():
    clock = Clock()
    throttle = FailedSignIns(clock)
    for _ in range(5):
        throttle.record_failure("anna")

    assert throttle.delay_for("anna") == 4
    clock.now += 2.5
    assert throttle.delay_for("anna") == 1.5
    clock.now += 10
    assert throttle.delay_for("anna") == 0


def test_failures_count_per_name_reset_on_success_and_are_forgotten_later():
    clock = Clock()
    throttle = FailedSignIns(clock, forget_after=900)
    for _ in range(4):
        throttle.record_failure("anna")

    assert throttle.delay_for(" ANNA ") == 2  # one counter however the name is typed
    assert throttle.delay_for("bert") == 0
    throttle.reset("anna")
    assert throttle.delay_for("anna") == 0

    for _ in range(4):
        throttle.record_failure("anna")
    clock.now += 901
    throttle.record_failure("anna")
    assert throttle.delay_for("anna") == 0  # the old failures were forgotten: this is the first again


# --- the command line ----------------------------------------------------------------------------


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args, "--lang", "en"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def test_cli_adds_lists_and_removes_accounts_with_the_password_on_stdin(tmp_path, hasher):
    db = tmp_path / "warehouse.duckdb"

    added = cli(
        "users",
        "add",
        "--db",
        str(db),
        "--user",
        "anna",
        "--role",
        "coordinator",
        "--project",
        "VALPAS2",
        "--municipality",
        "261",
        "614",
        stdin=PASSWORD + "\nignored\n",
    )
    listed = cli("users", "list", "--db", str(db))

    assert (added.returncode, added.stderr) == (0, "")
    assert added.stdout.strip() == "User anna added (role coordinator, project VALPAS2: 261, 614)."
    assert sign_in(db, "anna", PASSWORD) is not None  # the first line only, without its newline
    assert listed.stdout.splitlines() == ["anna  coordinator  active  project VALPAS2: 261, 614"]
    assert "argon2" not in listed.stdout

    removed = cli("users", "remove", "--db", str(db), "--user", "anna")
    assert removed.returncode == 0
    assert sign_in(db, "anna", PASSWORD) is None


def test_cli_has_no_password_option(tmp_path):
    db = tmp_path / "warehouse.duckdb"

    given = cli("users", "add", "--db", str(db), "--user", "anna", "--role", "viewer", "--password", PASSWORD)

    assert given.returncode == 2
    assert "unrecognized arguments: --password" in given.stderr
    assert not db.exists()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "king"], PASSWORD, "Unknown role king. Allowed: viewer, coordinator, admin."),
        (["--role", "coordinator"], PASSWORD, "A coordinator needs a project (--project)."),
        (["--role", "coordinator", "--project", "NOPE"], PASSWORD, "Unknown project NOPE."),
        (["--role", "viewer"], "", "The password must have at least 8 characters."),
        (["--role", "viewer"], "\n", "The password must have at least 8 characters."),
    ],
)
def test_cli_usage_errors_exit_2_with_one_sentence(tmp_path, args, stdin, message):
    db = tmp_path / "warehouse.duckdb"

    result = cli("users", "add", "--db", str(db), "--user", "anna", *args, stdin=stdin)

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    with reading(db) as con:
        assert con.execute("select count(*) from audit.users").fetchall() == [(0,)]


# --- translations --------------------------------------------------------------------------------


def test_every_account_message_has_every_language_with_the_same_placeholders():
    with open(PIPELINES_LOCALES / "users.toml", "rb") as fh:
        table = tomllib.load(fh)
    keys = [(f"{group}.{key}", langs) for group, entries in table.items() for key, langs in entries.items()]

    assert keys
    for key, langs in keys:
        assert set(langs) == set(LANGUAGES), key
        placeholders = {lang: set(re.findall(r"\{(\w+)\}", text)) for lang, text in langs.items()}
        assert len({frozenset(p) for p in placeholders.values()}) == 1, key
