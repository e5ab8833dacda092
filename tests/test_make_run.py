"""`make run` (issue #16, item 16): the port can be changed, and the expected rejections of the real sample
file are announced as expected."""

import os
import shutil
import subprocess

import pytest

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


def test_the_expected_rejections_are_announced():
    assert "REJETÉ lines above are expected" in _dry_run()
