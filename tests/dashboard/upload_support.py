"""Shared by the upload, sign-in and history tests: a writable copy of the demo warehouse with accounts."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from dashboard import auth
from dashboard.auth import throttle as shared_throttle  # kept when a test swaps auth.throttle
from pipelines import users
from pipelines import warehouse as wh

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
PASSWORD = "oikea-salasana-1"
ACCOUNTS = {  # name -> (role, project, municipalities)
    "anna": ("coordinator", "VALPAS2", ["261"]),
    "paavo": ("coordinator", "VALPAS2", ["614"]),
    "ada": ("admin", None, []),
    "ville": ("viewer", None, []),
}
HEADER = (
    "asiakastunnus;kunta;ikäryhmä;sukupuoli;aloituspäivä;lopetuspäivä;tilanne_alussa;"
    "pitkäaikaistyötön;tilanne_lopussa;jatkopolku;valmentaja"
)
BAD_ROWS = (  # Kittilä's coordinator writes Posio's row, an invalid date and an unknown status
    "KIT-101;Kittilä;18-24;nainen;1.2.2021;31.7.2023;työtön;kyllä;työllinen;koulutus;Valmentaja Ä",
    "KIT-102;Posio;25-29;mies;15.3.2021;30.6.2023;opiskelija;;opiskelija;koulutus;Valmentaja Ä",
    "KIT-103;Kittilä;30-40;;31.2.2021;30.6.2023;työelämän ulkopuolella;;työtön;keskeytti;Valmentaja Ö",
    "KIT-104;Kittilä;18-24;muu;1.3.2021;30.6.2023;lomalla;;työtön;keskeytti;Valmentaja Ö",
)


def bad_clients_csv() -> bytes:
    """A client list as Finnish Excel saves it (cp1252, ';', CRLF) with four kinds of problems."""
    return ("\r\n".join([HEADER, *BAD_ROWS]) + "\r\n").encode("cp1252")


def fewer_clients_csv(drop: int = 3) -> bytes:
    """Kittilä's sample list without its last ``drop`` clients (the demo holds the full list)."""
    lines = (SAMPLES / "asiakkaat_excel_fi.csv").read_bytes().split(b"\r\n")
    data = [line for line in lines[1:] if line.strip(b"; ")]
    return b"\r\n".join([lines[0], *data[:-drop]]) + b"\r\n"


def copy_warehouse(source: Path, target: Path) -> Path:
    """Copy the current snapshot of ``source`` into a new warehouse at ``target``, a private copy to write."""
    folder = wh.snapshot_dir(target)
    folder.mkdir(parents=True)
    shutil.copyfile(os.path.realpath(source), folder / "000001.duckdb")
    target.symlink_to(os.path.relpath(folder / "000001.duckdb", target.parent))
    return target


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters (tests sign in often) and a fresh sign-in throttle."""
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    users._dummy_hash.cache_clear()
    shared_throttle.clear()
    yield
    users._dummy_hash.cache_clear()
    shared_throttle.clear()


@pytest.fixture
def upload_db(tmp_path: Path, warehouse: Path, use_db, cheap_hashes) -> Path:
    """A writable copy of the demo warehouse with the accounts of ``ACCOUNTS``, used by the app."""
    db = copy_warehouse(warehouse, tmp_path / "wh" / "warehouse.duckdb")
    with wh.write(db) as con:
        for name, (role, project, municipalities) in ACCOUNTS.items():
            users.add_user(con, name, PASSWORD, role, project, municipalities)
    return use_db(db)


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    """Fill in and submit the sign-in form (the app must be on the sign-in page)."""
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return at.button(key="signin_submit").click().run()


def signed_in(app, db: Path, name: str, page: str | None = None) -> AppTest:
    """Run the app, sign in as ``name`` and switch to ``page``."""
    at = app(db, "views/signin.py")
    sign_in(at, name)
    assert at.session_state[auth.SIGNED_IN] == name
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, data: bytes, **choices: str) -> AppTest:
    """Choose project/quarter/kind (by widget key suffix) and drop a file on the uploader."""
    for key, value in choices.items():
        at.selectbox(key=f"upload_{key}").set_value(value)
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    return at.run()


def as_read(table):
    """Return an st.table's frame as the reader sees it: Markdown escapes and word joiners taken out."""
    return table.map(lambda v: re.sub(r"\\(.)", r"\1", v).replace("\u2060", "") if isinstance(v, str) else v)


def nav_paths(at: AppTest) -> set[str]:
    """Return the url paths of the pages the navigation offered in the last run (AppTest's own record)."""
    return {p.get("url_pathname", "") for p in at._registered_pages.values()}
