"""Accounts (käyttäjät), roles and what each may do; passwords are kept only as argon2 hashes.

Roles: a *viewer* reads; a *coordinator* uploads for the projects and municipalities assigned to them and
may roll back their own uploads; an *admin* may do anything on every project. Accounts live in the
warehouse's ``audit`` schema, so every published snapshot carries them; writes go through
``warehouse.write`` like any other change, and ``replay.rebuild`` carries them over (``carry_users``).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipelines.ingest import UsageError

ROLES = ("viewer", "coordinator", "admin")
MIN_PASSWORD_LENGTH = 8
USER_NAME = re.compile(r"^[\w.@-]{1,64}$")
HASHER = PasswordHasher()  # argon2id with the library's RFC 9106 defaults; tests swap in a cheaper one


@dataclass(frozen=True)
class User:
    """A signed-in account: its name, role and upload scopes ``(project_code, municipality_code | None)``."""

    name: str
    role: str
    scopes: frozenset[tuple[str, str | None]] = frozenset()

    def projects(self) -> frozenset[str] | None:
        """Return the projects this user may upload for (None = every project)."""
        if self.role == "admin":
            return None
        if self.role == "viewer":
            return frozenset()
        return frozenset(project for project, _ in self.scopes)

    def allowed_municipalities(self, project: str) -> frozenset[str] | None:
        """Return the municipalities of ``project`` this user may upload for (None = all of the project)."""
        if self.role == "admin":
            return None
        if self.role == "viewer":
            return frozenset()
        if (project, None) in self.scopes:
            return None
        return frozenset(m for p, m in self.scopes if p == project and m is not None)

    def can_upload(self, project: str, municipality: str | None = None) -> bool:
        """Tell whether this user may upload for ``project`` (and ``municipality``, when given)."""
        if self.role == "admin":
            return True
        if self.role == "viewer" or project not in (self.projects() or ()):
            return False
        allowed = self.allowed_municipalities(project)
        return municipality is None or allowed is None or municipality in allowed

    def can_rollback(self, upload_row: Mapping) -> bool:
        """Tell whether this user may undo ``upload_row``, the latest change to a snapshot.

        An admin may undo anything; a coordinator only a change they made themselves, in their scope.
        ``upload_row`` needs ``user_name`` and ``project_code``, and ``municipality_code`` when the
        change is to one municipality (as ``rollback.latest_change`` returns it).
        """
        if self.role == "admin":
            return True
        if self.role != "coordinator" or upload_row.get("user_name") != self.name:
            return False
        return self.can_upload(upload_row["project_code"], upload_row.get("municipality_code"))


def _check_name(name: str) -> str:
    if not USER_NAME.match(name or ""):
        raise UsageError("users.bad_name", user=name)
    return name


def _check_scope(
    con: duckdb.DuckDBPyConnection, role: str, project: str | None, municipalities: Iterable[str]
) -> list[tuple[str, str | None]]:
    """Validate a role and its scope against the reference data; return the scope rows to store."""
    if role not in ROLES:
        raise UsageError("users.unknown_role", role=role, roles=", ".join(ROLES))
    municipalities = sorted({m.strip().zfill(3) for m in municipalities})
    if role != "coordinator":
        if project is not None or municipalities:
            raise UsageError("users.scope_not_for_role", role=role)
        return []
    if project is None:
        raise UsageError("users.coordinator_needs_project")
    known = [r[0] for r in con.execute("select project_code from ref.projects order by 1").fetchall()]
    if project not in known:
        raise UsageError("usage.unknown_project", project=project, known=", ".join(known))
    in_project = {
        r[0]
        for r in con.execute(
            "select municipality_code from ref.project_municipalities where project_code = ?", [project]
        ).fetchall()
    }
    outside = [m for m in municipalities if m not in in_project]
    if outside:
        raise UsageError(
            "users.municipality_not_in_project",
            municipality=", ".join(outside),
            project=project,
            known=", ".join(sorted(in_project)),
        )
    return [(project, m) for m in municipalities] or [(project, None)]


def check_account(
    con: duckdb.DuckDBPyConnection,
    name: str,
    role: str,
    project: str | None = None,
    municipalities: Iterable[str] = (),
) -> list[tuple[str, str | None]]:
    """Check a new account's name, role and scope (before asking for a password); return its scopes."""
    _check_name(name)
    scopes = _check_scope(con, role, project, municipalities)
    existing = con.execute("select is_active from audit.users where user_name = ?", [name]).fetchall()
    if existing and existing[0][0]:
        raise UsageError("users.exists", user=name)
    return scopes


def add_user(
    con: duckdb.DuckDBPyConnection,
    name: str,
    password: str,
    role: str,
    project: str | None = None,
    municipalities: Iterable[str] = (),
) -> User:
    """Create an account (or re-create a removed one); only the password's argon2 hash is stored."""
    scopes = check_account(con, name, role, project, municipalities)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError("users.password_too_short", n=MIN_PASSWORD_LENGTH)
    password_hash = HASHER.hash(password)
    con.execute("delete from audit.users where user_name = ?", [name])
    con.execute(
        "insert into audit.users values (?, ?, ?, ?, true)",
        [name, password_hash, role, datetime.now(UTC).replace(tzinfo=None)],
    )
    con.execute("delete from audit.user_scopes where user_name = ?", [name])
    if scopes:
        con.executemany("insert into audit.user_scopes values (?, ?, ?)", [[name, p, m] for p, m in scopes])
    return User(name, role, frozenset(scopes))


def remove_user(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Deactivate an account: it can no longer sign in, its hash and scopes are dropped, its name stays."""
    found = con.execute("select 1 from audit.users where user_name = ? and is_active", [name]).fetchall()
    if not found:
        raise UsageError("users.unknown_user", user=name)
    con.execute("update audit.users set is_active = false, password_hash = '' where user_name = ?", [name])
    con.execute("delete from audit.user_scopes where user_name = ?", [name])


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Return every account with its role and scopes, removed ones included; never a password hash."""
    rows = con.execute(
        """select u.user_name, u.role, u.created_at, u.is_active,
                  coalesce(list({'project_code': s.project_code, 'municipality_code': s.municipality_code}
                                order by s.project_code, s.municipality_code nulls first)
                               filter (where s.project_code is not null), []) as scopes
           from audit.users u left join audit.user_scopes s using (user_name)
           group by all order by u.user_name"""
    ).fetchall()
    keys = ("user_name", "role", "created_at", "is_active", "scopes")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def load_user(con: duckdb.DuckDBPyConnection, name: str) -> User | None:
    """Return the active account ``name`` with its scopes, or None (e.g. removed since sign-in)."""
    found = con.execute("select role from audit.users where user_name = ? and is_active", [name]).fetchall()
    if not found:
        return None
    scopes = con.execute(
        "select project_code, municipality_code from audit.user_scopes where user_name = ?", [name]
    ).fetchall()
    return User(name, found[0][0], frozenset((p, m) for p, m in scopes))


@cache
def _dummy_hash() -> str:
    return HASHER.hash("no such account: verify anyway so unknown names take as long")


def authenticate(con: duckdb.DuckDBPyConnection, name: str, password: str) -> User | None:
    """Return the user when ``password`` is theirs, else None; unknown names cost one verify too."""
    found = con.execute(
        "select password_hash from audit.users where user_name = ? and is_active", [name]
    ).fetchall()
    stored = found[0][0] if found and found[0][0] else None
    try:
        HASHER.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return load_user(con, name) if stored else None


def carry_users(from_con: duckdb.DuckDBPyConnection, to_con: duckdb.DuckDBPyConnection) -> int:
    """Copy every account and scope from one warehouse into another (rebuild); return the accounts."""
    has_users = from_con.execute(
        "select count(*) from information_schema.tables where table_schema = 'audit' and table_name = 'users'"
    ).fetchall()[0][0]
    if not has_users:  # a snapshot from before accounts existed
        return 0
    users = from_con.execute(
        "select user_name, password_hash, role, created_at, is_active from audit.users"
    ).fetchall()
    scopes = from_con.execute(
        "select user_name, project_code, municipality_code from audit.user_scopes"
    ).fetchall()
    to_con.execute("delete from audit.user_scopes")
    to_con.execute("delete from audit.users")
    if users:
        to_con.executemany("insert into audit.users values (?, ?, ?, ?, ?)", [list(r) for r in users])
    if scopes:
        to_con.executemany("insert into audit.user_scopes values (?, ?, ?)", [list(r) for r in scopes])
    return len(users)


LOCAL = "local"  # the client of a sign-in without an address (localhost, AppTest)


class FailedSignIns:
    """Slow down password guessing per (name, client) and per client, never locking an owner out for long.

    In memory (one per app process, shared by its sessions). Two counters, both forgotten ``forget_after``
    seconds after their last failure:

    - per (user name, client address): the first ``free`` failures cost nothing, the n-th after that makes
      the next attempt of that name from that client wait ``2 ** (n - free)`` seconds, at most ``cap``
      (a few seconds). A flood of wrong passwords against a name from elsewhere never delays its owner,
      and from the owner's own address never by more than ``cap``; a success forgets this counter.
    - per client, across names: after ``client_free`` failures from one address, each further attempt of
      any name from it waits ``2 ** (n - client_free)`` seconds, at most ``client_cap``, so trying many
      names in a row is slowed too. A success does not forget it (an attacker with one account of their
      own could otherwise reset it).
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        free: int = 3,
        cap: float = 5.0,
        client_free: int = 10,
        client_cap: float = 10.0,
        forget_after: float = 900.0,
    ):
        self.clock, self.free, self.cap, self.forget_after = clock, free, cap, forget_after
        self.client_free, self.client_cap = client_free, client_cap
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # (name, client) -> (count, last)
        self._by_client: dict[str, tuple[int, float]] = {}  # client -> (count, time of the last failure)
        self._lock = threading.Lock()  # Streamlit sessions are threads of one process

    @staticmethod
    def _key(name: str, client: str | None) -> tuple[str, str]:
        return name.strip().casefold(), client or LOCAL

    def _current(self, table: dict, key, now: float) -> tuple[int, float]:
        count, last = table.get(key, (0, now))
        return (0, now) if now - last > self.forget_after else (count, last)

    def _wait(self, table: dict, key, now: float, free: int, cap: float) -> float:
        count, last = self._current(table, key, now)
        return 0.0 if count < free else max(0.0, last + min(2.0 ** (count - free), cap) - now)

    def delay_for(self, name: str, client: str | None = None) -> float:
        """Return the seconds ``name`` must still wait before its next attempt from ``client`` (0 = now)."""
        with self._lock:
            now = self.clock()
            key = self._key(name, client)
            return max(
                self._wait(self._failures, key, now, self.free, self.cap),
                self._wait(self._by_client, key[1], now, self.client_free, self.client_cap),
            )

    def record_failure(self, name: str, client: str | None = None) -> None:
        """Count one failed sign-in of ``name`` from ``client``."""
        with self._lock:
            now = self.clock()
            key = self._key(name, client)
            self._failures[key] = (self._current(self._failures, key, now)[0] + 1, now)
            self._by_client[key[1]] = (self._current(self._by_client, key[1], now)[0] + 1, now)
            if len(self._failures) > 10_000:  # many guessed names: drop the forgotten ones
                self._failures = self._recent(self._failures, now)
            if len(self._by_client) > 10_000:
                self._by_client = self._recent(self._by_client, now)

    def _recent(self, table: dict, now: float) -> dict:
        return {k: v for k, v in table.items() if now - v[1] <= self.forget_after}

    def reset(self, name: str, client: str | None = None) -> None:
        """Forget the failures of ``name`` from ``client`` (after a successful sign-in)."""
        with self._lock:
            self._failures.pop(self._key(name, client), None)
