"""The directory's search (search/actors.py) against a plain reading of its rules over the ORM, for many
queries; the tab, the API list and map, the detail page and the course page's "who can help" all answer with it."""

import itertools
import random
import re

import pytest
from django.http import QueryDict

from cartolangue.actors.enums import ActorKind, Scheme
from cartolangue.actors.importers import import_actors
from cartolangue.actors.models import Actor
from cartolangue.geo.distance import haversine_km
from cartolangue.geo.models import Commune
from cartolangue.offers.enums import Audience
from cartolangue.search.actors import actor_matches
from cartolangue.search.params import parse_actor_query
from tests.actors.test_import_actors import FILES
from tests.factories import CourseFactory, PlaceFactory, commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    for fmt, path in FILES.items():
        import_actors(fmt, path)


def plain(params: dict) -> list[int]:
    """The rules as a counsellor reads them: every kind asked (or any), serving the public asked or everyone,
    running one of the schemes asked, in the départements asked, within the radius; nearest first, else by name."""
    rows = []
    centre = Commune.objects.get(code_insee=params["commune"]) if "commune" in params else None
    radius = float(params.get("rayon", 10))
    for a in Actor.objects.select_related("commune__departement"):
        if params.get("type_acteur") and a.kind not in params["type_acteur"]:
            continue
        if params.get("public") and not (set(a.publics) & {*params["public"], Audience.EVERYONE}):
            continue
        if params.get("dispositif") and not set(a.schemes) & set(params["dispositif"]):
            continue
        if params.get("departement") and a.commune.departement.code not in params["departement"]:
            continue
        km = None
        if centre is not None:
            km = haversine_km(centre.latitude, centre.longitude, a.latitude, a.longitude)
            if km > radius:
                continue
        rows.append((km if km is not None else 0, a.name.casefold(), a.pk))
    return [pk for _km, _name, pk in sorted(rows)]


def query(params: dict):
    q = QueryDict(mutable=True)
    for key, value in params.items():
        q.setlist(key, value if isinstance(value, list) else [value])
    return parse_actor_query(q, strict=True)


def test_the_engine_equals_a_plain_reading_of_the_rules(directory):
    rng = random.Random(22)
    communes = ["95585", "95127", "75056", "93066", "77284", "91228"]
    cases = [{}, {"commune": "95585", "rayon": "5"}, {"public": ["jeunes"], "departement": ["95"]}]
    for _ in range(60):
        params = {}
        if rng.random() < 0.7:
            params["commune"], params["rayon"] = rng.choice(communes), rng.choice(["2", "5", "10", "20"])
        if rng.random() < 0.5:
            params["type_acteur"] = rng.sample(list(ActorKind.values), rng.randint(1, 3))
        if rng.random() < 0.4:
            params["public"] = rng.sample(list(Audience.values), rng.randint(1, 2))
        if rng.random() < 0.4:
            params["dispositif"] = rng.sample(list(Scheme.values), rng.randint(1, 2))
        if rng.random() < 0.3:
            params["departement"] = rng.sample(["75", "77", "78", "91", "92", "93", "94", "95"], 2)
        cases.append(params)
    for params in cases:
        expected = plain(params)
        matches = actor_matches(query(params))
        assert (matches.total, matches.ids) == (len(expected), expected), params


def test_facets_count_what_each_choice_would_give(directory):
    params = {"commune": "95585", "rayon": "10", "type_acteur": ["mission-locale"], "public": ["jeunes"]}
    facets = actor_matches(query(params)).facets
    for name, values in facets.items():
        for f in values:
            picked = {**params, name: [f.value]}
            assert f.count == len(plain(picked)), (name, f.value)
        assert {f.value for f in values if f.selected} == set(params.get(name, []))


def test_the_tab_the_api_and_the_map_answer_the_same(client, directory):
    qs = "commune=95585&rayon=5&type_acteur=mission-locale&type_acteur=france-travail"
    api = client.get(f"/api/v1/actors?{qs}&taille=100").json()
    expected = plain({"commune": "95585", "rayon": "5", "type_acteur": ["mission-locale", "france-travail"]})
    assert [a["id"] for a in api["results"]] == expected and api["total"] == len(expected) == 5
    assert api["results"][0]["distance_km"] == 0.0 and api["results"][0]["kind"]["code"] == "mission-locale"
    geo = client.get(f"/api/v1/actors.geojson?{qs}").json()
    assert sorted(f["id"] for f in geo["features"]) == sorted(expected)
    assert all(f["properties"]["url"] == f"/acteurs/{f['id']}/" for f in geo["features"])
    page = client.get(f"/?onglet=accompagnement&{qs}").content.decode()
    assert "5 acteurs de l'accompagnement" in page and "Se faire accompagner (5 acteurs)" in page
    for pk in expected:
        assert f'href="/acteurs/{pk}/"' in page
    assert 'data-actors="/api/v1/actors.geojson?' in page
    assert re.search(r'name="type_acteur"\s+value="mission-locale"\s+checked', page)
    # On the courses' tab the count is there, the actors' filters are not, and they do not filter the courses.
    courses_tab = client.get(f"/?{qs}").content.decode()
    assert "Se faire accompagner (5 acteurs)" in courses_tab and 'name="type_acteur"' not in courses_tab
    bad = client.get("/api/v1/actors?type_acteur=nope&public=x")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "type_acteur"]


def test_the_detail_page_and_the_course_page_name_who_can_help(client, directory):
    ml = Actor.objects.get(source_id__startswith="mission_locale-95585")
    page = client.get(f"/acteurs/{ml.pk}/").content.decode()
    assert "Mission Locale – Sarcelles (Val-d&#x27;Oise-Est)" in page and "Contrat d&#x27;engagement jeune" in page
    assert "Données du 11 août 2019" in page and "appelez avant de vous déplacer" in page
    assert client.get("/acteurs/999999/").status_code == 404
    sarcelles = commune("95585")
    course = CourseFactory(place=PlaceFactory(commune=sarcelles, latitude=48.9956, longitude=2.3808))
    page = client.get(f"/cours/{course.pk}/").content.decode()
    section = page[page.index("Qui peut aider autour de ce cours") :]
    assert "Votre Mission Locale (moins de 26 ans)" in section and f'href="/acteurs/{ml.pk}/"' in section
    agency = Actor.objects.get(source="pole-emploi-agences-2019", name="France Travail – Sarcelles")
    assert f'href="/acteurs/{agency.pk}/"' in section  # the nearest agency within its reach
    ofii_line = "Votre direction territoriale de l&#x27;Ofii"
    assert ofii_line not in section  # the Cergy directorate is missing from the 2019 annuaire (PROVENANCE.md)


def test_an_actor_that_lists_the_communes_it_covers_is_the_one_named(client, directory):
    course = CourseFactory(place=PlaceFactory(commune=commune("95585"), latitude=48.9956, longitude=2.3808))
    far = Actor.objects.get(source_id__startswith="mission_locale-95127")  # Cergy, 25 km away
    far.covered_communes.add(commune("95585"))
    page = client.get(f"/cours/{course.pk}/").content.decode()
    section = page[page.index("Qui peut aider autour de ce cours") :]
    assert f'href="/acteurs/{far.pk}/"' in section.split("</li>")[0]


def test_every_combination_of_kind_and_public_is_consistent(directory):
    """Each kind × public: the engine's count equals the plain count (the facets rest on it)."""
    for kind, public in itertools.product(["mission-locale", "france-services", "ofii"], ["jeunes", "bpi"]):
        params = {"type_acteur": [kind], "public": [public]}
        assert actor_matches(query(params)).total == len(plain(params)), params
