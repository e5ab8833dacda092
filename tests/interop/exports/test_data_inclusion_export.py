import datetime
import io
import json

import pytest
from data_inclusion.schema.v1 import Service, Structure
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartolangue.interop.data_inclusion.mapping import service_item, structure_item
from cartolangue.interop.data_inclusion.writer import (
    ExportReport,
    courses_for_export,
    iter_services,
    structures_for_export,
)
from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course
from cartolangue.offers.models import Structure as StructureModel
from tests.factories import CourseFactory, StructureFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)
STRICT = {"ignore_warnings": False}  # the schema's warnings (a name ending with a full stop…) fail too


def _services(**kwargs):
    return {c.pk: service_item(c, **kwargs) for c in courses_for_export()}


def _export(tmp_path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_data_inclusion", str(tmp_path), *args, stdout=out, stderr=err)
    structures = json.loads((tmp_path / "structures.json").read_text(encoding="utf-8"))
    services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    return structures, services, err.getvalue()


def test_paying_course_reserved_to_cir_signatories(offer):
    item = _services()[offer.evening.pk]
    Service.model_validate(item, context=STRICT)
    assert item["source"] == "carto-langue"
    assert item["id"] == "carto-langue--test:fle-soir"
    assert item["structure_id"] == "carto-langue--test:lire-ensemble"
    assert item["nom"] == "Français pour l'intégration"
    assert item["type"] == "formation"
    assert item["thematiques"] == ["lecture-ecriture-calcul--maitriser-le-francais"]
    assert item["frais"] == "payant"
    assert item["frais_precisions"] == "250 € – Adhésion annuelle comprise"
    assert item["publics"] == ["personnes-exilees"]
    assert item["publics_precisions"] == (
        "Réservé à : Primo-arrivants signataires du CIR. Publics prioritaires : Femmes."
    )
    assert item["conditions_acces"] == (
        "Niveau d'entrée à l'oral : A1. Niveau d'entrée à l'écrit : aucun prérequis. Scolarisation : Scolarisé "
        "(3 ans et plus) en langue étrangère, Scolarisé (3 ans et plus) en langue française."
    )
    # Awa Diallo is not a public contact point: the structure's own phone and e-mail (ADR 0019).
    assert item["telephone"] == "+33134123456"
    assert item["courriel"] == "contact@lire-ensemble.fr"
    assert "contact_nom_prenom" not in item
    assert item["modes_accueil"] == ["en-presentiel"]
    assert item["modes_mobilisation"] == ["envoyer-un-courriel", "telephoner"]
    assert item["mobilisable_par"] == ["professionnels", "usagers"]
    assert item["mobilisation_precisions"] == "Après un test de positionnement"
    assert item["volume_horaire_hebdomadaire"] == 4.5
    assert item["nombre_semaines"] == 27  # 120 h at 4.5 h a week
    assert item["horaires_accueil"] == "Mo 18:00-20:00; We 18:00-20:15"
    assert (item["adresse"], item["code_postal"], item["code_insee"], item["commune"]) == (
        "12 rue de la Gare",
        "95000",
        "95127",
        "Cergy",
    )
    assert (item["latitude"], item["longitude"]) == (49.036, 2.06)
    assert item["date_maj"] == "2026-10-05"
    assert item["description"] == (
        "Cours du soir.\n\n"
        "## Niveaux\n\n"
        "- Niveau visé : A2 (CECRL)\n"
        "- Niveau d'entrée à l'oral : A1\n"
        "- Niveau d'entrée à l'écrit : aucun prérequis\n"
        "- Scolarisation : Scolarisé (3 ans et plus) en langue étrangère, Scolarisé (3 ans et plus) en langue "
        "française\n\n"
        "## Public\n\n"
        "- Réservé à : Primo-arrivants signataires du CIR\n"
        "- Publics prioritaires : Femmes\n\n"
        "## Informations pratiques\n\n"
        "- Type de cours : Français langue étrangère (FLE)\n"
        "- Horaires : lundi 18:00–20:00 ; mercredi 18:00–20:15\n"
        "- Heures par semaine : 4,5\n"
        "- Durée totale : 120 heures\n"
        "- Modalité : En présentiel\n"
        "- Inscription : Après un test de positionnement\n"
        "- Places disponibles : oui\n"
        "- Garde d'enfants : oui\n"
        "- Coût : 250 € – Adhésion annuelle comprise\n"
        "- Financeurs : Bénéficiaire de l’action, Conseil régional\n"
        "- Certifications préparées : DELF A2"
    )


def test_no_email_approximate_location_priority_audience(offer):
    item = _services()[offer.workshop.pk]
    Service.model_validate(item, context=STRICT)
    assert item["type"] == "atelier"
    assert item["frais"] == "gratuit" and item["frais_precisions"] is None
    # A priority audience does not restrict who may come.
    assert item["publics"] == ["tous-publics"]
    assert item["publics_precisions"] == "Publics prioritaires : Bénéficiaires du RSA."
    assert "## Public\n\n- Ouvert à tous\n- Publics prioritaires : Bénéficiaires du RSA\n\n" in item["description"]
    assert item["courriel"] is None and item["telephone"] is None and item["modes_mobilisation"] is None
    # The commune's centre is not sent as the place's coordinates; the address and codes are.
    assert item["latitude"] is None and item["longitude"] is None
    assert (item["code_insee"], item["code_postal"], item["commune"]) == ("95585", "95200", "Sarcelles")
    assert item["horaires_accueil"] is None and item["nombre_semaines"] is None


def test_remote_course_on_prescription_with_a_bad_email_and_no_audience(offer):
    item = _services()[offer.remote.pk]
    Service.model_validate(item, context=STRICT)
    assert item["modes_accueil"] == ["a-distance"]
    assert "adresse" not in item and "code_insee" not in item
    assert item["publics"] is None and "## Public" not in item["description"]
    assert item["courriel"] is None  # "pas-un-courriel" is dropped, as data·inclusion does
    assert item["mobilisable_par"] == ["professionnels"]
    assert item["lien_source"] is None


def test_structure_items(offer):
    items = {s.pk: structure_item(s) for s in structures_for_export()}
    for item in items.values():
        Structure.model_validate(item, context=STRICT)
    association = items[offer.association.pk]
    assert association == {
        "source": "carto-langue",
        "id": "carto-langue--test:lire-ensemble",
        "nom": "Association Lire Ensemble",
        "date_maj": "2026-10-05",
        "description": "Association de quartier à Cergy.",
        "lien_source": None,
        "siret": "73282932000074",
        "telephone": "+33134123456",
        "courriel": "contact@lire-ensemble.fr",
        "site_web": "https://lire-ensemble.example.org",
        "reseaux_porteurs": ["fcsf"],
        "adresse": "12 rue de la Gare",
        "complement_adresse": None,
        "code_postal": "95000",
        "commune": "Cergy",
        "code_insee": "95127",
        "latitude": 49.036,
        "longitude": 2.06,
    }
    assert items[offer.centre.pk]["latitude"] is None  # its only place is approximate


def test_links_point_to_the_site_when_its_address_is_given(offer):
    item = service_item(courses_for_export().get(pk=offer.evening.pk), site_url="https://carto-langue.fr/")
    assert item["lien_source"] == f"https://carto-langue.fr/cours/{offer.evening.pk}/"


def test_command_writes_valid_files_and_reports_refused_items(offer, tmp_path):
    StructureFactory(source_id="bad-site", name="Association au site illisible", website="pas une adresse")
    structures, services, errors = _export(tmp_path)
    assert len(services) == 3
    assert len(structures) == 3  # the association, the social centre, the exam centre; not the bad one
    assert "carto-langue--test:bad-site : refusé par le schéma data·inclusion – site_web : " in errors
    for item in structures:
        Structure.model_validate(item, context=STRICT)
    for item in services:
        Service.model_validate(item, context=STRICT)
    assert {s["structure_id"] for s in services} <= {s["id"] for s in structures}
    # Nulls are left out of the files.
    assert all(None not in item.values() for item in structures + services)


def test_demo_offer_is_valid_and_excluded_by_default(tmp_path):
    demo_generate(courses=300, seed=3, reference_date=TODAY)
    assert _export(tmp_path)[:2] == ([], [])
    # Every mapped item must satisfy the official models, before the writer's own filter.
    for course in courses_for_export(include_demo=True):
        Service.model_validate(service_item(course), context=STRICT)
    for structure in structures_for_export(include_demo=True):
        Structure.model_validate(structure_item(structure), context=STRICT)
    structures, services, errors = _export(tmp_path, "--include-demo")
    assert errors == ""
    assert len(services) == Course.objects.count() == 300
    assert len(structures) == StructureModel.objects.count()
    assert len({s["id"] for s in services}) == 300
    assert {s["structure_id"] for s in services} <= {s["id"] for s in structures}
    assert {p for s in services for p in s.get("publics", [])} <= {
        "tous-publics",
        "personnes-exilees",
        "familles",
        "demandeurs-emploi",
    }


def test_export_is_deterministic_and_queries_do_not_grow(tmp_path):
    demo_generate(courses=300, seed=3, reference_date=TODAY)
    first = _export(tmp_path / "a", "--include-demo")
    second = _export(tmp_path / "b", "--include-demo")
    assert (tmp_path / "a" / "services.json").read_bytes() == (tmp_path / "b" / "services.json").read_bytes()
    assert first == second
    with CaptureQueriesContext(connection) as queries:
        report = ExportReport()
        assert len(list(iter_services(include_demo=True, report=report))) == 300
    assert report.written == 300 and report.rejected == []
    assert len(queries.captured_queries) <= 10


def test_long_and_short_names_are_fitted_to_the_schema(offer):
    long_name = CourseFactory(name="Français " * 25, structure=offer.centre, place=offer.town_hall)
    short_name = CourseFactory(name="FL", structure=offer.centre, place=offer.town_hall)
    items = _services()
    assert len(items[long_name.pk]["nom"]) == 150 and items[long_name.pk]["nom"].endswith("…")
    assert items[short_name.pk]["nom"] == "Atelier sociolinguistique (ASL)"
    for pk in (long_name.pk, short_name.pk):
        Service.model_validate(items[pk], context=STRICT)
