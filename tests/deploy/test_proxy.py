"""deploy/nginx.conf works in front of the real app: the page loads over TLS with the security headers,
/_stcore/metrics is blocked (however its path is spelt), the websocket upgrades and a 20 MB upload fits.

Skipped, saying why, where nginx or openssl is not installed (`make browser` installs nginx as root).
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import ssl
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import start_app
from tests.deploy.proxy import Proxy, running_proxy, tools

HEADERS = {  # header: a part its value must hold
    "Strict-Transport-Security": "max-age=",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
METRICS_SPELLINGS = ["/_stcore/metrics", "//_stcore/metrics", "/_stcore/%6detrics", "/_stcore/./metrics",
                     "/_stcore/metrics?format=proto", "/x/../_stcore/metrics"]  # fmt: skip


@pytest.fixture(scope="module")
def stack(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Proxy]]:
    """The real app on the session's demo warehouse (read only), behind the committed nginx config."""
    tools()  # skip before starting the app when nginx is missing
    folder = tmp_path_factory.mktemp("proxy")
    app, url = start_app(warehouse, folder / "streamlit.log", env={"DASHBOARD_FORWARDED_FOR": "1"})
    try:
        with running_proxy(url, folder / "nginx") as proxy:
            yield url, proxy
    finally:
        app.terminate()
        app.wait(timeout=15)


def get(url: str, cert: Path, method: str = "GET", data: bytes | None = None) -> tuple[int, dict, bytes]:
    """Fetch a URL trusting only the throwaway certificate; return status, headers and body."""
    context = ssl.create_default_context(cafile=str(cert))
    request = urllib.request.Request(url, method=method, data=data)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        with opener.open(request, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_page_loads_over_tls_with_every_security_header(stack):
    _, proxy = stack
    status, headers, body = get(f"{proxy.https}/", proxy.cert)
    assert status == 200
    assert b'<div id="root">' in body
    for name, part in HEADERS.items():
        assert part in headers.get(name, ""), (name, headers.get(name))
    assert "nginx/" not in headers.get("Server", "")  # server_tokens off

    status, headers, body = get(f"{proxy.https}/_stcore/health", proxy.cert)
    assert (status, body) == (200, b"ok")


def test_plain_http_is_sent_to_https(stack):
    _, proxy = stack
    status, headers, _ = get(f"{proxy.http}/kuntavertailu?lang=sv", proxy.cert)
    assert status == 301
    assert headers["Location"] == "https://127.0.0.1/kuntavertailu?lang=sv"


@pytest.mark.parametrize("path", METRICS_SPELLINGS)
def test_metrics_are_blocked_however_the_path_is_spelt(stack, path):
    app, proxy = stack
    assert get(f"{app}/_stcore/metrics", proxy.cert)[0] == 200  # the app itself serves them
    status, headers, body = get(f"{proxy.https}{path}", proxy.cert)
    assert status == 404, (path, body[:200])
    assert b"session" not in body
    assert "frame-ancestors" in headers.get("Content-Security-Policy", "")  # headers on errors too


def test_the_websocket_upgrades_through_the_proxy(stack):
    _, proxy = stack
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /_stcore/stream HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{proxy.port}\r\n"
        f"Origin: {proxy.https}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: streamlit\r\n\r\n"
    )
    context = ssl.create_default_context(cafile=str(proxy.cert))
    context.set_alpn_protocols(["http/1.1"])
    raw = socket.create_connection(("127.0.0.1", proxy.port), timeout=15)
    with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall(request.encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = tls.recv(4096)
            assert chunk, reply
            reply += chunk
    head = reply.split(b"\r\n\r\n")[0].decode().split("\r\n")
    fields = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in head[1:])}
    accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
    assert head[0].startswith("HTTP/1.1 101"), head
    assert fields["upgrade"].lower() == "websocket"
    assert fields["sec-websocket-accept"] == accept.decode()


def test_an_upload_of_twenty_megabytes_reaches_the_app(stack):
    """nginx's default body limit (1 MB) would answer 413 itself and the app would never see the file.

    Without a session and its XSRF token the app refuses the file at once and closes the connection
    while nginx is still sending it, which nginx reports as 502: the upload got past the proxy.
    """
    _, proxy = stack
    status, _, _ = get(f"{proxy.https}/_stcore/upload_file/x/y", proxy.cert, "PUT", b"0" * 20_000_000)
    assert status != 413
    status, _, _ = get(f"{proxy.https}/_stcore/upload_file/x/y", proxy.cert, "PUT", b"0" * 27_000_000)
    assert status == 413  # past 20 MB and its form's overhead, nginx does refuse


def test_the_committed_config_is_valid_for_nginx_as_shipped(tmp_path):
    """`nginx -t` on the config with only its certificate paths pointed at a real pair."""
    nginx, openssl = tools()
    from tests.deploy.proxy import CONFIG, self_signed

    cert, key = self_signed(openssl, tmp_path)
    text = CONFIG.read_text().replace("/etc/ssl/hyvinvointi/fullchain.pem", str(cert))
    text = text.replace("/etc/ssl/hyvinvointi/privkey.pem", str(key))
    text = text.replace("/var/log/nginx/", f"{tmp_path}/").replace("/run/", f"{tmp_path}/")
    (tmp_path / "nginx.conf").write_text(text)
    checked = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
