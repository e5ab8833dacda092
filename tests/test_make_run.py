"""`make run` (issue #16, item 16; issue #21): the port can be changed; the real sample file is a registered
source, synced once, and its expected rejections are announced as expected."""

import io
import os
import shutil
import subprocess

import pytest
from django.core.management import call_command

from cartolangue.offers.models import Course
from cartolangue.sources.models import Source, SyncRun
from tests.conftest import ROOT


def _dry_run(*args):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n prints the commands without running them; -o install: never (re)build the venv here.
    env = {k: v for k, v in os.environ.items() if k != "PORT"}  # the default must not depend on the caller's PORT
    return subprocess.run(
        ["make", "-n", "-o", "install", "run", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout


def test_port_defaults_to_8000_and_can_be_changed():
    assert "runserver 127.0.0.1:8000" in _dry_run()
    assert "runserver 127.0.0.1:8001" in _dry_run("PORT=8001")


@pytest.mark.django_db
def test_make_run_registers_the_real_sample_as_a_source_and_syncs_it():
    """`make run` loads the repository's source registry and runs one sync: the run report names what came in,
    and the records outside Île-de-France of the real sample are announced as expected, not as errors."""
    lines = _dry_run().splitlines()
    (load,) = [line for line in lines if " load_sources " in line]
    (sync,) = [line for line in lines if " sync_sources" in line]
    assert lines.index(load) < lines.index(sync)
    call_command("load_sources", str(ROOT / load.split(" load_sources ", 1)[1].strip()), stdout=io.StringIO())
    out = io.StringIO()
    call_command("sync_sources", *sync.split(" sync_sources", 1)[1].split(), stdout=out)
    (report,) = [line for line in out.getvalue().splitlines() if line.startswith("data-inclusion : ")]
    assert report == (
        "data-inclusion : Importé – 3 hors Île-de-France écartés (attendu) – 2 créés, 0 modifiés, 0 inchangés, "
        "0 rejetés, 0 retirés, 0 revenus"
    )
    assert Source.objects.get(name="data-inclusion").runs.get().outcome == SyncRun.Outcome.IMPORTED
    assert Course.objects.filter(source="data-inclusion").count() == 2
