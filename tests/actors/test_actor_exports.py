"""The actors in the open data: `acteurs.csv` and `acteurs.geojson`, described in the data dictionary, published
with the other files and served by the API."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from cartolangue.actors.importers import import_actors
from cartolangue.actors.models import Actor
from cartolangue.interop.publication import exports_publish
from tests.actors.test_import_actors import FILES

pytestmark = pytest.mark.django_db


def test_the_actors_are_an_open_data_table_with_their_dictionary(tmp_path, client):
    import_actors("france-services", FILES["france-services"])
    import_actors("annuaire-dila", FILES["annuaire-dila"])
    call_command("export_opendata", str(tmp_path), stdout=io.StringIO())
    with open(tmp_path / "acteurs.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == Actor.objects.count() == 184 + 96
    ml = next(r for r in rows if r["id_source"].startswith("mission_locale-95585"))
    assert (ml["type"], ml["type_libelle"], ml["code_insee"]) == ("mission-locale", "Mission Locale", "95585")
    assert ml["publics"] == "jeunes" and ml["dispositifs"].split("|")[0] == "cej"
    assert ml["localisation_approximative"] == "true" and ml["date_source"] == "2019-08-11"
    features = json.loads((tmp_path / "acteurs.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["id"] for f in features] == [int(r["id"]) for r in rows]
    fs = next(f for f in features if f["properties"]["id_source"] == "435")
    assert fs["geometry"]["coordinates"] == [2.392507, 48.84049] and fs["properties"]["publics"] == ["tous-publics"]
    with open(tmp_path / "dictionnaire.csv", encoding="utf-8", newline="") as f:
        described = {r["colonne"] for r in csv.DictReader(f) if r["fichier"] == "acteurs.csv"}
    assert {"type", "nom", "telephone", "publics", "dispositifs", "code_insee"} <= described

    exports_publish(site_url="http://testserver")
    response = client.get("/api/v1/exports/opendata/acteurs.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert len(list(csv.DictReader(io.StringIO(body, newline="")))) == 280
    assert "acteurs" in client.get("/donnees/").content.decode()
