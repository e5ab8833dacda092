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


def test_the_actors_are_data_inclusion_structures_and_services_the_official_schema_accepts(tmp_path, client):
    from data_inclusion.schema.v1 import Service, Structure

    from cartolangue.interop.data_inclusion.actors import SCHEME_THEMATIQUES

    for fmt, path in FILES.items():
        import_actors(fmt, path)
    call_command("export_data_inclusion", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    structures = json.loads((tmp_path / "acteurs" / "structures.json").read_text(encoding="utf-8"))
    services = json.loads((tmp_path / "acteurs" / "services.json").read_text(encoding="utf-8"))
    for item in structures:
        Structure.model_validate(item)
    for item in services:
        Service.model_validate(item)
    actors = list(Actor.objects.all())
    assert len(structures) == len(actors)
    # One service per scheme that has a thématique, for every actor: counted from the table, not from the file.
    expected = sum(1 for actor in actors for scheme in actor.schemes if scheme in SCHEME_THEMATIQUES)
    assert len(services) == expected > 0
    # The SIAE parcours has no thématique: an ACI is a structure with its réseau porteur, and offers no service.
    aci = next(a for a in actors if a.kind == "siae-aci")
    aci_id = f"carto-langue--acteur:{aci.source}:{aci.source_id}"
    assert next(s for s in structures if s["id"] == aci_id)["reseaux_porteurs"] == ["aci"]
    assert not [s for s in services if s["structure_id"] == aci_id]
    # A Mission Locale: its CEJ service for the young, with the thématiques of the table.
    ml = next(a for a in actors if a.kind == "mission-locale")
    cej = next(s for s in services if s["id"] == f"carto-langue--acteur:{ml.source}:{ml.source_id}:cej")
    assert cej["publics"] == ["jeunes"] and cej["type"] == "accompagnement"
    assert "se-former--trouver-sa-formation" in cej["thematiques"]
    # The courses' files hold no actor: our own data·inclusion reader would take every service there for a course.
    courses_services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    assert not [s for s in courses_services if "acteur:" in s["id"]]

    exports_publish(site_url="http://testserver")
    response = client.get("/api/v1/exports/data-inclusion/acteurs/services.json")
    assert response.status_code == 200
    published = json.loads(b"".join(response.streaming_content))
    assert [s["id"] for s in published] == [s["id"] for s in services]
    assert published[0]["lien_source"].startswith("http://testserver/acteurs/")


def test_the_documented_mapping_is_the_one_the_export_applies():
    """docs/data-inclusion-acteurs.md: every scheme's thématiques and every kind's réseau porteur, as the code."""
    import re
    from pathlib import Path

    from cartolangue.actors.enums import ActorKind, Scheme
    from cartolangue.interop.data_inclusion.actors import KIND_RESEAUX, SCHEME_THEMATIQUES

    rows = {}
    doc = Path(__file__).resolve().parents[2] / "docs" / "data-inclusion-acteurs.md"
    for line in doc.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`"):
            rows.setdefault(cells[1].strip("`"), []).append(re.findall(r"`([^`]+)`", cells[2]))
    for scheme in Scheme:
        assert rows[scheme.value][0] == [t.value for t in SCHEME_THEMATIQUES.get(scheme, ())], scheme
    for kind in ActorKind:
        reseau = KIND_RESEAUX.get(kind)
        assert rows[kind.value][-1] == ([reseau.value] if reseau else []), kind
