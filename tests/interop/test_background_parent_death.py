"""The reading child of an import never outlives it: an import killed by SIGKILL or SIGTERM (an operator, the
OOM killer, a deployment) takes its reading child with it, instead of leaving it blocked forever on a pipe
that nobody reads, holding its memory and the database descriptors it inherited (issue #17, item 8)."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cartolangue.interop.background import can_fork
from cartolangue.interop.lheo.reader import LheoReader
from cartolangue.interop.lheo.writer import write_lheo
from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

pytestmark = [
    pytest.mark.skipif(not can_fork() or not Path("/proc/self/task").is_dir(), reason="needs fork and Linux /proc"),
    pytest.mark.django_db,
]


@pytest.fixture(scope="module")
def scratch_database(tmp_path_factory):
    """A migrated SQLite file for the import subprocesses (the test database lives in this process only)."""
    path = tmp_path_factory.mktemp("import-db") / "db.sqlite3"
    env = _env(path)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    return path


@pytest.fixture
def big_lheo(tmp_path):
    """An LHEO file big enough to be read in a child process (`LheoReader.BACKGROUND_MIN_BYTES`)."""
    demo_generate(courses=800, seed=1, reference_date=datetime.date(2026, 11, 27))
    path = tmp_path / "offre.xml"
    with open(path, "wb") as out:
        write_lheo(out, Course.objects.demo())
    assert path.stat().st_size >= LheoReader.BACKGROUND_MIN_BYTES
    return path


def _env(database):
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "PYTHONPATH": str(ROOT),
    }


def _children(pid):
    """The pids of the processes `pid` has forked and not yet lost (from /proc, no psutil)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except (FileNotFoundError, ProcessLookupError):
            pass
    return found


def _gone(pid):
    """True once the process has ended: no /proc entry, or a zombie (it holds no memory, no descriptor, and
    waits for its new parent, which in a container may never reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].split()[0] in {"Z", "X"}


def _wait(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.005)
    return predicate()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_reading_child_ends_with_its_killed_import(scratch_database, big_lheo, sig):
    command = [PYTHON, "manage.py", "import_lheo", str(big_lheo), "--source", "test-kill", "-v0"]
    importer = subprocess.Popen(command, cwd=ROOT, env=_env(scratch_database), stderr=subprocess.DEVNULL)
    try:
        children = _wait(lambda: _children(importer.pid), 60)
        assert children, "the import did not fork its reading child"
        assert importer.poll() is None, "the import ended before it could be killed: make the file bigger"
        importer.send_signal(sig)
        importer.wait(timeout=10)
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait()
    survivors = lambda: {pid for pid in children if not _gone(pid)}  # noqa: E731
    left = _wait(lambda: not survivors(), 5)
    for pid in survivors():  # do not leave them behind this test either
        os.kill(pid, signal.SIGKILL)
    assert left, f"the reading child {sorted(children)} survived its import's {sig.name}"
