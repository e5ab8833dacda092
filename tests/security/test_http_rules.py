"""Site-wide HTTP rules: TRACE (and any method the site does not serve) is 405 everywhere; every response says
how it may be cached; Last-Modified is never in the future."""

import datetime

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.http import parse_http_date

from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course, ExamSession
from cartolangue.security.http import cache_control_for

pytestmark = pytest.mark.django_db
URLS = ["/", "/en/", "/api/v1/courses", "/api/v1/exports/lheo.xml", "/imprimer/flyer.pdf", "/admin/", "/cours/1/"]


@pytest.mark.parametrize("url", [*URLS, "/nulle-part/"])
@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT", "PROPFIND"])
def test_methods_the_site_does_not_serve_are_405(client, url, method):
    response = client.generic(method, url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert response["Cache-Control"] == "no-store"


def test_the_405_message_is_in_the_language_of_the_url(client):
    assert client.get("/en/").status_code == 200  # leaves English active in the thread
    assert client.generic("TRACE", "/").content.decode() == "Méthode HTTP non acceptée : TRACE."
    assert client.generic("TRACE", "/ar/").content.decode() == "طريقة HTTP غير مقبولة: TRACE."


def test_public_pages_are_cacheable_for_a_short_while_and_revalidated(client):
    demo_generate(courses=20, seed=2, reference_date=timezone.localdate())
    for url in ["/", "/en/", "/territoires/", "/donnees/", "/api/v1/courses", "/api/v1/zonings"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "public, max-age=60, must-revalidate", url
        assert response.has_header("ETag") or response.has_header("Last-Modified"), url


def test_a_negotiated_language_makes_the_language_cookie_part_of_the_cache_key(client):
    vary = {v.strip() for v in client.get("/").headers["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    # /en/ takes its language from the path: one version for everyone.
    assert "Cookie" not in client.get("/en/").headers.get("Vary", "")


def test_what_is_tied_to_a_visitor_or_not_a_success_is_not_stored(client, admin_client):
    assert "no-store" in admin_client.get("/admin/").headers["Cache-Control"]
    assert client.get("/cours/999999/").headers["Cache-Control"] == "no-store"  # 404
    assert client.post("/i18n/setlang/", {"language": "en"}).headers["Cache-Control"] == "no-store"

    request = RequestFactory().get("/")
    with_cookie = HttpResponse()
    with_cookie.set_cookie("csrftoken", "x")
    assert cache_control_for(request, with_cookie) == "private, no-store"
    request.META["CSRF_COOKIE_USED"] = True
    assert cache_control_for(request, HttpResponse()) == "private, no-store"


def test_a_view_s_own_cache_control_is_kept(admin_client):
    # The admin's never_cache says more than the site's default.
    assert (
        admin_client.get("/admin/").headers["Cache-Control"]
        == "max-age=0, no-cache, no-store, must-revalidate, private"
    )


def test_last_modified_is_never_in_the_future(client):
    demo_generate(courses=20, seed=2, reference_date=timezone.localdate())
    # A source that stamps its records with a date to come (a clock ahead, a planned publication).
    later = timezone.now() + datetime.timedelta(days=30)
    Course.objects.filter(pk=Course.objects.order_by("pk").values("pk")[:1]).update(updated_at=later)
    ExamSession.objects.filter(pk=ExamSession.objects.order_by("pk").values("pk")[:1]).update(updated_at=later)
    before = timezone.now().timestamp()
    for url in ["/api/v1/courses", "/api/v1/courses?type=asl", "/api/v1/exam-sessions", "/api/v1/courses.geojson"]:
        response = client.get(url)
        assert response.status_code == 200
        assert before - 2 <= parse_http_date(response["Last-Modified"]) <= timezone.now().timestamp(), url
