import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cartolangue.interop.data_inclusion.reader import place_key
from cartolangue.offers import enums
from cartolangue.offers.models import Course, Place, Session, Structure, StructureSource, TimeSlot

SAMPLE = Path(__file__).parent / "data" / "cartographie-sample.json"
T = datetime.time
D = datetime.date


def run(tmp_path, *args):
    """Import and return the JSON report."""
    report = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}.json"
    call_command(
        "import_reseau_alpha",
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


def warnings_of(report, record_id):
    return [w["reason"] for w in report["warnings"] if w["record_id"] == record_id]


def course(source_id):
    return Course.objects.select_related("structure", "place__commune").get(source="reseau-alpha", source_id=source_id)


def audiences(c):
    return sorted(c.audiences.values_list("audience", "mode"))


def schooling(c):
    return sorted(c.schooling.values_list("schooling", flat=True))


def slots(c):
    return list(c.time_slots.order_by("weekday", "starts_at").values_list("weekday", "starts_at", "ends_at"))


def sessions(c):
    return list(c.sessions.values_list("source_id", "starts_on", "ends_on"))


LINANDES = place_key("2 Place des Linandes", "95000", "Cergy")
COUTELLERIE = place_key("1 rue de la Coutellerie", "95300", "Pontoise")
GARE = place_key("12 rue de la Gare", "95000", "Cergy")
TOULEUSES = place_key("5 rue des Touleuses", "95000", "Cergy")
ROQUETTE = place_key("10 rue de la Roquette", "75011", "Paris")
NAVARRE = place_key("Place de Navarre", "95200", "Sarcelles")
BELLECOUR = place_key("1 place Bellecour", "69002", "Lyon")


# --- our sample file ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sample_account_and_rejections(tmp_path):
    report = run(tmp_path, SAMPLE)

    assert account(report) == {"created": 6, "updated": 0, "unchanged": 0, "rejected": 3, "filtered": 0, "outside": 1}
    assert report["rejections"] == [
        {
            "record_id": f"2001-{TOULEUSES}",
            "location": "structures[1].formations[0]",
            "reason": "intitulé manquant",
        },
        {
            "record_id": f"2003-{TOULEUSES}",
            "location": "structures[1].formations[1]",
            "reason": "le niveau d'entrée dépasse le niveau visé",
        },
        {
            "record_id": "3001",
            "location": "structures[3].formations[0]",
            "reason": "identifiant de structure manquant",
        },
    ]
    # Lyon is outside Île-de-France: left out by design, apart from the errors.
    assert report["outside_territory"] == [
        {
            "record_id": f"3031-{BELLECOUR}",
            "location": "structures[2].formations[0]",
            "reason": "hors Île-de-France (code INSEE «  », code postal « 69002 », ville « Lyon »)",
        }
    ]
    assert sorted(Course.objects.values_list("source_id", flat=True)) == sorted(
        [
            f"1001-{LINANDES}",
            f"1001-{COUTELLERIE}",
            f"1002-{GARE}",
            f"1003-{LINANDES}",
            f"2004-{ROQUETTE}",
            f"5001-{NAVARRE}",
        ]
    )


@pytest.mark.django_db
def test_one_course_per_formation_and_address_with_every_field(tmp_path):
    report = run(tmp_path, SAMPLE)

    cergy = course(f"1001-{LINANDES}")
    assert cergy.name == "Atelier sociolinguistique - Vivre à Cergy"
    assert cergy.description == (
        "Ateliers pour parents.\n- école\n- mairie\n\n"
        "Objectifs visés :\n- Suivre la scolarité des enfants / parentalité : Rencontrer les enseignants\n"
        "- Travailler l’oral\n\n"
        "Programmes : Ateliers sociolinguistiques"
    )
    assert (cergy.course_type, cergy.parcours) == (enums.CourseType.ASL, enums.Parcours.INTEGRATION)
    assert (cergy.cecrl_level_target, cergy.entry_level_oral, cergy.entry_level_written) == (
        enums.CecrlLevel.A2,
        enums.CecrlLevel.A1_1,
        None,  # "Infra A1.1" is accepted at entry: no prerequisite
    )
    assert cergy.hours_per_week == Decimal("4.5")
    assert (cergy.is_free, cergy.cost_amount, cergy.cost_details) == (True, None, "")
    assert cergy.childcare is True  # the address's flag wins over the formation's
    assert cergy.places_available is True
    assert cergy.registration_mode == ""
    assert (cergy.contact_name, cergy.contact_phone, cergy.contact_email) == (
        "Mme Awa Martin",
        "06 12 34 56 78",
        "awa.martin@alpha-cergy.example",
    )
    assert (
        cergy.source_url
        == "https://www.reseau-alpha.org/structure/apprentissage-du-francais/alpha-cergy/formation/1001"
    )
    assert audiences(cergy) == [("beneficiaires-rsa", "prioritaire"), ("parents-eleves", "exclusif")]
    assert schooling(cergy) == ["jamais-ou-peu", "langue-etrangere"]
    assert slots(cergy) == [(0, T(9), T(11, 30)), (3, T(14), T(16))]
    assert sessions(cergy) == [(f"1001-{LINANDES}", D(2026, 1, 5), D(2026, 6, 26))]
    assert (cergy.place.address, cergy.place.post_code, cergy.place.commune.code_insee) == (
        "2 Place des Linandes",
        "95000",
        "95127",
    )
    assert (cergy.place.latitude, cergy.place.longitude, cergy.place.location_is_approximate) == (
        49.0429,
        2.0455,
        False,
    )
    assert warnings_of(report, f"1001-{LINANDES}") == []

    pontoise = course(f"1001-{COUTELLERIE}")
    assert pontoise.childcare is False  # no flag on this address: the formation's
    assert (pontoise.place.commune.code_insee, pontoise.place.post_code, pontoise.place.location_is_approximate) == (
        "95500",
        "95300",
        True,
    )
    assert slots(pontoise) == slots(cergy) and audiences(pontoise) == audiences(cergy)
    assert warnings_of(report, f"1001-{COUTELLERIE}") == ["lieu sans coordonnées : placé au centre de Pontoise"]
    assert [w["location"] for w in report["warnings"] if w["record_id"] == f"1001-{COUTELLERIE}"] == [
        "structures[0].formations[0].adresses[1]"
    ]


@pytest.mark.django_db
def test_labels_coarse_timetable_and_bad_values_are_reported(tmp_path):
    report = run(tmp_path, SAMPLE)

    c = course(f"1002-{GARE}")
    assert (c.course_type, c.parcours) == (enums.CourseType.FLE, enums.Parcours.SOCIO_PRO)
    assert (c.cecrl_level_target, c.entry_level_oral, c.entry_level_written) == (40, 20, 20)
    assert audiences(c) == [("parents-eleves", "prioritaire")]  # "Parents d'élèves" with a straight apostrophe
    assert c.registration_mode == enums.RegistrationMode.PRESCRIPTION  # "Orienté par des prescripteurs"
    assert schooling(c) == ["langue-etrangere"]
    assert slots(c) == [(0, T(9), T(12)), (2, T(18), T(21))]
    assert c.hours_per_week is None  # conventional slots say nothing of the duration
    assert (c.is_free, c.cost_amount, c.cost_details) == (False, Decimal("20.00"), "Adhésion annuelle : 20 €")
    assert (c.childcare, c.places_available) == (None, False)
    assert (c.contact_name, c.contact_phone, c.contact_email) == ("M. Paul Durand", "01 30 11 22 33", "")
    assert sessions(c) == [(f"1002-{GARE}", None, D(2026, 12, 18))]
    assert (c.place.latitude, c.place.longitude) == (49.0365, 2.0761)
    assert c.description == (
        "Objectifs visés :\n- Accéder à un emploi\n- Apprendre à nager\n\n"
        "Publics :\n- Habitant un territoire précis (exclusif) : Habitants de Cergy\n- Public martien (prioritaire)"
    )
    assert warnings_of(report, f"1002-{GARE}") == [
        "objectif inconnu : « Apprendre à nager »",
        "critère de scolarisation inconnu : « Scolarisé sur la Lune »",
        "niveau visé inconnu : « Z9 »",
        "public « Habitant un territoire précis » (exclusif) sans équivalent : repris dans la présentation seulement",
        "public inconnu : « Public martien »",
        "créneau illisible : « dimanche:nuit »",
        "horaires sans heures précises (lundi:matin, JOUR_MERCREDI:SOIREE) : créneaux conventionnels retenus "
        "(matin 9 h-12 h, midi 12 h-14 h, après-midi 14 h-17 h, soirée 18 h-21 h)",
        "garde d'enfants : valeur « peut-être » illisible",
        "courriel du contact invalide : « pas-un-courriel »",
        "date illisible (dateDebut) : « bientôt »",
    ]


@pytest.mark.django_db
def test_formation_without_address_anlci_and_structure_address(tmp_path):
    report = run(tmp_path, SAMPLE)

    c = course(f"1003-{LINANDES}")
    assert (c.course_type, c.parcours) == (enums.CourseType.ALPHA, "")
    assert (c.cecrl_level_target, c.entry_level_oral, c.entry_level_written) == (None, None, None)
    assert c.description == "Lire et écrire au quotidien.\n\nNiveau visé (CNR ANLCI) : Degré 2\n\nCours d'été."
    assert audiences(c) == [("tous-publics", "prioritaire")]
    assert slots(c) == [(1, T(18, 30), T(20, 30))]
    assert c.hours_per_week is None  # one slot could not be read
    assert (c.childcare, c.is_free) == (True, None)  # no cost given: to ask
    assert sessions(c) == []
    # The structure's address, which is also the first address of formation 1001: one place for both.
    assert c.place_id == course(f"1001-{LINANDES}").place_id
    assert warnings_of(report, f"1003-{LINANDES}") == [
        "formation sans adresse : adresse de la structure retenue",
        "créneau illisible : jour « Funday », de « 25:99 » à « x »",
        "coût non renseigné : coût à demander",
    ]


@pytest.mark.django_db
def test_exclusive_audiences_diploma_objective_and_permanence(tmp_path):
    run(tmp_path, SAMPLE)

    paris = course(f"2004-{ROQUETTE}")
    assert (paris.course_type, paris.parcours) == (enums.CourseType.CERTIFICATION_PREP, enums.Parcours.INTEGRATION)
    assert (paris.cecrl_level_target, paris.entry_level_oral, paris.entry_level_written) == (50, 30, None)
    assert audiences(paris) == [("bpi", "exclusif"), ("signataires-cir", "exclusif")]
    assert (paris.is_free, paris.cost_amount, paris.childcare, paris.places_available) == (True, None, None, True)
    assert paris.hours_per_week == Decimal("3.0")
    assert slots(paris) == [(5, T(9, 30), T(12, 30))]
    assert sessions(paris) == [(f"2004-{ROQUETTE}", D(2026, 9, 5), D(2027, 6, 26))]
    assert (paris.place.commune.code_insee, paris.place.post_code) == ("75056", "75011")
    assert paris.description == (
        "Objectifs visés :\n- Préparer un diplôme ou une certification de langue française : DELF B1\n\n"
        "Publics :\n- Réfugiés / Bénéficiaires de la protection internationale (exclusif) : Orientés par la Cimade"
    )
    assert (paris.structure.source_id, paris.structure.name, paris.structure.kind) == (
        "202",
        "Centre social Les Touleuses",
        enums.StructureKind.SOCIAL_CENTRE,
    )

    sarcelles = course(f"5001-{NAVARRE}")
    assert (sarcelles.course_type, sarcelles.cecrl_level_target) == (enums.CourseType.FLE, 20)
    assert audiences(sarcelles) == [("femmes", "prioritaire")]
    assert (sarcelles.place.commune.code_insee, sarcelles.place.address) == ("95585", "Place de Navarre")
    assert (sarcelles.structure.source_id, sarcelles.structure.name) == (
        "permanence-501",
        "Permanence linguistique de Sarcelles",
    )
    assert sarcelles.place.source_id == f"permanence-501-{NAVARRE}"


@pytest.mark.django_db
def test_structures_and_places(tmp_path):
    run(tmp_path, SAMPLE)

    assert sorted(Structure.objects.values_list("source", "source_id", "name", "kind")) == [
        ("reseau-alpha", "101", "Association Alpha Cergy", "association"),
        ("reseau-alpha", "202", "Centre social Les Touleuses", "centre-social"),
        ("reseau-alpha", "permanence-501", "Permanence linguistique de Sarcelles", "association"),
    ]
    alpha = Structure.objects.get(source_id="101")
    assert (alpha.acronym, alpha.networks, alpha.email, alpha.phone, alpha.website) == (
        "AAC",
        ["reseau-alpha"],
        "contact@alpha-cergy.example",
        "01 30 00 00 00",
        "",
    )
    assert alpha.description == "Association de quartier.\nCours de français & ateliers."
    assert alpha.source_url == "https://www.reseau-alpha.org/structure/apprentissage-du-francais/alpha-cergy"
    assert sorted(Place.objects.values_list("source_id", "commune__code_insee")) == sorted(
        [
            (f"101-{LINANDES}", "95127"),
            (f"101-{COUTELLERIE}", "95500"),
            (f"101-{GARE}", "95127"),
            (f"202-{ROQUETTE}", "75056"),
            (f"permanence-501-{NAVARRE}", "95585"),
        ]
    )
    assert StructureSource.objects.filter(source="reseau-alpha").count() == 3


# --- re-import, dry run, bad records, bad files --------------------------------------------------------------


@pytest.mark.django_db
def test_second_import_changes_nothing(tmp_path):
    run(tmp_path, SAMPLE)
    before = list(Course.objects.order_by("pk").values_list("pk", "updated_at", "search_text", "place_id"))
    children = (TimeSlot.objects.count(), Session.objects.count(), Place.objects.count(), Structure.objects.count())

    report = run(tmp_path, SAMPLE)

    assert account(report) == {"created": 0, "updated": 0, "unchanged": 6, "rejected": 3, "filtered": 0, "outside": 1}
    assert list(Course.objects.order_by("pk").values_list("pk", "updated_at", "search_text", "place_id")) == before
    assert (
        (
            TimeSlot.objects.count(),
            Session.objects.count(),
            Place.objects.count(),
            Structure.objects.count(),
        )
        == children
        == (8, 4, 5, 3)
    )


@pytest.mark.django_db
def test_changed_formation_is_updated(tmp_path):
    run(tmp_path, SAMPLE)
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["structures"][0]["formations"][0]["placeDisponible"] = False
    data["structures"][0]["formations"][0]["dateFin"] = "2026-07-03"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")

    report = run(tmp_path, changed)

    assert account(report) == {"created": 0, "updated": 2, "unchanged": 4, "rejected": 3, "filtered": 0, "outside": 1}
    assert course(f"1001-{COUTELLERIE}").places_available is False
    assert sessions(course(f"1001-{LINANDES}")) == [(f"1001-{LINANDES}", D(2026, 1, 5), D(2026, 7, 3))]


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path):
    report = run(tmp_path, SAMPLE, "--dry-run")

    assert report["dry_run"] is True
    assert account(report) == {"created": 6, "updated": 0, "unchanged": 0, "rejected": 3, "filtered": 0, "outside": 1}
    assert (Course.objects.count(), Structure.objects.count(), Place.objects.count(), Session.objects.count()) == (
        0,
        0,
        0,
        0,
    )


@pytest.mark.django_db
def test_bad_record_rejected_the_rest_imported(tmp_path):
    data = {
        "structures": [
            {
                "id": 9,
                "nom": "Asso",
                "formations": [
                    {
                        "id": 1,
                        "nom": "Cours A",
                        "adresses": [{"voie": "rue A", "codePostal": "95000", "ville": "Cergy"}],
                    },
                    "pas une formation",
                    {"id": 2, "nom": "Cours B", "adresses": []},
                    {
                        "id": 3,
                        "nom": "Cours C",
                        "dateDebut": "2026-06-01",
                        "dateFin": "2026-01-01",
                        "adresses": [{"voie": "rue C", "codePostal": "95000", "ville": "Cergy"}],
                    },
                    {
                        "id": 4,
                        "nom": "Cours D",
                        "adresses": [
                            {
                                "voie": "rue D",
                                "codePostal": "95200",
                                "ville": "Sarcelles",
                                "latitude": "NaN",
                                "longitude": 2.38,
                            }
                        ],
                    },
                ],
            }
        ]
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    report = run(tmp_path, path)

    assert account(report) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 3, "filtered": 0, "outside": 0}
    assert [(r["location"], r["reason"]) for r in report["rejections"]] == [
        ("structures[0].formations[1]", "pas un objet JSON"),
        ("structures[0].formations[2]", "aucune adresse pour cette formation"),
        ("structures[0].formations[3]", f"session 3-{place_key('rue C', '95000', 'Cergy')} : fin avant le début"),
    ]
    assert sorted(Course.objects.values_list("name", "place__commune__code_insee")) == [
        ("Cours A", "95127"),
        ("Cours D", "95585"),
    ]
    assert Course.objects.get(name="Cours A").course_type == enums.CourseType.OTHER
    assert warnings_of(report, f"1-{place_key('rue A', '95000', 'Cergy')}") == [
        "coût non renseigné : coût à demander",
        "type de cours introuvable (activité, objectifs, intitulé) : « autre » retenu",
        "lieu sans coordonnées : placé au centre de Cergy",
    ]
    assert warnings_of(report, f"4-{place_key('rue D', '95200', 'Sarcelles')}")[-3:] == [
        "latitude illisible : « NaN »",
        "une seule coordonnée sur deux : coordonnées non reprises",
        "lieu sans coordonnées : placé au centre de Sarcelles",
    ]


@pytest.mark.django_db
def test_structure_of_a_rejected_record_does_not_leak_into_the_next_one(tmp_path):
    """A record rejected after its structure was first seen must not leave that structure half-made."""
    data = {
        "structures": [
            {
                "id": 7,
                "nom": "Asso à deux lieux",
                "formations": [
                    {
                        "id": 71,
                        "nom": "Cours à Lyon",
                        "adresses": [{"voie": "rue L", "codePostal": "69002", "ville": "Lyon"}],
                    },
                    {
                        "id": 72,
                        "nom": "Cours à Cergy",
                        "adresses": [{"voie": "rue K", "codePostal": "95000", "ville": "Cergy"}],
                    },
                ],
            },
            {
                "id": 8,
                "nom": "Autre asso",
                "formations": [
                    {
                        "id": 81,
                        "nom": "Cours à Sarcelles",
                        "adresses": [{"voie": "rue S", "codePostal": "95200", "ville": "Sarcelles"}],
                    }
                ],
            },
        ]
    }
    path = tmp_path / "leak.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    run(tmp_path, path)

    cergy = Course.objects.get(name="Cours à Cergy")
    assert Structure.objects.get(pk=cergy.structure_id).name == "Asso à deux lieux"


@pytest.mark.django_db
def test_malformed_json_is_one_located_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"structures": [\n  {"id": 1,,}\n]}', encoding="utf-8")

    with pytest.raises(CommandError) as exc:
        call_command("import_reseau_alpha", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    assert (
        str(exc.value)
        == f"{path} : JSON invalide, ligne 2, colonne 12 : Expecting property name enclosed in double quotes"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("content", ["[]", '{"formations": []}', '{"structures": {}}'])
def test_wrong_shape_is_refused(tmp_path, content):
    path = tmp_path / "shape.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError) as exc:
        call_command("import_reseau_alpha", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    assert str(exc.value) == (
        f"{path} : pas un export cartographie.json de Réseau Alpha (objet avec une liste « structures »)"
    )


@pytest.mark.django_db
def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"structures": [{"nom": "Fran\u00e7ais"}]}'.encode("latin-1"))

    with pytest.raises(CommandError, match=r"latin1\.json : le fichier n'est pas en UTF-8 \(octet 29\)"):
        call_command("import_reseau_alpha", str(path), stdout=io.StringIO(), stderr=io.StringIO())
