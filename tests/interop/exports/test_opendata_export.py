import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command

from cartolangue.interop.opendata.dictionary import KINDS, TABLES
from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course, ExamSession, Place, Session, Structure

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)
FILES = ["structures", "lieux", "cours", "sessions", "sessions-examen", "acteurs"]


def _export(tmp_path, *args):
    call_command("export_opendata", str(tmp_path), *args, stdout=io.StringIO())
    return tmp_path


def _csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _geojson(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_files_parse_with_exact_counts(offer, tmp_path):
    out = _export(tmp_path)
    expected = {"structures": 3, "lieux": 3, "cours": 3, "sessions": 2, "sessions-examen": 1, "acteurs": 0}
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.csv" for n in FILES] + [f"{n}.geojson" for n in FILES] + ["dictionnaire.csv", "README.md"]
    )
    for name, n in expected.items():
        rows = _csv(out / f"{name}.csv")
        assert len(rows) == n, name
        collection = _geojson(out / f"{name}.geojson")
        assert collection["type"] == "FeatureCollection" and "crs" not in collection
        assert [f["id"] for f in collection["features"]] == [int(r["id"]) for r in rows]
    raw = (out / "cours.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    raw.decode("utf-8")


def test_geojson_points_are_longitude_then_latitude(offer, tmp_path):
    out = _export(tmp_path)
    for name in ("lieux", "cours", "sessions-examen"):
        for feature in _geojson(out / f"{name}.geojson")["features"]:
            assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
            lon, lat = feature["geometry"]["coordinates"]
            assert 1.4 < lon < 3.6 and 48.1 < lat < 49.3, name
            if "latitude" in feature["properties"]:
                assert [feature["properties"]["longitude"], feature["properties"]["latitude"]] == [lon, lat]
    hall = next(f for f in _geojson(out / "lieux.geojson")["features"] if f["id"] == offer.hall.pk)
    assert hall["geometry"]["coordinates"] == [2.06, 49.036]
    structures = {f["id"]: f for f in _geojson(out / "structures.geojson")["features"]}
    assert structures[offer.association.pk]["geometry"] == {"type": "MultiPoint", "coordinates": [[2.06, 49.036]]}
    session = _geojson(out / "sessions.geojson")["features"][0]
    assert session["geometry"]["coordinates"] == [2.06, 49.036]


def test_dictionary_documents_every_column_of_every_csv(offer, tmp_path):
    out = _export(tmp_path)
    documented = {(r["fichier"], r["colonne"]): r for r in _csv(out / "dictionnaire.csv")}
    columns = set()
    for path in sorted(out.glob("*.csv")):
        if path.name == "dictionnaire.csv":
            continue
        with open(path, encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        assert len(header) == len(set(header)), path.name
        columns |= {(path.name, column) for column in header}
    assert len(columns) == 149  # 18 + 17 + 52 + 12 + 24 + 26 (acteurs)
    assert set(documented) == columns
    for row in documented.values():
        assert row["type"] in KINDS and len(row["description"]) > 5, row
    assert documented[("cours.csv", "type")]["valeurs"].startswith("alpha : Alphabétisation ; post-alpha : ")
    assert documented[("cours.csv", "niveau_vise")]["valeurs"] == "A1.1 ; A1 ; A2 ; B1 ; B2 ; C1 ; C2"


def test_course_row_has_codes_labels_and_lists(offer, tmp_path):
    rows = {int(r["id"]): r for r in _csv(_export(tmp_path) / "cours.csv")}
    row = rows[offer.evening.pk]
    assert row["nom"] == "Français pour l'intégration."
    assert (row["type"], row["type_libelle"]) == ("fle", "Français langue étrangère (FLE)")
    assert (row["niveau_vise"], row["niveau_entree_oral"], row["niveau_entree_ecrit"]) == ("A2", "A1", "")
    assert row["scolarisation"] == "langue-etrangere|langue-francaise"
    assert row["publics_exclusifs"] == "signataires-cir"
    assert row["publics_exclusifs_libelles"] == "Primo-arrivants signataires du CIR"
    assert (row["publics_prioritaires"], row["publics_prioritaires_libelles"]) == ("femmes", "Femmes")
    assert row["creneaux"] == "lundi 18:00-20:00|mercredi 18:00-20:15"
    assert (row["gratuit"], row["cout_euros"], row["heures_par_semaine"]) == ("false", "250.00", "4.5")
    assert row["financeurs"] == "beneficiaire|region"
    assert row["financeurs_libelles"] == "Bénéficiaire de l’action|Conseil régional"
    assert (row["certifications"], row["certifications_libelles"]) == ("delf-a2", "DELF A2")
    assert (row["garde_enfants"], row["places_disponibles"], row["demonstration"]) == ("true", "true", "false")
    assert (row["code_insee"], row["commune"], row["latitude"], row["longitude"]) == (
        "95127",
        "Cergy",
        "49.036",
        "2.06",
    )
    assert row["date_maj"] == "2026-10-05T16:30:00+02:00"
    assert "contact_nom" not in row and "Awa Diallo" not in (tmp_path / "cours.csv").read_text(encoding="utf-8")
    workshop = rows[offer.workshop.pk]
    assert (workshop["garde_enfants"], workshop["niveau_vise"], workshop["localisation_approximative"]) == (
        "",
        "",
        "true",
    )


def test_columns_are_in_a_stable_order(offer, tmp_path):
    with open(_export(tmp_path) / "sessions.csv", encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == [
        "id",
        "cours_id",
        "source",
        "id_source",
        "debut",
        "fin",
        "etat_recrutement",
        "etat_recrutement_libelle",
        "places",
        "places_restantes",
        "date_maj",
        "demonstration",
    ]
    assert [c.name for c in TABLES["cours"].columns][:4] == ["id", "structure_id", "structure_nom", "lieu_id"]


def test_demo_is_excluded_unless_asked(offer, tmp_path):
    demo_generate(courses=200, seed=2, reference_date=TODAY)
    out = _export(tmp_path / "real")
    assert len(_csv(out / "cours.csv")) == 3
    assert {r["source"] for name in FILES for r in _csv(out / f"{name}.csv")} == {"test"}
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "Licence Ouverte / Open Licence version 2.0" in readme
    assert "Les données fictives de démonstration (source « demo ») sont exclues de cet export." in readme
    assert "| test | 3 |" in readme

    out = _export(tmp_path / "all", "--include-demo")
    counts = {
        "structures": Structure.objects.count(),
        "lieux": Place.objects.count(),
        "cours": Course.objects.count(),
        "sessions": Session.objects.count(),
        "sessions-examen": ExamSession.objects.count(),
        "acteurs": 0,
    }
    assert counts["cours"] == 203
    for name, n in counts.items():
        rows = _csv(out / f"{name}.csv")
        assert len(rows) == n, name
        assert len(_geojson(out / f"{name}.geojson")["features"]) == n, name
        assert sum(r["demonstration"] == "true" for r in rows) == n - len(_csv(tmp_path / "real" / f"{name}.csv"))
    assert "Cet export contient les données fictives de démonstration" in (out / "README.md").read_text()
