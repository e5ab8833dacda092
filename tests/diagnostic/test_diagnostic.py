"""The territorial diagnostic on a small hand-made territory, checked against a plain computation; the page, its
CSV and XLSX and the API give the same figures; the zone page and its printed sheet; the QPV filter."""

import csv
import datetime
import io
import math
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import shapely
from django.conf import settings
from django.test import Client

from cartolangue.diagnostic.figures import diagnostic
from cartolangue.geo.models import Commune, NeedSource, Qpv, Zone, ZoneMembership, Zoning
from cartolangue.geo.needs import load_qpv
from cartolangue.offers import enums
from cartolangue.offers.models import Course, TimeSlot
from tests.factories import CourseFactory, ExamSessionFactory, PlaceFactory, SessionFactory, commune
from tests.flyers import pdf

pytestmark = pytest.mark.django_db
T, L = enums.CourseType, enums.CecrlLevel
ZONES = {"A": ["95018", "95063"], "B": ["95585"]}  # Argenteuil and Bezons; Sarcelles
POPULATION = {"95018": 100_000, "95063": 30_000, "95585": 60_000}
# (commune, course type, target level, demo)
COURSES = [
    ("95018", T.ASL, L.A1, False),
    ("95018", T.FLE, L.B1, False),
    ("95063", T.FLE, L.B2, False),
    ("95063", T.ALPHA, None, False),
    ("95585", T.FLE, L.A2, False),
    ("95585", T.ASL, L.A1, True),  # a demo course: never in a figure
]


@pytest.fixture
def territory():
    zoning = Zoning.objects.create(slug="bassins-test", name="Bassins de test")
    for code, communes in ZONES.items():
        zone = Zone.objects.create(zoning=zoning, code=code, name=f"Bassin {code}")
        for insee in communes:
            ZoneMembership.objects.create(zoning=zoning, zone=zone, commune=commune(insee), resolution="table")
    for insee, population in POPULATION.items():
        Commune.objects.filter(code_insee=insee).update(population=population)
    NeedSource.objects.create(key="population", label="Population", source="test", year=2026, licence="LO")
    for insee, course_type, level, demo in COURSES:
        place = commune(insee)
        CourseFactory(
            course_type=course_type,
            cecrl_level_target=level,
            source="demo" if demo else "test",
            place=PlaceFactory(commune=place, latitude=place.latitude + 0.001, longitude=place.longitude),
        )
    return zoning


def km(a_lat, a_lon, b_lat, b_lon):
    """Great-circle distance, the plain way."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dp, dl = p2 - p1, math.radians(b_lon - a_lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_each_indicator_equals_a_plain_computation(territory):
    result = diagnostic("bassins-test", course_type="asl", radius_km=5)
    areas = {a.code: a for a in result.areas}
    for code, communes in ZONES.items():
        real = [c for c in COURSES if c[0] in communes and not c[3]]
        area = areas[code]
        assert area.population == sum(POPULATION[c] for c in communes)
        assert area.courses == len(real)
        assert area.demo_courses == sum(1 for c in COURSES if c[0] in communes and c[3])
        assert area.by_type == {t.value: sum(1 for c in real if c[1] == t) for t in {c[1] for c in real}}
        assert area.per_thousand == round(1000 * len(real) / area.population, 3)
    # Ranked by courses per 1,000 inhabitants, the least supplied first: B (1/60,000) before A (4/130,000).
    assert [a.code for a in result.areas] == ["B", "A"] and [a.rank for a in result.areas] == [1, 2]
    assert areas["A"].by_band == {"jusqu-a-a2": 1, "b1": 1, "b2-et-plus": 1, "non-precise": 1}
    # Communes of the zoning with no real ASL within 5 km: the demo ASL of Sarcelles does not count.
    asl = [commune(c[0]) for c in COURSES if c[1] == T.ASL and not c[3]]
    plain = sorted(
        code
        for codes in ZONES.values()
        for code in codes
        if min(km(commune(code).latitude, commune(code).longitude, p.latitude + 0.001, p.longitude) for p in asl) > 5
    )
    assert sorted(c.code for c in result.without_offer) == plain == ["95585"]
    assert areas["B"].without_offer == 1 and areas["A"].without_offer == 0


def test_places_hours_childcare_evening_and_exam_sessions_per_zone(territory):
    """Places of the sessions not over, weekly hours, childcare, evening courses and upcoming exam sessions, by
    zone; access to a course with childcare / in the evening, commune by commune; demo apart."""
    today = datetime.date(2026, 12, 4)
    argenteuil_fle, bezons_fle = (
        Course.objects.get(place__commune__code_insee=code, course_type=T.FLE) for code in ("95018", "95063")
    )
    Course.objects.filter(pk=argenteuil_fle.pk).update(hours_per_week=6, childcare=True)
    Course.objects.filter(pk=bezons_fle.pk).update(hours_per_week=Decimal("4.5"), childcare=False)
    TimeSlot.objects.create(
        course=argenteuil_fle, weekday=1, starts_at=datetime.time(18, 30), ends_at=datetime.time(20)
    )
    TimeSlot.objects.create(course=bezons_fle, weekday=5, starts_at=datetime.time(18, 30), ends_at=datetime.time(20))
    SessionFactory(course=argenteuil_fle, seats=12)
    SessionFactory(course=argenteuil_fle, seats=8, starts_on=datetime.date(2027, 1, 4))
    SessionFactory(course=argenteuil_fle, seats=99, starts_on=datetime.date(2026, 1, 5), ends_on=today.replace(day=3))
    SessionFactory(course=bezons_fle, seats=None)
    sarcelles = PlaceFactory(commune=commune("95585"))
    ExamSessionFactory(place=sarcelles, exam_date=datetime.date(2027, 1, 15))
    ExamSessionFactory(place=sarcelles, exam_date=datetime.date(2026, 11, 15), registration_deadline=None)  # over
    ExamSessionFactory(place=PlaceFactory(commune=commune("95018")), source="demo")

    result = diagnostic("bassins-test", radius_km=5, today=today)
    areas = {a.code: a for a in result.areas}
    a, b = areas["A"], areas["B"]
    assert (a.seats, a.courses_without_seats, b.seats, b.courses_without_seats) == (20, 3, 0, 1)
    assert (a.weekly_hours, a.courses_without_hours, b.weekly_hours, b.courses_without_hours) == (10.5, 2, 0, 1)
    # Saturday 18:30 is the week-end, not the evening (the search's slots).
    assert (a.with_childcare, a.with_evening, b.with_childcare, b.with_evening) == (1, 1, 0, 0)
    assert (a.exam_sessions, a.demo_exam_sessions, b.exam_sessions, b.demo_exam_sessions) == (0, 1, 1, 0)
    assert result.demo_exam_sessions == 1
    # The only course with childcare, and the only evening one, is Argenteuil's FLE.
    place = argenteuil_fle.place
    plain = {
        code: km(commune(code).latitude, commune(code).longitude, place.latitude, place.longitude)
        for codes in ZONES.values()
        for code in codes
    }
    access = {c.code: c for c in result.access}
    assert list(access) == ["95018", "95585", "95063"]  # the most populated first
    for code, distance in plain.items():
        assert access[code].nearest_childcare_km == pytest.approx(distance, abs=0.05)
        assert access[code].nearest_evening_km == pytest.approx(distance, abs=0.05)
    far = {code for code, distance in plain.items() if distance > 5}
    assert far == {"95585"}
    assert (a.without_childcare, b.without_childcare, a.without_evening, b.without_evening) == (0, 1, 0, 1)


def test_the_access_table_is_the_same_on_the_page_in_the_downloads_and_the_api(client, territory):
    api = client.get("/api/v1/territories/access", {"zonage": "bassins-test", "type": "fle", "rayon": 5}).json()
    body = client.get("/territoires/acces/bassins-test.csv", {"type": "fle", "rayon": "5"})
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8"))))
    assert rows[0] == [c["cle"] for c in api["colonnes"]]
    assert [[str(v) if v is not None else "" for v in c.values()] for c in api["communes"]] == rows[1:]
    assert [r[0] for r in rows[1:]] == ["95018", "95585", "95063"]
    xlsx = openpyxl.load_workbook(io.BytesIO(client.get("/territoires/acces/bassins-test.xlsx").content))
    assert xlsx.active.max_row == 4
    page = client.get("/territoires/bassins-test/B/", {"type": "fle", "rayon": "5"}).content.decode()
    sarcelles = next(r for r in rows[1:] if r[0] == "95585")
    assert f"<td>{sarcelles[5].replace('.', ',')}</td>" in page  # the nearest FLE, in km, as the CSV gives it


def test_without_a_population_file_there_is_no_ratio_and_no_rank(territory):
    NeedSource.objects.all().delete()
    result = diagnostic("bassins-test")
    assert {(a.population, a.per_thousand, a.rank) for a in result.areas} == {(None, None, None)}


def test_the_page_the_downloads_and_the_api_give_the_same_figures(client, territory):
    page = client.get("/territoires/", {"carte": "bassins-test", "type": "asl", "rayon": "5"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Bassin A" in html and "Besoin : Population, test, 2026, LO" in html
    body = client.get("/territoires/classement/bassins-test.csv", {"type": "asl", "rayon": "5"})
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8"))))
    api = client.get("/api/v1/territories/indicators", {"zonage": "bassins-test", "type": "asl", "rayon": 5}).json()
    keys = rows[0]
    assert keys == [c["cle"] for c in api["colonnes"]]
    assert [[str(v) if v is not None else "" for v in zone.values()] for zone in api["zones"]] == rows[1:]
    xlsx_response = client.get("/territoires/classement/bassins-test.xlsx", {"type": "asl", "rayon": "5"})
    xlsx = openpyxl.load_workbook(io.BytesIO(xlsx_response.content))
    values = [list(r) for r in xlsx.active.iter_rows(min_row=2, values_only=True)]
    assert [[("" if v is None else str(v)) for v in row] for row in values] == rows[1:]
    # The page's table shows the same cells, in the same order.
    for row in rows[1:]:
        assert f">{row[2]}</a>" in html
    assert api["cours_demonstration_laisses_de_cote"] == 1
    assert client.get("/api/v1/territories/indicators", {"zonage": "inconnu"}).status_code == 422
    assert client.get("/api/v1/territories/indicators", {"zonage": "bassins-test", "rayon": 500}).status_code == 422


def test_a_zone_page_and_its_printed_sheet(client, territory, tmp_path):
    pdf.require_tools()
    page = client.get("/territoires/bassins-test/A/", {"type": "asl"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bassin A" in html and "/?zone=bassins-test:A" in html
    assert client.get("/territoires/bassins-test/Z/").status_code == 404
    assert client.get("/territoires/inconnu/A/").status_code == 404
    response = client.get("/territoires/bassins-test/B/fiche.pdf", {"type": "asl", "rayon": "5"})
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "fiche.pdf"
    path.write_bytes(response.content)
    text = " ".join(pdf.text(path).split())
    assert "Bassin B" in text and "60 000" in text.replace("\u202f", " ") and "Sarcelles" in text
    # The new figures, read back from the PDF itself.
    assert "Accès commune par commune" in text and "Cours du soir (km)" in text
    assert "Places des sessions" in text and "Heures de cours par" in text  # labels wrap in their column


def test_the_qpv_filter_keeps_the_courses_in_or_near_a_quartier_prioritaire(client):
    load_qpv(Path(settings.BASE_DIR) / "data" / "territories" / "qpv2024_idf_simplifie_jondari.json")
    assert Qpv.objects.count() == 298
    qpv = Qpv.objects.get(code__startswith="QN095", name__icontains="Lochères")
    inside = shapely.point_on_surface(qpv.shape)
    near = CourseFactory(place=PlaceFactory(latitude=inside.y, longitude=inside.x), name="Dans le quartier")
    far = CourseFactory(place=PlaceFactory(latitude=inside.y + 0.05, longitude=inside.x), name="Loin")
    found = {c["id"] for c in client.get("/api/v1/courses", {"qpv": 0, "taille": 50}).json()["results"]}
    assert near.pk in found and far.pk not in found
    assert client.get("/api/v1/courses", {"qpv": 5000}).status_code == 422


def test_a_zone_name_is_never_a_formula_in_the_downloads(client, territory):
    Zone.objects.filter(zoning=territory, code="A").update(name='=HYPERLINK("http://x.invalid")')
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/territoires/classement/bassins-test.xlsx").content)).active
    names = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in names)
    assert {cell.value for cell in names} == {"Bassin B", '\'=HYPERLINK("http://x.invalid")'}
    body = client.get("/territoires/classement/bassins-test.csv").content.decode()
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body


def test_the_form_keeps_a_qpv_distance_it_does_not_list(client):
    load_qpv(Path(settings.BASE_DIR) / "data" / "territories" / "qpv2024_idf_simplifie_jondari.json")
    html = client.get("/", {"qpv": 200}).content.decode()
    assert '<option value="200" selected>' in html
    assert html.index('value="0"') < html.index('value="200"') < html.index('value="300"')


PUBLIC_READS = [
    "/territoires/?carte=bassins-test",
    "/territoires/bassins-test/A/",
    "/territoires/bassins-test/A/fiche.pdf",
    "/territoires/classement/bassins-test.csv",
    "/territoires/acces/bassins-test.xlsx",
    "/api/v1/territories/indicators?zonage=bassins-test",
    "/api/v1/territories/access?zonage=bassins-test",
    "/api/v1/territories/qpv.geojson",
]


@pytest.mark.parametrize("url", PUBLIC_READS)
def test_the_diagnostic_is_public_and_read_only(territory, url):
    """Anyone may read the diagnostic (open figures from open files); nobody may write through it."""
    client = Client(enforce_csrf_checks=True)  # as a browser meets the server
    assert client.get(url).status_code == 200
    assert client.post(url).status_code in (403, 405)  # 403: the CSRF check comes first on the pages


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/territoires/acces/inconnu.csv", 404),
        ("/territoires/acces/bassins-test.pdf", 404),
        ("/territoires/bassins-test/A/?rayon=abc&type=inconnu", 200),  # named on the page, defaults used
        ("/territoires/bassins-test/A/?type=%00", 400),
        ("/api/v1/territories/access?zonage=bassins-test&rayon=abc", 422),
        ("/api/v1/territories/access?zonage=bassins-test&type=inconnu", 422),
    ],
)
def test_bad_parameters_are_named_never_a_server_error(client, territory, url, status):
    assert client.get(url).status_code == status
