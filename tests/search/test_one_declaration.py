"""A filter is declared once: one entry in `COURSE_FILTERS` gives it its parameter in the page, the API list,
the map, the flyer's query and the OpenAPI document, its facet and its fieldset in the search form."""

import datetime
import re

import pytest
from django.http import QueryDict

from cartolangue.api.schemas import _filters_schema
from cartolangue.flyers.views import flyer_context
from cartolangue.offers import enums
from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course
from cartolangue.search import live
from cartolangue.search.filters import COURSE_FILTERS, ChoiceFilter, enum_choices
from cartolangue.search.params import COURSE_PARAMS

pytestmark = pytest.mark.django_db
NAME = "inscription_essai"
WANTED = enums.RegistrationMode.PRESCRIPTION


@pytest.fixture
def declared(monkeypatch):
    """The new filter, declared in one entry for this test only."""
    entry = ChoiceFilter(
        NAME,
        "test_registration_modes",
        "registration_mode",
        enum_choices(enums.RegistrationMode),
        "Mode d'inscription : libre, prescription, test-positionnement.",
        group="more",
        legend="Inscription (essai)",
    )
    COURSE_FILTERS.append(entry)  # the one list every part of the site reads
    monkeypatch.setattr(live, "_current", None)  # the process's index is built again, with the new column
    try:
        yield entry
    finally:
        COURSE_FILTERS.remove(entry)
        live._current = None


@pytest.fixture
def offer():
    demo_generate(courses=500, seed=8, reference_date=datetime.date(2026, 11, 27))
    wanted = set(Course.objects.filter(registration_mode=WANTED).values_list("pk", flat=True))
    assert 5 <= len(wanted) < Course.objects.count(), "the demo offer must hold some, not all"
    return wanted


def _card_ids(html):
    return {int(pk) for pk in re.findall(r'<h2 class="card-title">\s*<a href="/cours/(\d+)/', html)}


def test_unknown_before_it_is_declared(client, offer):
    assert NAME not in COURSE_PARAMS
    assert client.get(f"/api/v1/courses?{NAME}={WANTED}").status_code == 422


def test_one_entry_reaches_the_page_the_api_the_map_and_the_flyer(client, offer, declared):
    query = f"{NAME}={WANTED}&taille=100"
    assert NAME in COURSE_PARAMS

    # The API's list: every course it finds has the value, and all of them are found; its facet counts.
    data = client.get(f"/api/v1/courses?{query}").json()
    assert data["total"] == len(offer)
    assert len(data["results"]) == min(100, len(offer))
    assert {item["id"] for item in data["results"]} <= offer
    facet = {f["value"]: f["count"] for f in data["facets"][NAME]}
    assert facet[WANTED] == len(offer)
    assert sum(facet.values()) == Course.objects.count()

    # The map: the same courses.
    geojson = client.get(f"/api/v1/courses.geojson?{query}").json()
    assert {f["id"] for f in geojson["features"]} == offer

    # The page: the same courses, and a fieldset for the filter with its values and counts, the value checked.
    html = client.get(f"/?{query}").content.decode()
    assert len(_card_ids(html)) == min(100, len(offer))
    assert _card_ids(html) <= offer
    assert "Inscription (essai)" in html
    assert re.search(rf'name="{NAME}"\s+value="{WANTED}"[^>]*checked', html)

    # The flyer's query: the nearest courses it prints all have the value.
    context = flyer_context(QueryDict(f"commune=95585&rayon=50&{NAME}={WANTED}"), "fr", "https://example.org")
    printed = [item.course for group in context["flyer"].groups for item in group.items]
    assert printed, "the flyer must print some of them"
    assert {course.registration_mode for course in printed} == {WANTED}

    # The OpenAPI document: the parameter with its description and the schema of its values.
    fields = _filters_schema("CourseFiltersWithTheNewOne", COURSE_PARAMS).model_json_schema()["properties"]
    assert fields[NAME]["items"]["enum"] == list(enums.RegistrationMode.values)
    assert "Mode d'inscription" in fields[NAME]["description"]
