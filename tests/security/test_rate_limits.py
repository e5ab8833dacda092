"""Per-client limits: the N+1th request of a client in a window gets 429 with Retry-After; another client is
not affected; X-Forwarded-For is believed only from a trusted proxy; RATELIMIT_ENABLE=false (the tests' and
the bench's setting) turns them off."""

import importlib.util

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from cartolangue.security.clients import client_key
from cartolangue.security.limits import check_limiter_cache
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {"api": "3/m", "search": "2/m", "print": "2/m", "exports": "1/m", "forms": "2/m"}
    caches["shared"].clear()
    yield settings.RATE_LIMITS
    caches["shared"].clear()


def _assert_limited(response):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Cache-Control"] == "no-store"


def test_the_api_answers_429_with_retry_after_past_its_rate(client, limits):
    for _request in range(3):
        assert client.get("/api/v1/zonings").status_code == 200

    response = client.get("/api/v1/zonings", HTTP_ORIGIN="https://example.org")

    _assert_limited(response)
    assert response.json()["detail"].startswith("Trop de requêtes depuis votre adresse : réessayez dans ")
    assert response["Access-Control-Allow-Origin"] == "*"  # a page of another origin can read why


def test_the_search_page_counts_every_language(client, limits):
    assert client.get("/").status_code == 200
    assert client.get("/en/").status_code == 200

    response = client.get("/ar/")

    _assert_limited(response)
    # In the language of the page asked for, whatever the previous request's was.
    assert response.content.decode().startswith("طلبات كثيرة جدًا من عنوانك")
    assert client.get("/").content.decode().startswith("Trop de requêtes depuis votre adresse")
    assert client.get("/territoires/").status_code == 200  # a light page is not limited


def test_printed_documents_exports_and_forms_have_their_own_budgets(client, limits):
    from cartolangue.interop.publication import exports_publish

    exports_publish()  # the exports are served as published (ADR 0014)
    # Refused selections (400) are cheap to ask for, and count all the same.
    assert client.get("/imprimer/selection.pdf").status_code == 400
    assert client.get("/en/imprimer/selection.pdf").status_code == 400
    _assert_limited(client.get("/imprimer/flyer.pdf"))
    download = client.get("/api/v1/exports/opendata/dictionnaire.csv")
    assert download.status_code == 200
    b"".join(download.streaming_content)  # read to the end: the test client then closes the file
    _assert_limited(client.get("/api/v1/exports/opendata/dictionnaire.csv"))
    assert client.get("/api/v1/zonings").status_code == 200  # the API's own budget is untouched
    for _request in range(2):
        assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 200
    _assert_limited(client.post("/admin/login/", {"username": "x", "password": "y"}))


def test_each_client_address_has_its_own_budget(client, limits):
    for _request in range(3):
        client.get("/api/v1/zonings", REMOTE_ADDR="203.0.113.1")
    _assert_limited(client.get("/api/v1/zonings", REMOTE_ADDR="203.0.113.1"))
    # X-Forwarded-For from a client that is not a trusted proxy is its own writing: ignored.
    _assert_limited(client.get("/api/v1/zonings", REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="198.51.100.9"))

    assert client.get("/api/v1/zonings", REMOTE_ADDR="203.0.113.2").status_code == 200


def test_behind_the_trusted_proxy_the_client_is_the_address_it_appended(client, limits, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for _request in range(3):
        client.get("/api/v1/zonings", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1")
    # What the client wrote before the proxy's entry changes nothing.
    forged = client.get("/api/v1/zonings", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.1")
    _assert_limited(forged)

    other = client.get("/api/v1/zonings", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert other.status_code == 200


def test_an_ipv6_client_is_counted_by_its_64_block():
    factory = RequestFactory()
    one = factory.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    two = factory.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    three = factory.get("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert client_key("api", one) == client_key("api", two) == "2001:db8:1:2::/64"
    assert client_key("api", three) != client_key("api", one)
    assert client_key("api", factory.get("/", REMOTE_ADDR="192.0.2.4")) == "192.0.2.4"


def test_the_setting_turns_the_limits_off(client, limits, settings):
    settings.RATELIMIT_ENABLE = False
    for _request in range(10):
        assert client.get("/api/v1/zonings").status_code == 200


def test_the_bench_serves_without_limits():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.env_for("sqlite:///x")["RATELIMIT_ENABLE"] == "false"


def test_a_per_process_cache_is_reported(settings):
    settings.RATELIMIT_ENABLE = True
    settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [m.id for m in check_limiter_cache(None)] == ["security.W001"]

    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/tmp/x"},
    }
    assert check_limiter_cache(None) == []
