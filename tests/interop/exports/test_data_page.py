"""The "Données" page and the export endpoints of the API: published files, streamed, typed, parseable."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from data_inclusion.schema.v1 import Service, Structure
from lxml import etree

from cartolangue.interop.publication import exports_publish
from cartolangue.offers.demo import demo_generate

pytestmark = pytest.mark.django_db
FILES = ["structures", "lieux", "cours", "sessions", "sessions-examen", "acteurs"]
ROWS = {"structures": 3, "lieux": 3, "cours": 3, "sessions": 2, "sessions-examen": 1, "acteurs": 0}


def _body(response):
    assert response.streaming
    return b"".join(response.streaming_content)  # read to the end, the test client closes the file


def _publish():
    exports_publish(site_url="http://testserver")


def _csv_rows(response):
    return list(csv.DictReader(io.StringIO(_body(response).decode("utf-8"), newline="")))


def test_page_explains_and_links_every_download(client, offer):
    _publish()
    response = client.get("/donnees/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Données ouvertes</h1>" in html
    assert 'href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/"' in html
    assert "Dernière mise à jour des données : 5 octobre 2026." in html
    for name in FILES:
        assert f'href="/api/v1/exports/opendata/{name}.csv" download>{name}.csv</a>' in html
        assert f'href="/api/v1/exports/opendata/{name}.geojson"' in html
    for url in (
        "/api/v1/exports/opendata.zip",
        "/api/v1/exports/opendata/dictionnaire.csv",
        "/api/v1/exports/data-inclusion/structures.json",
        "/api/v1/exports/data-inclusion/services.json",
        "/api/v1/exports/lheo.xml",
        "/api/v1/docs",
    ):
        assert f'href="{url}"' in html, url
    # The dictionary is on the page too, one table per file, without JavaScript.
    assert html.count("<details>") == 6  # one per table, the actors' included
    assert "<code>publics_exclusifs</code>" in html
    assert "<script" not in html.split("<main")[1]
    assert "Données de démonstration exclues" not in html


def test_page_says_demo_data_is_left_out(client, offer):
    demo_generate(courses=50, seed=1, reference_date=datetime.date(2026, 11, 27))
    _publish()
    html = client.get("/donnees/").content.decode()
    assert "Données de démonstration exclues." in html
    assert "50 cours fictifs servent à essayer le service" in html
    assert 'href="/api/v1/exports/opendata.zip?demonstration=true" download>' in html
    rows = html.split('scope="row">Cours</th>')[1].split("</tr>")[0]
    assert '<td class="num">3</td>' in rows


def test_page_is_linked_from_every_page_and_in_english(client):
    html = client.get("/territoires/").content.decode()
    assert html.count('href="/donnees/"') == 2  # menu and footer
    response = client.get("/en/donnees/")
    assert response.status_code == 200
    assert 'href="/en/donnees/"' in response.content.decode()


@pytest.mark.parametrize("name", FILES)
def test_csv_downloads(client, offer, name):
    _publish()
    response = client.get(f"/api/v1/exports/opendata/{name}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{name}.csv"'
    assert len(_csv_rows(response)) == ROWS[name]


@pytest.mark.parametrize("name", FILES)
def test_geojson_downloads(client, offer, name):
    _publish()
    response = client.get(f"/api/v1/exports/opendata/{name}.geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(_body(response))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == ROWS[name]


def test_english_request_gets_french_labels(client, offer):
    _publish()
    rows = _csv_rows(client.get("/api/v1/exports/opendata/cours.csv", HTTP_ACCEPT_LANGUAGE="en"))
    assert {r["modalite_libelle"] for r in rows} == {"En présentiel", "À distance"}
    response = client.get("/api/v1/exports/data-inclusion/services.json", HTTP_ACCEPT_LANGUAGE="en")
    services = json.loads(_body(response))
    assert sum("- Modalité : En présentiel" in s["description"] for s in services) == 2


def test_dictionary_download(client):
    _publish()
    response = client.get("/api/v1/exports/opendata/dictionnaire.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(response)
    assert len(rows) == 149  # every column of the 6 tables
    assert rows[0] == {
        "fichier": "structures.csv",
        "colonne": "id",
        "type": "entier",
        "description": "Identifiant Carto-Langue de la structure.",
        "valeurs": "",
    }


def test_zip_holds_every_file(client, offer):
    _publish()
    response = client.get("/api/v1/exports/opendata.zip")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    assert archive.testzip() is None
    assert archive.namelist() == [
        *[f"{n}.{ext}" for n in FILES for ext in ("csv", "geojson")],
        "dictionnaire.csv",
        "README.md",
    ]
    courses = list(csv.DictReader(io.StringIO(archive.read("cours.csv").decode(), newline="")))
    assert len(courses) == 3
    readme = archive.read("README.md").decode()
    assert "| `cours.csv`, `cours.geojson` |" in readme and " | 3 |" in readme


def test_data_inclusion_downloads_validate(client, offer):
    _publish()
    for name, model, n in (("structures", Structure, 3), ("services", Service, 3)):
        response = client.get(f"/api/v1/exports/data-inclusion/{name}.json")
        assert response["Content-Type"] == "application/json"
        items = json.loads(_body(response))
        assert len(items) == n
        for item in items:
            model.model_validate(item, context={"ignore_warnings": False})
    services = json.loads(_body(client.get("/api/v1/exports/data-inclusion/services.json")))
    evening = next(s for s in services if s["id"] == "carto-langue--test:fle-soir")
    assert evening["lien_source"] == f"http://testserver/cours/{offer.evening.pk}/"


def test_demo_parameter(client, offer):
    demo_generate(courses=40, seed=1, reference_date=datetime.date(2026, 11, 27))
    _publish()
    assert len(_csv_rows(client.get("/api/v1/exports/opendata/cours.csv"))) == 3
    assert len(_csv_rows(client.get("/api/v1/exports/opendata/cours.csv", {"demonstration": "true"}))) == 43
    services = json.loads(_body(client.get("/api/v1/exports/data-inclusion/services.json", {"demonstration": "true"})))
    assert len(services) == 43


def test_lheo_download(client, offer):
    _publish()
    response = client.get("/api/v1/exports/lheo.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="lheo.xml"'
    root = etree.fromstring(_body(response))
    assert etree.QName(root).localname == "lheo"
    assert len(root.findall(".//{*}formation")) == 3


def test_unknown_file_is_refused(client):
    response = client.get("/api/v1/exports/opendata/inconnu.csv")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "name"]
    assert client.get("/api/v1/exports/opendata/cours.xlsx").status_code == 404


def test_openapi_documents_the_exports_in_french(client):
    spec = client.get("/api/v1/openapi.json").json()
    media = {
        "/api/v1/exports/opendata/{name}.csv": "text/csv",
        "/api/v1/exports/opendata/{name}.geojson": "application/geo+json",
        "/api/v1/exports/opendata/dictionnaire.csv": "text/csv",
        "/api/v1/exports/opendata.zip": "application/zip",
        "/api/v1/exports/data-inclusion/structures.json": "application/json",
        "/api/v1/exports/data-inclusion/services.json": "application/json",
        "/api/v1/exports/lheo.xml": "application/xml",
    }
    for path, media_type in media.items():
        operation = spec["paths"][path]["get"]
        assert list(operation["responses"]["200"]["content"]) == [media_type], path
        assert operation["tags"] == ["exports"] and operation["description"], path
    csv_params = {p["name"]: p for p in spec["paths"]["/api/v1/exports/opendata/{name}.csv"]["get"]["parameters"]}
    assert csv_params["name"]["schema"]["enum"] == FILES
    assert csv_params["demonstration"]["description"].startswith("Inclure les données fictives de démonstration")
