"""Schemathesis runs every check against the API's own OpenAPI document, through a real HTTP server.
The one configured tolerance (422 for schema-valid but unknown values) is explained in schemathesis.toml."""

import os
import subprocess
import sys

import pytest
from django.utils import timezone

from cartolangue.interop.publication import exports_publish
from cartolangue.offers.demo import demo_generate
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_schemathesis_all_checks(live_server):
    demo_generate(courses=200, seed=1, reference_date=timezone.localdate())
    exports_publish()  # the export endpoints serve published files: exercise them, not only their 404
    schemathesis = [sys.executable, "-m", "schemathesis.cli"]
    result = subprocess.run(
        [
            *schemathesis,
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            os.environ.get("SCHEMATHESIS_EXAMPLES", "8"),
            "--seed",
            "1",
            "--no-color",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    tail = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, tail + result.stderr[-2000:]
    assert " passed" in result.stdout and "5xx" not in result.stdout
