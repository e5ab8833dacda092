"""Schemathesis against the write endpoints (issue #20), through a real HTTP server: with a key of the
structure in the path (every check, writes happen), then with the key of another structure (every answer is a
refusal: nothing is written). The checks are Schemathesis' defaults (all of them), with the one exception the
config files explain: `--checks all` on the command line would override it."""

import os
import subprocess
import sys

import pytest

from cartolangue.accounts.models import Membership
from cartolangue.accounts.tokens import create_token
from cartolangue.offers.models import Course, Place, Structure
from tests.conftest import ROOT
from tests.factories import PlaceFactory, StructureFactory
from tests.space.conftest import person

pytestmark = pytest.mark.django_db(transaction=True)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
WRITES = "écriture (partenaires)"


def _run(live_server, key, structure, config):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(ROOT / "tests" / "api" / config),
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--include-tag",
            WRITES,
            "-H",
            f"Authorization: Bearer {key}",
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
        env={**os.environ, "CL_STRUCTURE_ID": str(structure.pk)},
    )
    tail = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, tail + result.stderr[-2000:]
    assert " passed" in result.stdout and "5xx" not in result.stdout


def _partner(name):
    structure = StructureFactory(name=name)
    PlaceFactory(structure=structure)
    user = person(f"{name.lower().replace(' ', '.')}@test.test")
    Membership.objects.create(user=user, structure=structure)
    _token, key = create_token(user, "schemathesis", Structure.objects.filter(pk=structure.pk))
    return structure, key


def test_schemathesis_with_a_key_of_the_structure_then_of_another(live_server):
    structure, key = _partner("Asso A")
    _other, other_key = _partner("Asso B")
    before = (Course.objects.count(), Place.objects.count())
    _run(live_server, other_key, structure, "schemathesis-writes-other.toml")
    assert (Course.objects.count(), Place.objects.count()) == before  # the other structure's key wrote nothing
    _run(live_server, key, structure, "schemathesis-writes.toml")
    # Writes happened (Schemathesis may delete what it created: the history keeps them), by the key's owner.
    written = Place.history.filter(source=f"api-{structure.pk}")
    assert written.exists() and {row.history_user_id for row in written} == {
        Membership.objects.get(structure=structure).user_id
    }
