"""A search with a place that finds nothing within its radius says where the nearest match is and offers the
same search with a radius that reaches it, for courses and for test sessions (issue #16, item 9: "no TCF IRN
within 10 km of Cergy" said nothing useful)."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from cartolangue.geo.distance import haversine_km
from cartolangue.offers.models import Certification
from tests.factories import CourseFactory, ExamSessionFactory, PlaceFactory, commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_paris():
    """A course and a test session in Paris, about 30 km from Cergy."""
    paris = commune("75056")
    place = PlaceFactory(commune=paris, latitude=48.8566, longitude=2.3522, post_code="75001")
    course = CourseFactory(place=place, structure=place.structure, name="Atelier zephyrin")
    exam = ExamSessionFactory(
        place=place,
        structure=place.structure,
        certification=Certification.objects.get(code="delf-b1"),
        exam_date=timezone.localdate() + datetime.timedelta(days=40),
    )
    return course, exam


def _km_from_cergy():
    cergy = commune("95127")
    return round(haversine_km(cergy.latitude, cergy.longitude, 48.8566, 2.3522))


def _link(page, text):
    found = re.search(rf'<a class="button" href="([^"]+)">\s*{re.escape(text)}\s*</a>', page)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize(("prefix", "beyond", "search_at"), [("", "Le plus proche est à", "Chercher à 50 km")])
def test_no_course_within_the_radius_shows_the_nearest_and_a_wider_search(client, in_paris, prefix, beyond, search_at):
    course, _exam = in_paris
    page = client.get(f"{prefix}/?q=zephyrin&commune=95127&rayon=10").content.decode()
    assert f"{beyond} {_km_from_cergy()} km" in " ".join(page.split())
    assert f'href="/cours/{course.pk}/' in page
    wider = _link(page, search_at)
    assert wider is not None and "rayon=50" in wider and "q=zephyrin" in wider
    found = client.get("/" + wider).content.decode()
    assert f'href="/cours/{course.pk}/?retour=' in found and "Le plus proche" not in found


def test_no_test_session_within_the_radius_shows_the_nearest_and_a_wider_search(client, in_paris):
    page = client.get("/?onglet=tests&certification=delf-b1&commune=95127&rayon=10").content.decode()
    text = " ".join(page.split())
    assert f"La plus proche est à {_km_from_cergy()} km" in text and "DELF B1" in text
    wider = _link(page, "Chercher à 50 km")
    assert wider is not None and "onglet=tests" in wider and "certification=delf-b1" in wider


def test_in_arabic_the_sentence_is_translated(client, in_paris):
    page = " ".join(client.get("/ar/?q=zephyrin&commune=95127&rayon=10").content.decode().split())
    assert f"أقربها على بُعد {_km_from_cergy()} كم" in page


def test_nothing_anywhere_keeps_the_plain_message(client):
    page = client.get("/?q=zzzqqqx&commune=95127&rayon=10").content.decode()
    assert "Aucun cours ne correspond" in page and "Le plus proche" not in page


def test_the_api_gives_the_nearest_beyond_the_radius_too(client, in_paris):
    course, exam = in_paris
    data = client.get("/api/v1/courses", {"q": "zephyrin", "commune": "95127", "rayon": "10"}).json()
    assert data["total"] == 0
    assert data["nearest"]["id"] == course.pk and data["nearest"]["url"] == f"/cours/{course.pk}/"
    assert round(data["nearest"]["distance_km"]) == _km_from_cergy()
    exams = client.get("/api/v1/exam-sessions", {"certification": "delf-b1", "commune": "95127", "rayon": "10"})
    assert exams.json()["nearest"]["id"] == exam.pk
    found = client.get("/api/v1/courses", {"q": "zephyrin", "commune": "95127", "rayon": "50"}).json()
    assert found["total"] == 1 and found["nearest"] is None
