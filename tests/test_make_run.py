"""`make run` (issue #16, item 16): the port can be changed, and the expected rejections of the real sample
file are announced as expected."""

import io
import os
import shutil
import subprocess

import pytest
from django.core.management import call_command

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
def test_the_import_of_make_run_explains_its_expected_rejections():
    """The records outside Île-de-France of the real sample are announced as expected by the import's own
    summary, not printed as REJETÉ errors."""
    (line,) = [line for line in _dry_run().splitlines() if " import_data_inclusion " in line]
    sample = line.split(" import_data_inclusion ", 1)[1].strip()
    out = io.StringIO()
    call_command("import_data_inclusion", str(ROOT / sample), stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert "3 enregistrements hors Île-de-France écartés (attendu)" in lines
    assert not [line for line in lines if "REJETÉ" in line]
