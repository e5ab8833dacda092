import datetime
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from data_inclusion.schema.v1 import Public, Service
from django.core.management import CommandError, call_command

from cartolangue.interop.data_inclusion.reader import course_type_from_text, markdown_to_text
from cartolangue.offers import enums
from cartolangue.offers.models import Course, Place, Session, Structure, StructureSource

DATA = Path(__file__).parent / "data"
REPO_SAMPLE = Path(__file__).resolve().parents[3] / "data" / "interop" / "data-inclusion-carif-oref-fle-sample.json"
# The SHA-256 of the team's shared/data/data_inclusion/examples/di-v1-services-carif-oref-fle-sample.json
SHARED_SAMPLE_SHA256 = "d89e3e35cc807c54255753e9ebb24f0a7ea48a3010591239a508da0ec760e943"
API_SNAPSHOTS = Path(__file__).resolve().parents[2] / "data" / "data_inclusion"  # provenance in tests/data/
OUTSIDE = "hors Île-de-France"


def run(tmp_path, *args):
    """Import and return the JSON report."""
    report = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}.json"
    call_command(
        "import_data_inclusion",
        *[str(a) for a in args],
        "--report-json",
        str(report),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return json.loads(report.read_text(encoding="utf-8"))


def account(report):
    counts = {k: report[k] for k in ("created", "updated", "unchanged", "rejected", "filtered")}
    return {**counts, "outside": len(report["outside_territory"])}


def local(year, month, day):
    return datetime.datetime(year, month, day, tzinfo=ZoneInfo("Europe/Paris"))


# --- the real files -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_carif_oref_sample_two_idf_services_created_three_outside_rejected(tmp_path):
    report = run(tmp_path, REPO_SAMPLE)

    assert account(report) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 0, "outside": 3}
    assert report["rejections"] == []
    assert [(r["record_id"], r["location"]) for r in report["outside_territory"]] == [
        ("carif-oref--01_GE2021586", "[0]"),
        ("carif-oref--01_GE2030516", "[1]"),
        ("carif-oref--07_763179S", "[2]"),
    ]
    assert report["outside_territory"][0]["reason"] == (
        "hors Île-de-France (code INSEE « 57537 », code postal « 57540 », ville « Petite-Rosselle »)"
    )
    assert all(r["reason"].startswith(OUTSIDE) for r in report["outside_territory"])
    assert report["warnings"] == [
        {
            "record_id": "carif-oref--14_SE_0001116947",
            "location": "[3]",
            "reason": "structure carif-oref--14_OF_0000016454 absente du fichier : fiche minimale créée, "
            "importez les structures (--structures) pour la compléter",
        },
        {
            "record_id": "carif-oref--14_SE_0001116947",
            "location": "[3]",
            "reason": "frais non renseignés : coût à demander",
        },
        {
            "record_id": "carif-oref--14_SE_0001597312",
            "location": "[4]",
            "reason": "structure carif-oref--14_OF_0000012792 absente du fichier : fiche minimale créée, "
            "importez les structures (--structures) pour la compléter",
        },
        {
            "record_id": "carif-oref--14_SE_0001597312",
            "location": "[4]",
            "reason": "frais non renseignés : coût à demander",
        },
    ]

    oepre = Course.objects.get(source="data-inclusion", source_id="carif-oref--14_SE_0001116947")
    assert oepre.name == "Ouvrir l'école aux parents pour la réussite des enfants - OEPRE"
    assert oepre.course_type == enums.CourseType.OEPRE
    assert oepre.parcours == ""
    assert oepre.hours_per_week == Decimal("3.0")
    assert oepre.total_hours is None
    assert (oepre.is_free, oepre.cost_amount, oepre.cost_details) == (None, None, "")  # frais not given: to ask
    assert oepre.modality == enums.Modality.ON_SITE
    assert oepre.registration_mode == enums.RegistrationMode.PRESCRIPTION
    assert (oepre.contact_name, oepre.contact_phone, oepre.contact_email) == (
        "",
        "+33134741945",
        "ce.0780180x@ac-versailles.fr",
    )
    assert oepre.source_url == ""
    assert oepre.updated_at == local(2025, 3, 21)
    assert list(oepre.audiences.values_list("audience", "mode")) == [("personnes-exilees", "prioritaire")]
    assert oepre.description == (
        "Objectif de la formation\n\nFavoriser l'intégration des parents d'élèves, primo-arrivants, immigrés ou "
        "étrangers hors Union européenne, volontaires, en les impliquant notamment dans la scolarité de leur "
        "enfant.\n\nContenu de la formation\n\nLes formations portent sur trois axes d'apprentissage : - "
        "l'acquisition du français (comprendre, parler, lire et écrire) ; - la connaissance des valeurs de la "
        "République et leur mise en oeuvre dans la société française ; - la connaissance du fonctionnement et des "
        "attentes de l'école vis-à-vis des élèves et des parents.\n\nConditions d'accès : Aucun"
    )
    place = oepre.place
    assert (place.address, place.post_code, place.commune.code_insee) == ("Rue Albert Thomas", "78130", "78440")
    assert (place.latitude, place.longitude, place.location_is_approximate) == (48.982753, 1.922887, False)
    assert oepre.structure.source_id == "carif-oref--14_OF_0000016454"
    assert oepre.structure.name == "Organisme non précisé"  # no internal id in what people read
    assert oepre.structure.kind == enums.StructureKind.OTHER

    asl = Course.objects.get(source_id="carif-oref--14_SE_0001597312")
    assert asl.course_type == enums.CourseType.ASL
    assert asl.hours_per_week == Decimal("4.0")
    assert asl.place.commune.code_insee == "78361"
    assert asl.updated_at == local(2026, 1, 22)
    assert asl.description.endswith(
        "\n\nPublics : Salaries primo arrivants avec contrat de travail. Femmes primo arrivantes ayant des problemes "
        "de garde d enfant.\n\nConditions d'accès : CECRL Oral : A1.1, A1 — Ecrit : A1.1, A1"
    )
    assert Structure.objects.count() == 2
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_committed_demo_copy_is_the_shared_sample_and_imports(tmp_path):
    report = run(tmp_path, REPO_SAMPLE)

    assert account(report) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 0, "outside": 3}
    assert sorted(Course.objects.values_list("source_id", "place__commune__code_insee")) == [
        ("carif-oref--14_SE_0001116947", "78440"),
        ("carif-oref--14_SE_0001597312", "78361"),
    ]


def test_committed_demo_copy_is_byte_identical_to_the_shared_file():
    assert hashlib.sha256(REPO_SAMPLE.read_bytes()).hexdigest() == SHARED_SAMPLE_SHA256


def test_every_sample_service_is_valid_v1():
    for item in json.loads(REPO_SAMPLE.read_text(encoding="utf-8")):
        Service.model_validate(item)


@pytest.mark.django_db
def test_api_envelope_of_services_not_about_french_is_filtered(tmp_path):
    report = run(tmp_path, API_SNAPSHOTS / "api-v1-test_list_services_all.snapshot.json")

    assert account(report) == {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 1, "outside": 0}
    assert report["filtered_reasons"] == {"thématique hors apprentissage du français": 1}
    assert Course.objects.count() == 0


@pytest.mark.django_db
def test_api_envelope_of_structures_is_read_with_structures_option(tmp_path):
    report = run(
        tmp_path,
        API_SNAPSHOTS / "api-v1-test_list_services_all.snapshot.json",
        "--structures",
        API_SNAPSHOTS / "api-v1-test_list_structures_all.snapshot.json",
    )

    assert account(report) == {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 1, "outside": 0}
    assert report["warnings"] == []
    assert Structure.objects.count() == 0  # a structure without a French course is not stored


@pytest.mark.django_db
def test_structures_file_given_as_services_is_refused_with_a_hint():
    path = API_SNAPSHOTS / "api-v1-test_list_structures_all.snapshot.json"
    with pytest.raises(CommandError) as exc:
        call_command("import_data_inclusion", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    assert str(exc.value) == (
        f"{path} : ce fichier contient des structures, pas des services : passez-le avec --structures"
    )


# --- our fixture: structures, embedded structure, rejections, filtering -------------------------------------


@pytest.mark.django_db
def test_services_with_structures_file_and_embedded_structure(tmp_path):
    report = run(tmp_path, DATA / "services-idf.json", "--structures", DATA / "structures-idf.json")

    assert account(report) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 3, "filtered": 1, "outside": 0}
    assert report["filtered_reasons"] == {"thématique hors apprentissage du français": 1}
    assert report["rejections"] == [
        {
            "record_id": "test--bad-email",
            "location": "[2]",
            "reason": "invalide selon le schéma data·inclusion v1 : courriel : value is not a valid email address: "
            "An email address must have an @-sign.",
        },
        {
            "record_id": "test--bad-structure",
            "location": "[4]",
            "reason": "structure test--invalide invalide dans le fichier des structures "
            "(structures-idf.json items[1] : nom : String should have at least 3 characters)",
        },
        {"record_id": "", "location": "[5]", "reason": "pas un objet JSON"},
    ]
    assert report["warnings"] == [
        {
            "record_id": "test--atelier-paris",
            "location": "[1]",
            "reason": "type de cours introuvable dans l'intitulé ou la description : « autre » retenu",
        },
        {
            "record_id": "test--atelier-paris",
            "location": "[1]",
            "reason": "modes d'accueil non renseignés : présentiel retenu",
        },
    ]

    fle = Course.objects.get(source_id="test--fle-cergy")
    assert fle.course_type == enums.CourseType.FLE
    assert (fle.is_free, fle.cost_amount, fle.cost_details) == (False, Decimal("15.00"), "Adhésion annuelle : 15 €")
    assert fle.modality == enums.Modality.HYBRID
    assert fle.registration_mode == enums.RegistrationMode.OPEN
    assert (fle.hours_per_week, fle.total_hours) == (Decimal("6.0"), 60)
    # The service's phone and e-mail are public contact points by the schema; the person's name is not kept.
    assert (fle.contact_name, fle.contact_phone, fle.contact_email, fle.contact_public) == (
        "",
        "01 30 00 00 00",
        "contact@fle-cergy.example",
        True,
    )
    assert fle.source_url == "https://fle-cergy.example/cours-du-soir"
    assert fle.description == (
        "Objectif\n\nParler au quotidien.\n\nNiveau A1 à A2\n\nS'inscrire : https://fle-cergy.example/inscription"
    )
    assert sorted(fle.audiences.values_list("audience", "mode")) == [
        ("femmes", "prioritaire"),
        ("personnes-exilees", "prioritaire"),
    ]
    assert fle.updated_at == local(2026, 10, 1)
    structure = fle.structure
    assert (structure.source, structure.source_id, structure.name) == (
        "data-inclusion",
        "test--asso-cergy",
        "Association FLE Cergy",
    )
    assert (structure.siret, structure.website, structure.email, structure.phone) == (
        "12345678900011",
        "https://fle-cergy.example/",
        "bonjour@fle-cergy.example",
        "01 30 99 99 99",
    )
    assert structure.description == "Association d'apprentissage du français."
    assert structure.updated_at == local(2026, 8, 1)
    assert (fle.place.commune.code_insee, fle.place.location_is_approximate) == ("95127", False)

    atelier = Course.objects.get(source_id="test--atelier-paris")
    assert atelier.course_type == enums.CourseType.OTHER
    assert atelier.structure.name == "Maison des langues"
    # The service gives no address: it happens at its structure's (an arrondissement code, stored as Paris).
    assert (atelier.place.address, atelier.place.post_code, atelier.place.commune.code_insee) == (
        "10 rue de la Roquette",
        "75011",
        "75056",
    )
    assert list(atelier.audiences.values_list("audience", "mode")) == [("tous-publics", "prioritaire")]
    assert atelier.is_free is True
    assert Structure.objects.count() == 2


@pytest.mark.django_db
def test_minimal_structure_is_completed_by_a_later_import_with_its_structures(tmp_path):
    run(tmp_path, REPO_SAMPLE)
    structures = tmp_path / "structures.json"
    structures.write_text(
        json.dumps(
            [
                {
                    "source": "carif-oref",
                    "id": "carif-oref--14_OF_0000016454",
                    "nom": "Collège Jean Vilar",
                    "date_maj": "2025-03-01",
                }
            ]
        ),
        encoding="utf-8",
    )

    report = run(tmp_path, REPO_SAMPLE, "--structures", structures)

    # The counts are of courses; the structure is updated under them (and the courses' search text with it).
    assert account(report) == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0, "filtered": 0, "outside": 3}
    assert [(w["location"], w["reason"]) for w in report["warnings"]] == [
        ("[3]", "frais non renseignés : coût à demander"),
        (
            "[4]",
            "structure carif-oref--14_OF_0000012792 absente du fichier : fiche minimale créée, "
            "importez les structures (--structures) pour la compléter",
        ),
        ("[4]", "frais non renseignés : coût à demander"),
    ]
    assert "college jean vilar" in Course.objects.get(source_id="carif-oref--14_SE_0001116947").search_text
    structure = Structure.objects.get(source_id="carif-oref--14_OF_0000016454")
    assert structure.name == "Collège Jean Vilar"
    assert Structure.objects.count() == 2
    assert StructureSource.objects.filter(source="data-inclusion").count() == 2


@pytest.mark.django_db
def test_search_endpoint_items_are_unwrapped_and_other_pages_are_reported(tmp_path):
    service = json.loads(REPO_SAMPLE.read_text(encoding="utf-8"))[3]
    path = tmp_path / "search.json"
    path.write_text(
        json.dumps({"items": [{"service": service, "distance": 2}], "page": 1, "pages": 3, "size": 1, "total": 3}),
        encoding="utf-8",
    )

    report = run(tmp_path, path)

    assert account(report) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 0, "outside": 0}
    assert report["warnings"][0] == {
        "record_id": "",
        "location": str(path),
        "reason": "page 1 sur 3 de l'API : les autres pages ne sont pas dans ce fichier",
    }
    assert report["warnings"][1]["location"] == "items[0].service"


# --- re-import, dry run, report, bad files --------------------------------------------------------------------


@pytest.mark.django_db
def test_second_import_changes_nothing(tmp_path):
    run(tmp_path, DATA / "services-idf.json", "--structures", DATA / "structures-idf.json")
    run(tmp_path, REPO_SAMPLE)
    before = list(Course.objects.order_by("pk").values_list("pk", "updated_at", "search_text"))

    again = run(tmp_path, DATA / "services-idf.json", "--structures", DATA / "structures-idf.json")
    sample_again = run(tmp_path, REPO_SAMPLE)

    assert account(again) == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 3, "filtered": 1, "outside": 0}
    assert account(sample_again) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "rejected": 0,
        "filtered": 0,
        "outside": 3,
    }
    assert list(Course.objects.order_by("pk").values_list("pk", "updated_at", "search_text")) == before
    assert (Structure.objects.count(), Place.objects.count()) == (4, 4)


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path):
    report = run(tmp_path, REPO_SAMPLE, "--dry-run")

    assert report["dry_run"] is True
    assert account(report) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 0, "outside": 3}
    assert (Course.objects.count(), Structure.objects.count(), Place.objects.count()) == (0, 0, 0)
    assert StructureSource.objects.count() == 0


@pytest.mark.django_db
def test_report_json_and_printed_report(tmp_path):
    out = io.StringIO()
    path = tmp_path / "report.json"
    call_command(
        "import_data_inclusion",
        str(REPO_SAMPLE),
        "--source",
        "di-test",
        "--report-json",
        str(path),
        stdout=out,
        stderr=io.StringIO(),
    )

    report = json.loads(path.read_text(encoding="utf-8"))
    assert {k: report[k] for k in ("source", "file", "format", "dry_run")} == {
        "source": "di-test",
        "file": "data-inclusion-carif-oref-fle-sample.json",
        "format": "data·inclusion v1",
        "dry_run": False,
    }
    assert len(report["outside_territory"]) == 3 and len(report["warnings"]) == 4
    assert report["rejections"] == []
    assert report["structures_merged"] == []
    assert Course.objects.filter(source="di-test").count() == 2
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "data-inclusion-carif-oref-fle-sample.json (data·inclusion v1) : 2 créé(s), 0 mis à jour, "
        "0 inchangé(s), 0 rejeté(s)"
    )
    # The records outside Île-de-France are explained as expected, not printed as errors.
    assert lines[1] == "3 enregistrements hors Île-de-France écartés (attendu)"
    assert lines[2].startswith("  - carif-oref--01_GE2021586 ([0]) : hors Île-de-France (code INSEE « 57537 »")
    assert not [line for line in lines if line.startswith("REJETÉ")]


@pytest.mark.django_db
def test_malformed_json_is_one_located_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"id": "x",\n    "nom": }\n]', encoding="utf-8")

    with pytest.raises(CommandError) as exc:
        call_command("import_data_inclusion", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    assert str(exc.value) == f"{path} : JSON invalide, ligne 3, colonne 12 : Expecting value"
    assert Course.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("content", ['{"services": []}', '"texte"', '{"items": {"id": 1}}'])
def test_wrong_shape_is_refused(tmp_path, content):
    path = tmp_path / "shape.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError) as exc:
        call_command("import_data_inclusion", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    assert str(exc.value) == (
        f"{path} : ni une liste de services data·inclusion, ni l'enveloppe paginée de l'API "
        "(items, page, pages, size, total)"
    )


@pytest.mark.django_db
def test_bad_structures_file_is_refused(tmp_path):
    path = tmp_path / "structures.json"
    path.write_text("{", encoding="utf-8")

    with pytest.raises(CommandError, match=r"structures\.json : JSON invalide, ligne 1, colonne 2"):
        call_command(
            "import_data_inclusion",
            str(REPO_SAMPLE),
            "--structures",
            str(path),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Course.objects.count() == 0


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="fichier introuvable"):
        call_command("import_data_inclusion", str(tmp_path / "absent.json"), stdout=io.StringIO())


# --- mapping --------------------------------------------------------------------------------------------------


def test_audiences_are_the_data_inclusion_publics():
    assert {p.value for p in Public} <= set(enums.Audience.values)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("Ouvrir l'école aux parents pour la réussite des enfants",), enums.CourseType.OEPRE),
        (("Atelier sociolinguistique - Alphabétisation niveau A1.1 - Groupe 2 (ASL)",), enums.CourseType.ASL),
        (("Actions socio-linguistiques complémentaires du CIR (ASL)",), enums.CourseType.ASL),
        (("Du FLE (Français langue étrangère) à l'emploi",), enums.CourseType.FLE),
        (("FLE pour les signataires du CIR",), enums.CourseType.FLE),
        (("Formation linguistique du CIR",), enums.CourseType.CIR),
        (("Cours de post-alpha",), enums.CourseType.POST_ALPHA),
        (("Alphabétisation du soir",), enums.CourseType.ALPHA),
        (("Diplôme de français professionnel",), enums.CourseType.WORK),
        (("Préparation au DELF B1",), enums.CourseType.CERTIFICATION_PREP),
        (("Atelier de conversation", "Cours de FLE"), enums.CourseType.FLE),
        (("Atelier de conversation", "Échanges"), None),
        (("Classe (flexible)",), None),
    ],
)
def test_course_type_from_text(texts, expected):
    assert course_type_from_text(*texts) == expected


def test_markdown_to_text():
    assert markdown_to_text("### Titre\n\n- un\n- **deux**\n\n## Suite\u0000") == "Titre\n\n- un\n- deux\n\nSuite"
