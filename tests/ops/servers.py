"""Real servers for the operations tests: a prepared SQLite file database, gunicorn started with the
production configuration (`config/gunicorn.py`, `config.settings.bench`: base settings on plain HTTP), each on
a free port of 127.0.0.1, stopped at the end."""

import contextlib
import http.client
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from cartolangue.ops.front import free_port
from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.bench"}
    env.pop("PYTEST_CURRENT_TEST", None)
    return {**env, **extra}


def manage(database_url: str, *args: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=server_env(database_url, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}: {done.stderr[-2000:]}"
    return done.stdout


def prepare_site_database(path: Path) -> str:
    """A small site on a SQLite file: migrated, territories, 120 demo courses (seed 1)."""
    url = f"sqlite:///{path}"
    manage(url, "migrate", "-v0")
    manage(url, "load_territories")
    manage(url, "generate_demo", "--courses", "120", "--seed", "1")
    return url


def wait_until_answering(host: str, port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    """Until the server answers a GET / over plain HTTP, whatever its answer (a redirection is one)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start-up (exit {process.returncode})")
        connection = http.client.HTTPConnection(host, port, timeout=5)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"no answer from {host}:{port} after {seconds} s")


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int = 2, **env: str) -> Iterator[int]:
    """gunicorn as production runs it, on a free port; yields the port. `env`: more environment."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "config/gunicorn.py", "config.wsgi"]
        + ["--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=server_env(database_url, **env),
    )
    try:
        wait_until_answering("127.0.0.1", port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(url: str, timeout: float = 10) -> tuple[int, bytes, float]:
    """(status, body, seconds) of a GET; an HTTP error status is an answer, not an exception."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read(), time.monotonic() - start
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic() - start
