"""Published exports (issue #17, item 2): `publish_exports` writes every file ahead of time, atomically, with a
manifest; the API and the "Données" page serve the last published files and never build one on a request."""

import datetime
import hashlib
import io
import json

import pytest
from django.core.management import call_command

from cartolangue.interop import publication
from cartolangue.interop.publication import FILES, exports_publish, exports_storage, published_manifest
from cartolangue.offers.demo import demo_generate
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

URLS = {
    "lheo.xml": "/api/v1/exports/lheo.xml",
    "data-inclusion/structures.json": "/api/v1/exports/data-inclusion/structures.json",
    "data-inclusion/services.json": "/api/v1/exports/data-inclusion/services.json",
    "opendata/cours.csv": "/api/v1/exports/opendata/cours.csv",
    "opendata/lieux.geojson": "/api/v1/exports/opendata/lieux.geojson",
    "opendata/dictionnaire.csv": "/api/v1/exports/opendata/dictionnaire.csv",
    "opendata.zip": "/api/v1/exports/opendata.zip",
}


def _body(response):
    return b"".join(response.streaming_content)  # read to the end, the test client closes the file


@pytest.mark.parametrize("url", [*URLS.values(), "/api/v1/exports/manifest.json"])
def test_nothing_published_yet_is_a_clear_404_and_builds_nothing(client, offer, url, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 404
    assert "pas encore été publiés" in response.json()["detail"]


def test_the_page_says_nothing_was_published_yet(client, offer):
    html = client.get("/donnees/").content.decode().replace("&#x27;", "'")
    assert "Les fichiers n'ont pas encore été publiés" in html
    assert "Fichiers publiés le" not in html


def test_published_files_are_served_as_published_without_a_query(client, offer, django_assert_num_queries):
    manifest = exports_publish()["public"]
    assert set(manifest["files"]) == set(FILES)
    for name, url in URLS.items():
        entry = manifest["files"][name]
        with django_assert_num_queries(0):
            response = client.get(url)
            body = _body(response)
        assert response.status_code == 200, url
        assert response["Content-Length"] == str(entry["size"]) == str(len(body))
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert response["ETag"] == f'"{entry["sha256"][:40]}"'
        assert response["Last-Modified"] and "max-age" in response["Cache-Control"]
        assert response["Content-Type"] == entry["media_type"]
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304 and again["ETag"] == response["ETag"]


def test_changes_show_at_the_next_publication_only(client, offer):
    exports_publish()
    CourseFactory(structure=offer.centre, place=offer.town_hall, name="Nouveau cours")
    assert _body(client.get(URLS["opendata/cours.csv"])).count(b"\r\n") == 1 + 3
    exports_publish()
    assert _body(client.get(URLS["opendata/cours.csv"])).count(b"\r\n") == 1 + 4


def test_manifest_says_when_what_and_under_which_licence(client, offer):
    exports_publish()
    manifest = client.get("/api/v1/exports/manifest.json").json()
    assert manifest["edition"] == "public" and manifest["demonstration"] is False
    assert datetime.datetime.fromisoformat(manifest["published_at"])
    assert manifest["latest_update"].startswith("2026-10-05")
    assert manifest["licence"]["url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert manifest["counts"]["opendata"]["cours"] == 3
    assert manifest["counts"]["lheo"] == {"courses": 3}
    assert manifest["counts"]["data-inclusion"]["services"] == 3
    assert "path" not in manifest["files"]["lheo.xml"] and len(manifest["files"]["lheo.xml"]["sha256"]) == 64
    html = client.get("/donnees/").content.decode()
    assert "Fichiers publiés le " in html and 'href="/api/v1/exports/manifest.json"' in html


def test_a_failed_publication_leaves_the_last_one_served(client, offer, monkeypatch):
    first = exports_publish()["public"]

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(publication.opendata, "write_opendata", broken)
    with pytest.raises(OSError):
        exports_publish()
    assert published_manifest()["generation"] == first["generation"]
    response = client.get(URLS["opendata.zip"])
    assert response.status_code == 200 and len(_body(response)) == first["files"]["opendata.zip"]["size"]


def test_a_manifest_still_being_written_is_ignored(offer):
    first = exports_publish()["public"]
    storage = exports_storage()
    storage.save("public/manifests/99991231T235959999999Z-ffffff.json", io.BytesIO(b'{"format": 1, "files": {"lh'))
    assert published_manifest()["generation"] == first["generation"]


def test_old_generations_are_deleted_but_the_previous_one(offer):
    generations = [exports_publish()["public"] for _ in range(3)]
    storage = exports_storage()
    _dirs, manifests = storage.listdir("public/manifests")
    assert sorted(manifests) == sorted(f"{m['generation']}.json" for m in generations[1:])
    assert not storage.exists(generations[0]["files"]["lheo.xml"]["path"])
    assert storage.exists(generations[1]["files"]["lheo.xml"]["path"])


def test_the_demonstration_edition_exists_only_with_demo_data(client, offer):
    exports_publish()
    manifest = client.get("/api/v1/exports/manifest.json", {"demonstration": "true"}).json()
    assert manifest["edition"] == "public"  # no demo data: the public files are the same
    demo_generate(courses=20, seed=1, reference_date=datetime.date(2026, 11, 27))
    exports_publish()
    manifest = client.get("/api/v1/exports/manifest.json", {"demonstration": "true"}).json()
    assert manifest["edition"] == "demonstration" and manifest["counts"]["opendata"]["cours"] == 23
    assert client.get("/api/v1/exports/manifest.json").json()["demo_courses_left_out"] == 20


def test_command(offer, settings):
    settings.SITE_URL = "https://carto-langue.example.org/"
    out = io.StringIO()
    call_command("publish_exports", stdout=out)
    assert (
        "public : 3 cours LHEO, 3 services data·inclusion, 20 fichiers" in out.getvalue()
    )  # acteurs.csv, .geojson, acteurs/*.json
    manifest = published_manifest()
    with exports_storage().open(manifest["files"]["data-inclusion/services.json"]["path"]) as f:
        services = json.loads(f.read())
    assert {s["lien_source"].rsplit("/", 3)[0] for s in services} == {"https://carto-langue.example.org"}


def test_behind_nginx_a_download_is_a_redirect_to_the_file_not_the_file(client, offer, settings):
    """With EXPORTS_ACCEL_REDIRECT, the worker answers at once and nginx sends the published file
    (deploy/nginx/, tested through nginx in tests/ops/test_front.py)."""
    manifest = exports_publish()["public"]
    settings.EXPORTS_ACCEL_REDIRECT = "/_exports/"
    response = client.get("/api/v1/exports/opendata/cours.csv")
    assert response.status_code == 200 and response.content == b""
    path = manifest["files"]["opendata/cours.csv"]["path"]
    assert response["X-Accel-Redirect"] == f"/_exports/{path}"
    assert exports_storage().exists(path)
    assert response["ETag"] and response["Content-Disposition"] == 'attachment; filename="cours.csv"'
