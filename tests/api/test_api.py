import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course, ExamSession
from cartolangue.search.params import COURSE_PARAMS

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def demo():
    demo_generate(courses=300, seed=4, reference_date=TODAY)


def test_list_courses(client, demo):
    response = client.get("/api/v1/courses", {"commune": "95585", "rayon": "15", "taille": "5"})
    assert response.status_code == 200
    data = response.json()
    assert data["page"] == 1 and data["page_size"] == 5 and len(data["results"]) == 5
    assert data["total"] >= 5 and data["pages"] == -(-data["total"] // 5)
    first = data["results"][0]
    assert first["distance_km"] <= data["results"][-1]["distance_km"] <= 15
    assert first["url"] == f"/cours/{first['id']}/"
    assert first["is_demo"] is True
    assert {"type", "public", "jour", "creneau", "niveau_entree_oral", "garde_enfants"} <= set(data["facets"])
    types = {f["value"]: f["count"] for f in data["facets"]["type"]}
    assert sum(types.values()) == data["total"]


def test_repeated_parameters_are_or_and_filters_are_and(client, demo):
    def total(**params):
        return client.get("/api/v1/courses", params).json()["total"]

    alpha, asl = total(type="alpha"), total(type="asl")
    assert total(type=["alpha", "asl"]) == alpha + asl
    assert total(type="alpha", departement="95") <= alpha


@pytest.mark.parametrize(
    ("params", "param", "message"),
    [
        ({"type": "zzz"}, "type", "valeur « zzz » inconnue"),
        ({"rayon": "-3"}, "rayon", "doit être compris entre 0 et 200"),
        ({"rayon": "abc"}, "rayon", "n'est pas un nombre"),
        ({"commune": "99999"}, "commune", "commune « 99999 » inconnue"),
        ({"lat": "48.9"}, "lon", "lat et lon vont ensemble"),
        ({"debut_avant": "demain"}, "debut_avant", "n'est pas une date"),
        ({"page": "0"}, "page", "doit être compris entre 1"),
        ({"taille": "1000"}, "taille", "doit être compris entre 1 et 100"),
        ({"niveau_entree_oral": "Z9"}, "niveau_entree_oral", "valeur « Z9 » inconnue"),
        ({"zone": "insee-ze2020:0000"}, "zone", "zone « insee-ze2020:0000 » inconnue"),
        ({"garde_enfants": "peut-être"}, "garde_enfants", "n'est pas oui ou non"),
        ({"couleur": "bleu"}, "couleur", "paramètre inconnu"),
    ],
)
def test_invalid_parameters_answer_422_naming_the_parameter(client, params, param, message):
    for url in ("/api/v1/courses", "/api/v1/courses.geojson"):
        response = client.get(url, params)
        assert response.status_code == 422, url
        detail = response.json()["detail"][0]
        assert detail["loc"] == ["query", param]
        assert message in detail["msg"]


def test_api_takes_the_documented_values_exactly(client, demo):
    a = client.get("/api/v1/courses", {"creneau": "après-midi", "jour": "lundi", "niveau_vise": "A2"})
    b = client.get("/api/v1/courses", {"creneau": "apres-midi", "jour": "lundi", "niveau_vise": "A2"})
    assert a.status_code == b.status_code == 200
    assert a.json()["total"] == b.json()["total"]
    for params in ({"jour": "Lundi"}, {"niveau_vise": "a2"}, {"gratuit": "true"}, {"debut_avant": "20270101"}):
        assert client.get("/api/v1/courses", params).status_code == 422, params
    assert client.get("/api/v1/courses", {"q": "x" * 201}).status_code == 422


def test_page_forgives_case_and_accents(client, demo):
    a = client.get("/", {"creneau": "Apres-Midi", "jour": "Lundi", "niveau_vise": "a2", "gratuit": "1"})
    assert "Certains critères ont été ignorés" not in a.content.decode()


def test_course_detail(client, demo):
    course = Course.objects.filter(sessions__isnull=False).first()
    data = client.get(f"/api/v1/courses/{course.pk}").json()
    assert data["name"] == course.name
    assert len(data["sessions"]) == course.sessions.count()
    assert data["contact"]["phone"] == course.contact_phone
    assert client.get("/api/v1/courses/999999999").status_code == 404


def test_geojson(client, demo):
    response = client.get("/api/v1/courses.geojson", {"departement": "95"})
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    listed = client.get("/api/v1/courses", {"departement": "95", "taille": "100"}).json()
    assert len(data["features"]) == listed["total"]
    # The map and the list come from the same engine: the same courses, in the same order.
    assert [f["id"] for f in data["features"]][:100] == [r["id"] for r in listed["results"]]
    near = {"commune": "95585", "rayon": "8", "tri": "distance"}
    by_distance = [r["id"] for r in client.get("/api/v1/courses", {**near, "taille": "100"}).json()["results"]]
    assert [f["id"] for f in client.get("/api/v1/courses.geojson", near).json()["features"]] == by_distance
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert 1.4 < lon < 3.6 and 48 < lat < 49.3


def test_exam_sessions(client, demo):
    data = client.get("/api/v1/exam-sessions", {"commune": "75056", "rayon": "50", "tri_examens": "distance"}).json()
    assert data["total"] > 0
    distances = [r["distance_km"] for r in data["results"]]
    assert distances == sorted(distances)
    code = data["results"][0]["certification"]["code"]
    only = client.get("/api/v1/exam-sessions", {"certification": code}).json()
    assert only["total"] == ExamSession.objects.filter(certification__code=code, exam_date__gte=TODAY).count()
    assert {r["certification"]["code"] for r in only["results"]} == {code}
    assert client.get("/api/v1/exam-sessions", {"apres": "hier"}).status_code == 422
    geo = client.get("/api/v1/exam-sessions.geojson", {"certification": code}).json()
    assert len(geo["features"]) == only["total"]


def test_structures(client, demo):
    data = client.get("/api/v1/structures", {"q": "association"}).json()
    assert data["total"] > 0
    structure = data["results"][0]
    detail = client.get(f"/api/v1/structures/{structure['id']}").json()
    assert detail["name"] == structure["name"]
    assert detail["places"] and detail["courses"] is not None
    assert client.get("/api/v1/structures", {"x": "1"}).status_code == 422


def test_commune_suggestions(client):
    names = [c["name"] for c in client.get("/api/v1/territories/communes", {"q": "sarc"}).json()]
    assert names[0] == "Sarcelles"
    by_post_code = client.get("/api/v1/territories/communes", {"q": "95200"}).json()
    assert by_post_code[0]["code_insee"] == "95585" and "95200" in by_post_code[0]["post_codes"]
    accents = client.get("/api/v1/territories/communes", {"q": "ecouen"}).json()
    assert accents[0]["name"] == "Écouen"
    saint_ouen = [c["name"] for c in client.get("/api/v1/territories/communes", {"q": "aumone"}).json()]
    assert "Saint-Ouen-l'Aumône" in saint_ouen
    assert client.get("/api/v1/territories/communes", {"q": ""}).json() == []


def test_zonings(client):
    zonings = client.get("/api/v1/zonings").json()
    assert zonings[0]["slug"] == "insee-ze2020" and len(zonings[0]["zones"]) == 15


def test_openapi_documents_every_parameter_in_french(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/courses"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == set(COURSE_PARAMS)
    for name, param in params.items():
        assert param["description"] == str(COURSE_PARAMS[name]), name
    assert "422" in operation["responses"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower() and b"/static/ninja/swagger-ui-bundle.js" in docs.content


def test_etag_last_modified_and_cors(client, demo):
    response = client.get("/api/v1/courses", {"type": "asl"}, HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["ETag"] and response["Last-Modified"]
    again = client.get("/api/v1/courses", {"type": "asl"}, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get("/", HTTP_ORIGIN="https://example.org").get("Access-Control-Allow-Origin") is None


def test_query_count_does_not_depend_on_page_size(client, demo):
    # The first search builds the process's search index and looks the commune up (a fixed number of queries,
    # once per data version): do both before counting. The 45 courses of the second page not shown by the
    # first are read all the same.
    assert client.get("/api/v1/courses", {"q": "zzzzqqq", "commune": "95585"}).json()["total"] == 0
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as ctx:
            assert (
                client.get("/api/v1/courses", {"taille": size, "commune": "95585", "rayon": "20"}).status_code == 200
            )
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 40
