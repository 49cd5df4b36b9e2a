"""Sign-ins that survive a reload: the session store keeps a token's hash with an expiry, and forgets it."""

from __future__ import annotations

import stat

from dashboard import sessions


def test_a_token_signs_its_account_in_until_it_expires(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_SESSION_HOURS", "2")
    store = tmp_path / "sessions.sqlite"
    token = sessions.create("kaisa", now=1000.0, path=store)
    assert sessions.lookup(token, now=1000.0 + 2 * 3600 - 1, path=store) == "kaisa"
    assert sessions.lookup(token, now=1000.0 + 2 * 3600, path=store) is None  # expired
    assert sessions.lookup("not-a-token", now=1000.0, path=store) is None
    assert sessions.lookup(None, path=store) is None


def test_signing_out_ends_the_session_server_side(tmp_path):
    store = tmp_path / "sessions.sqlite"
    token = sessions.create("kaisa", path=store)
    other = sessions.create("anna", path=store)
    sessions.end(token, path=store)
    assert sessions.lookup(token, path=store) is None
    assert sessions.lookup(other, path=store) == "anna"  # another browser's sign-in stays


def test_only_the_tokens_hash_is_kept_and_the_store_is_the_owners_only(tmp_path):
    store = tmp_path / "sessions.sqlite"
    token = sessions.create("kaisa", path=store)
    assert token.encode() not in store.read_bytes()
    assert stat.S_IMODE(store.stat().st_mode) == 0o600


def test_the_cookie_script_sets_and_clears_a_strict_cookie(monkeypatch):
    monkeypatch.setenv("DASHBOARD_SESSION_HOURS", "8")
    assert "hd_session=abc; Max-Age=28800; Path=/; SameSite=Strict" in sessions.cookie_script("abc")
    assert "hd_session=; Max-Age=0" in sessions.cookie_script(None)
    assert '"; Secure"' in sessions.cookie_script("abc")  # over https
