import datetime
import io

import pytest
from django.core.management import call_command

from tests.conftest import ROOT


@pytest.mark.django_db
def test_make_run_shows_the_real_records_first(client):
    """`make run` imports the real records the repository carries next to the demo offer; the first screen
    (no filter, most recently updated first) puts real offers before fictional ones."""
    from cartolangue.offers.demo import demo_generate

    demo_generate(courses=200, seed=1, reference_date=datetime.date(2026, 11, 27))
    call_command(
        "import_data_inclusion",
        str(ROOT / "data/interop/data-inclusion-carif-oref-fle-sample.json"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    items = client.get("/api/v1/courses").json()["results"]
    assert [item["source"] for item in items[:2]] == ["data-inclusion", "data-inclusion"]
    assert {item["source"] for item in items[2:]} == {"demo"}
