"""The production front (issue #17, item 7): nginx, configured by the shipped template
(deploy/nginx/carto-langue.conf.template, rendered with envsubst as its header says, with a self-signed
certificate), in front of gunicorn (config/gunicorn.py, production settings with the HTTPS redirect on), each on
a free port of 127.0.0.1. A search, a PDF, compression, static files, a 100 kB URL, and slow clients that
trickle their headers while another client searches.

Without nginx (Debian packages nginx and libnginx-mod-http-brotli-filter) these tests are skipped with a
message on a developer machine, and fail in CI (CI=true), like the browser tests."""

import gzip
import http.client
import os
import shutil
import socket
import ssl
import threading
import time
from http.client import HTTPResponse
from pathlib import Path

import pytest

from cartolangue.ops.front import TEMPLATE, missing_tools, nginx_front
from tests.conftest import ROOT
from tests.ops.servers import gunicorn, manage


def _require_tools() -> None:
    missing = missing_tools()
    if not missing:
        return
    what = ", ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(f"{what} missing: .ci/run installs it")
    pytest.skip(f"{what} absent: install it to run the tests of the production front")


class Front:
    def __init__(self, https_port: int, http_port: int, app_port: int = 0, exports: Path | None = None):
        self.https_port, self.http_port = https_port, http_port
        self.app_port, self.exports = app_port, exports
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE  # self-signed

    def get(self, path: str, headers: dict | None = None, timeout: float = 20) -> tuple[HTTPResponse, bytes]:
        connection = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.tls, timeout=timeout)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def raw_status(self, request: bytes) -> int:
        """The status nginx answers to these bytes, sent as far as nginx reads them (it answers an oversized
        request early, and may close before the end of the upload)."""
        with socket.create_connection(("127.0.0.1", self.https_port), timeout=20) as raw:
            with self.tls.wrap_socket(raw) as sock:
                try:
                    for start in range(0, len(request), 16384):
                        sock.sendall(request[start : start + 16384])
                except OSError:
                    pass
                answer = b""
                try:
                    while chunk := sock.recv(65536):
                        answer += chunk
                except OSError:
                    pass
        return int(answer.split(b" ", 2)[1])

    def trickling_client(self, stop: threading.Event) -> None:
        """Slowloris: a request whose headers never end, one byte at a time."""
        with socket.create_connection(("127.0.0.1", self.https_port), timeout=30) as raw:
            with self.tls.wrap_socket(raw) as sock:
                sock.sendall(b"GET /?q=alphabetisation HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                while not stop.is_set():
                    try:
                        sock.sendall(b"X")
                    except OSError:
                        return  # dropped by nginx's client_header_timeout
                    stop.wait(0.3)


@pytest.fixture(scope="module")
def front(site_database, tmp_path_factory):
    _require_tools()
    tmp = tmp_path_factory.mktemp("front")
    database = tmp / "site.sqlite3"
    shutil.copyfile(site_database.removeprefix("sqlite:///"), database)
    static = tmp / "static"
    manage(f"sqlite:///{database}", "collectstatic", "--noinput", "-v0", STATIC_ROOT=str(static))
    exports = tmp / "exports"
    manage(f"sqlite:///{database}", "publish_exports", EXPORTS_ROOT=str(exports))
    production = {
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "STATIC_ROOT": str(static),
        "EXPORTS_ROOT": str(exports),
        "EXPORTS_ACCEL_REDIRECT": "/_exports/",
    }
    with gunicorn(f"sqlite:///{database}", **production) as app_port:
        with nginx_front(tmp, app_port=app_port, static_root=static, exports_root=exports) as local:
            yield Front(local.https_port, local.http_port, app_port, exports)


def test_a_search_goes_through_compressed_with_the_production_security_headers(front):
    response, body = front.get("/?commune=95585&rayon=10", {"Accept-Encoding": "gzip"})
    assert response.status == 200  # not a redirection: Django knows the request came over HTTPS
    assert response.getheader("Content-Encoding") == "gzip"
    assert "Sarcelles" in gzip.decompress(body).decode()
    assert response.getheader("Strict-Transport-Security", "").startswith("max-age=")
    assert response.getheader("Server") == "nginx"  # no version
    response, _body = front.get("/api/v1/courses?q=alphabetisation", {"Accept-Encoding": "br, gzip"})
    assert (response.status, response.getheader("Content-Encoding")) == (200, "br")


def test_a_flyer_pdf_goes_through(front):
    response, body = front.get("/imprimer/flyer.pdf?commune=95585&langue=fr", timeout=60)
    assert response.status == 200, body[:500]
    assert response.getheader("Content-Type") == "application/pdf"
    assert body.startswith(b"%PDF")


def test_an_export_download_is_sent_by_nginx_not_by_a_worker(front):
    """The worker answers at once with X-Accel-Redirect and an empty body; nginx sends the published file,
    which no client can ask for directly."""
    response, body = front.get("/api/v1/exports/opendata/cours.csv")
    assert response.status == 200, body[:300]
    [published] = [p for p in front.exports.rglob("cours.csv") if p.read_bytes() == body]
    assert body.startswith(b"identifiant") or b"," in body.splitlines()[0]
    assert response.getheader("Content-Disposition") == 'attachment; filename="cours.csv"'
    assert int(response.getheader("Content-Length")) == published.stat().st_size

    direct = http.client.HTTPConnection("127.0.0.1", front.app_port, timeout=10)
    direct.request("GET", "/api/v1/exports/opendata/cours.csv", headers={"X-Forwarded-Proto": "https"})
    answer = direct.getresponse()
    assert (answer.status, answer.read()) == (200, b"")
    relative = published.relative_to(front.exports).as_posix()
    assert answer.getheader("X-Accel-Redirect") == f"/_exports/{relative}"
    direct.close()

    assert front.get(f"/_exports/{relative}")[0].status == 404  # internal: for nginx's redirects only


def test_an_export_is_sent_gzipped_as_published_never_compressed_on_the_fly(front):
    """A client that accepts gzip gets the gzip written at publication (its exact length), which decompresses to
    the published file; nginx compresses nothing itself (hundreds of MB on each download at scale)."""
    for path, name in [("/api/v1/exports/lheo.xml", "lheo.xml"), ("/api/v1/exports/opendata/cours.csv", "cours.csv")]:
        response, body = front.get(path, headers={"Accept-Encoding": "gzip, br"})
        assert response.status == 200 and response.getheader("Content-Encoding") == "gzip", path
        [published] = [p for p in front.exports.rglob(name) if p.read_bytes() == gzip.decompress(body)]
        assert body == published.with_name(name + ".gz").read_bytes()
        assert int(response.getheader("Content-Length")) == len(body)
        plain, raw = front.get(path)
        assert plain.getheader("Content-Encoding") is None and raw == published.read_bytes()


def test_a_100_kb_url_is_refused_with_414_before_the_application(front):
    def request(query_length: int) -> bytes:
        return b"GET /?q=" + b"a" * query_length + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"

    assert front.raw_status(request(100_000)) == 414
    assert front.raw_status(request(7_000)) == 200  # a long search still goes through


def test_static_files_are_served_by_nginx_with_a_cache_lifetime(front):
    response, body = front.get("/static/www/css/site.css", {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert (ROOT / "cartolangue/www/static/www/css/site.css").read_bytes() == gzip.decompress(body)
    assert "max-age=86400" in response.getheader("Cache-Control")
    assert front.get("/static/absent.css")[0].status == 404


def test_plain_http_redirects_to_https(front):
    connection = http.client.HTTPConnection("127.0.0.1", front.http_port, timeout=10)
    connection.request("GET", "/territoires/?x=1")
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (301, "https://127.0.0.1/territoires/?x=1")
    connection.close()


def test_slow_clients_trickling_headers_do_not_block_another_clients_search(front):
    stop = threading.Event()
    # More slow clients than gunicorn has workers (2): straight to gunicorn, they would take them all.
    slow = [threading.Thread(target=front.trickling_client, args=(stop,), daemon=True) for _ in range(6)]
    for thread in slow:
        thread.start()
    try:
        time.sleep(1.5)  # the slow clients are connected and trickling
        for _ in range(5):
            start = time.monotonic()
            response, _body = front.get("/api/v1/courses?q=alphabetisation", timeout=15)
            assert response.status == 200
            # Blocked, it would wait for as long as the slow clients trickle (here: until the end of the test);
            # a few hundred ms is its usual time, seconds leave room for a machine busy with other work.
            assert time.monotonic() - start < 5, "a search waited behind the slow clients"
    finally:
        stop.set()
        for thread in slow:
            thread.join(timeout=10)


def test_gunicorn_accepts_whatever_nginx_lets_through_and_gives_up_first():
    from config import gunicorn as settings

    template = TEMPLATE.read_text()
    assert "large_client_header_buffers 4 8k;" in template
    assert settings.limit_request_line == settings.limit_request_field_size == 8190  # gunicorn's maximum
    assert f"proxy_read_timeout {settings.timeout + 5}s;" in template
