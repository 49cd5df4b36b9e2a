"""The committed deploy/nginx.conf, run for real in front of a running app (tests/deploy/test_proxy.py and
tests/browser/test_proxy.py).

Only what a test machine must change is rewritten: the ports (free ones), the app's address, the
certificate (a throwaway self-signed one made with openssl) and the files nginx writes (under tmp).
Each rewrite must match exactly once, so a changed config fails here instead of testing something else.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "nginx.conf"


@dataclass(frozen=True)
class Proxy:
    """A running nginx: its HTTPS and HTTP base URLs and the certificate to trust."""

    https: str
    http: str
    port: int
    cert: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tools() -> tuple[str, str]:
    """Return the nginx and openssl executables, or skip the test saying which is missing."""
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    openssl = shutil.which("openssl")
    if nginx is None:
        pytest.skip("nginx is not installed: apt-get install nginx-light (make browser installs it as root)")
    if openssl is None:
        pytest.skip("openssl is not installed: apt-get install openssl")
    return nginx, openssl


def self_signed(openssl: str, folder: Path) -> tuple[Path, Path]:
    """Make a throwaway certificate for 127.0.0.1 and localhost, valid one day."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def _replace(text: str, pattern: str, new: str) -> str:
    result, n = re.subn(pattern, new, text, flags=re.MULTILINE)
    assert n == 1, f"deploy/nginx.conf: {pattern!r} matched {n} times, not once"
    return result


def rewrite(text: str, *, app: str, http: int, https: int, cert: Path, key: Path, folder: Path) -> str:
    """Return the committed config with this machine's ports, certificate and writable paths."""
    text = _replace(text, r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{http};")
    text = _replace(text, r"^(\s*)listen 443 ssl", rf"\1listen 127.0.0.1:{https} ssl")
    text = _replace(text, r"server 127\.0\.0\.1:8501;", f"server {app};")
    text = _replace(text, r"ssl_certificate \S+;", f"ssl_certificate {cert};")
    text = _replace(text, r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};")
    text = _replace(text, r"^pid \S+;", f"pid {folder / 'nginx.pid'};")
    text = _replace(text, r"^error_log \S+", f"error_log {folder / 'error.log'}")
    temp = "".join(f"    {kind}_temp_path {folder / kind};\n" for kind in ("client_body", "proxy", "fastcgi"))
    temp += "".join(f"    {kind}_temp_path {folder / kind};\n" for kind in ("uwsgi", "scgi"))
    return _replace(text, r"^(\s*)access_log \S+;\n", rf"\1access_log {folder / 'access.log'};\n{temp}")


@contextlib.contextmanager
def running_proxy(app_url: str, folder: Path) -> Iterator[Proxy]:
    """Run deploy/nginx.conf in front of ``app_url`` (http://127.0.0.1:PORT) until the block ends."""
    nginx, openssl = tools()
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(openssl, folder)
    http, https = _free_port(), _free_port()
    conf = folder / "nginx.conf"
    app = app_url.removeprefix("http://")
    text = rewrite(CONFIG.read_text(), app=app, http=http, https=https, cert=cert, key=key, folder=folder)
    # As root, nginx's workers run as nobody, who cannot enter pytest's private tmp folders.
    conf.write_text(("user root;\n" if os.geteuid() == 0 else "") + text)
    checked = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(folder)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=(folder / "nginx.stderr").open("w"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", https), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, (folder / "nginx.stderr").read_text()
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.2)
        yield Proxy(
            https=f"https://127.0.0.1:{https}", http=f"http://127.0.0.1:{http}", port=https, cert=cert
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
