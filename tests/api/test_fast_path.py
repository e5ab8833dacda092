"""The course list renders its serializers' dicts without validating them against the response schema (a
cost paid at every search); this checks, page by page, that the schema-validated rendering is the same."""

import datetime
import json

import pytest

from cartolangue.api import schemas
from cartolangue.api.v1 import api
from cartolangue.offers.demo import demo_generate

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def demo():
    demo_generate(courses=300, seed=4, reference_date=TODAY)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"commune": "95585", "rayon": "15", "taille": "50"},
        {"type": ["asl", "fle"], "tri": "prochaine-session", "page": "2"},
        {"departement": "95", "public": "signataires-cir", "garde_enfants": "oui"},
        {"q": "zzzzqqq"},
    ],
)
def test_rendered_page_is_what_the_schema_validates(client, rf, demo, params):
    response = client.get("/api/v1/courses", params)
    assert response.status_code == 200
    served = json.loads(response.content)
    validated = schemas.CoursePage.model_validate(served).model_dump()
    rendered = json.loads(api.renderer.render(rf.get("/"), validated, response_status=200))
    assert served == rendered
    assert served["results"] or params.get("q") == "zzzzqqq"
