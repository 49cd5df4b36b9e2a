"""Password sign-ins that survive a reload: a random token in a cookie, only its hash kept, with an expiry.

Streamlit forgets ``st.session_state`` when the page reloads, so a coordinator lost the sign-in (and an
upload in progress) with every reload. After a password sign-in the browser gets a random token in the
cookie ``COOKIE`` (``SameSite=Strict``, ``Secure`` over https, ``Max-Age`` the lifetime); the server keeps
only the token's SHA-256, the account and the expiry in ``sessions.sqlite`` beside the warehouse (0600).
A new session of the same browser reads the cookie (``st.context.cookies``) and is signed in again while
the token is unexpired; signing out deletes the token server-side and clears the cookie.

Why not in the warehouse: a sign-in is no data change, and a write there publishes a whole snapshot copy.
Why a script sets the cookie: Streamlit 1.67 gives an app no way to set a response header, so the cookie
cannot be HttpOnly; every user- or URL-supplied text is shown escaped (``dashboard/ui.py``), and the
token is useless once signed out or expired. OpenID Connect keeps its own cookie (``st.login``).

| variable                   | default | meaning                                   |
|----------------------------|---------|-------------------------------------------|
| ``DASHBOARD_SESSION_HOURS`` | ``8``   | how long a sign-in lasts without sign-out |
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from dashboard import settings

COOKIE = "hd_session"
DEFAULT_HOURS = 8


def lifetime_seconds() -> int:
    """Return how long a sign-in lasts (``DASHBOARD_SESSION_HOURS``, default 8 h)."""
    try:
        hours = float(os.environ.get("DASHBOARD_SESSION_HOURS", DEFAULT_HOURS))
    except ValueError:
        hours = DEFAULT_HOURS
    return int(max(hours, 0) * 3600) or DEFAULT_HOURS * 3600


def store_path() -> Path:
    """Return the session store beside the warehouse's published path."""
    return settings.db_path().parent / "sessions.sqlite"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _store(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    path = path or store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():  # created by its owner only: it names who is signed in
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    con = sqlite3.connect(path, timeout=5)
    try:
        con.execute(
            "create table if not exists sessions ("
            " token_sha256 text primary key, user_name text not null, expires_at real not null)"
        )
        with con:
            yield con
    finally:
        con.close()


def create(user_name: str, *, now: float | None = None, path: Path | None = None) -> str:
    """Start a session for an account; return the token for the cookie (only its hash is kept)."""
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(32)
    with _store(path) as con:
        con.execute("delete from sessions where expires_at <= ?", [now])
        con.execute(
            "insert into sessions values (?, ?, ?)", [_digest(token), user_name, now + lifetime_seconds()]
        )
    return token


def lookup(token: str | None, *, now: float | None = None, path: Path | None = None) -> str | None:
    """Return the account of an unexpired token, else None."""
    if not token or len(token) > 200:
        return None
    now = time.time() if now is None else now
    with _store(path) as con:
        row = con.execute(
            "select user_name from sessions where token_sha256 = ? and expires_at > ?", [_digest(token), now]
        ).fetchone()
    return row[0] if row else None


def end(token: str | None, *, path: Path | None = None) -> None:
    """End a session server-side: its token no longer signs anyone in."""
    if token:
        with _store(path) as con:
            con.execute("delete from sessions where token_sha256 = ?", [_digest(token)])


def cookie_script(token: str | None) -> str:
    """Return the script that sets the session cookie, or clears it when ``token`` is None."""
    value, max_age = (token, lifetime_seconds()) if token else ("", 0)
    return (
        "<script>document.cookie = "
        f"{json.dumps(f'{COOKIE}={value}; Max-Age={max_age}; Path=/; SameSite=Strict')}"
        ' + (location.protocol === "https:" ? "; Secure" : "");</script>'
    )
