"""`bench/exports_load.py`: its download clients (curl) record what they received, refuse a failed answer, and
the rate the harness reports counts only the bytes received while the search load ran."""

import http.server
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bench.exports_load import _bytes_within, _download_loop, curl_command

BODY = b"x" * 2**20


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        if "cours.csv" in self.path:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_client_records_each_download_and_counts_a_refused_one_as_failed():
    if not shutil.which("curl"):
        if os.environ.get("CI"):
            pytest.fail("curl missing: .ci/run installs it")
        pytest.skip("curl absent (Debian package curl): the benchmark's download clients need it")
    stop, timings, errors = threading.Event(), [], []
    with server() as base:
        # Offset 0: the five export paths in turn, the second of which this server refuses (404).
        client = threading.Thread(target=_download_loop, args=(base, stop, timings, errors, 0, 8 * 2**20))
        client.start()
        deadline = time.monotonic() + 30
        while len(timings) < 4 and client.is_alive() and time.monotonic() < deadline:
            client.join(timeout=0.05)
        stop.set()
        client.join(timeout=10)
    assert len(timings) >= 4, f"{len(timings)} downloads recorded, {len(errors)} failed"
    assert errors and all("cours.csv" in path for path in errors)
    for ttfb_ms, total_ms, size, _ended_at in timings:
        assert size == len(BODY)
        assert 0 < ttfb_ms <= total_ms


def test_a_remote_client_is_held_to_its_line_s_rate_and_a_local_one_is_not():
    # curl's own limit (it lets a transfer run ahead by what the socket buffers hold, so the harness reports
    # the rate actually received beside it).
    assert curl_command("https://front/x", 10 * 2**20)[-3:] == ["--limit-rate", str(10 * 2**20), "https://front/x"]
    assert "--limit-rate" not in curl_command("https://front/x", None)


@pytest.mark.parametrize(
    ("began", "ended", "expected"),
    [
        (2.0, 4.0, 1000.0),  # wholly inside the window 1–5
        (0.0, 2.0, 500.0),  # half of it before the window
        (4.0, 6.0, 500.0),  # half of it after
        (6.0, 8.0, 0.0),  # after the window
        (0.0, 10.0, 400.0),  # spans the whole window: 4 of its 10 seconds
    ],
)
def test_only_the_bytes_received_inside_the_window_count(began: float, ended: float, expected: float):
    assert _bytes_within(1000, ended - began, ended, 1.0, 5.0) == pytest.approx(expected)
