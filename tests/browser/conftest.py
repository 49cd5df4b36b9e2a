"""Real-browser fixtures: the real app (``streamlit run``) on a demo warehouse, driven by Playwright
on Debian's chromium (Playwright cannot download its own browser here)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines import warehouse

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # this machine's network is closed: no update or sync traffic
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as a browser test (run alone with ``-m browser``)."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(db: Path, log: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run dashboard/app.py`` on a free port and wait until it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard/app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env={**os.environ, "DASHBOARD_DB": str(db), **(env or {})},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.5)
        if process.poll() is not None:
            break
    process.kill()
    raise RuntimeError(f"the app did not start: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def demo_warehouse(warehouse: Path) -> Path:
    """The demo warehouse for the browser tests: the session's one (``tests/conftest.py``), read only."""
    return warehouse


@pytest.fixture(scope="session")
def app_url(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app serving the demo warehouse."""
    process, url = start_app(demo_warehouse, tmp_path_factory.mktemp("logs") / "streamlit.log")
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


USER, PASSWORD = "kaisa", "kittila-salasana-2023"  # a coordinator of Kittilä, added by the CLI


@contextlib.contextmanager
def served_copy(demo: Path, folder: Path) -> Iterator[tuple[Path, str]]:
    """Serve the real app on a private copy of the demo in ``folder``, with ``USER`` added by the CLI."""
    db = folder / "warehouse.duckdb"
    snapshots = warehouse.snapshot_dir(db)
    snapshots.mkdir()
    shutil.copyfile(os.path.realpath(demo), snapshots / "000001.duckdb")
    db.symlink_to(os.path.relpath(snapshots / "000001.duckdb", folder))
    added = subprocess.run(
        [sys.executable, "-m", "pipelines", "users", "add", "--db", str(db), "--user", USER,
         "--role", "coordinator", "--project", "VALPAS2", "--municipality", "261"],
        input=f"{PASSWORD}\n", text=True, capture_output=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    process, url = start_app(db, folder / "streamlit.log")
    try:
        yield db, url
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def upload_app(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The real app on a copy of the demo with a coordinator of Kittilä, for the tests that sign in: one
    app for the session, as none of them saves a file (``test_upload``, which does, has its own)."""
    with served_copy(demo_warehouse, tmp_path_factory.mktemp("upload-app")) as served:
        yield served


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium under Playwright; skipped with the reason when chromium is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM}: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def fresh_page(browser, width: int = 1400, height: int = 1000) -> Iterator:
    """Open a page in a new browser context (Finnish locale) of the given size; close it afterwards."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fi-FI")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def page(browser):
    """A fresh page at 1400x1000; closed after the test."""
    with fresh_page(browser) as pg:
        yield pg


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_app(page) -> None:
    """Wait until Streamlit has run the script to its end and the page shows its title.

    The status widget appears only after a short delay, so its absence proves nothing; the app's own
    ``data-test-script-state`` attribute says when the script run has really finished.
    """
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    settle(page)


def settle(page, timeout_s: float = 60) -> None:
    """Wait until the script is not running and the main area has not changed for a second.

    Neither signal is enough alone: the script-state attribute can read "notRunning" while the first
    run's elements are still arriving, and a page can be still for a moment mid-run.
    """
    script = """() => [document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState,
                       document.querySelector('[data-testid="stMain"]')?.innerText.length]"""
    deadline, last, still = time.monotonic() + timeout_s, None, 0
    while time.monotonic() < deadline:
        run_state, size = page.evaluate(script)
        still = still + 1 if (run_state == "notRunning" and size == last) else 0
        if still >= 4:
            return
        last = size
        page.wait_for_timeout(250)
    raise TimeoutError("the app did not settle")


def sign_in(page, url: str, user: str, password: str) -> None:
    """Open the app and sign in on the sign-in page as a person would (Finnish UI)."""
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("link", name="Kirjautuminen").first.click()
    page.get_by_label("Käyttäjätunnus").wait_for()
    settle(page)
    page.get_by_label("Käyttäjätunnus").fill(user)
    page.get_by_label("Salasana").fill(password)
    page.get_by_role("button", name="Kirjaudu").click()
    page.get_by_text("Kirjautuneena:").first.wait_for()
    settle(page)
