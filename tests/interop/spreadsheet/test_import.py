import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from cartolangue.interop.spreadsheet import workbook
from cartolangue.offers.models import Course, ExamSession, Place, Session, Structure, StructureSource
from tests.interop.spreadsheet.helpers import counts, fill, import_report

pytestmark = pytest.mark.django_db

STRUCTURE = {
    "Identifiant structure": "ASSO1",
    "Nom de la structure": "Association Lire et Écrire à Cergy",
    "Sigle": "ALEC",
    "SIRET": "73282932000074",
    "Type de structure": "Association",
    "Réseau 1": "Membre du Réseau Alpha",
    "Présentation de la structure": "Cours de français pour adultes depuis 1998.",
    "Site internet": "www.alec-cergy.example.org",
    "Courriel de la structure": "contact@alec-cergy.example.org",
    "Téléphone de la structure": "01 34 25 00 00",
}
PLACES = [
    {
        "Identifiant lieu": "LIEU1",
        "Nom du lieu": "Maison de quartier des Touleuses",
        "Adresse": "2 rue des Touleuses",
        "Code postal": "95000",
        "Ville": "Cergy",
        "Latitude": 49.0364,
        "Longitude": 2.0761,
        "Accessible en fauteuil roulant": "oui",
    },
    # No coordinates, and a post code shared by four communes: the town tells which.
    {"Identifiant lieu": "LIEU2", "Adresse": "12 place du Grand Martroy", "Code postal": "95300", "Ville": "PONTOISE"},
]
COURSES = [
    {
        "Identifiant cours": "COURS1",
        "Identifiant structure": "ASSO1",
        "Identifiant lieu": "LIEU1",
        "Intitulé du cours": "Alphabétisation du lundi",
        "Type de cours": "Alphabétisation",
        "Parcours": "Intégration",
        "Niveau CECRL visé": "A1.1",
        "Scolarisation 1": "Jamais ou peu scolarisé (moins de 3 ans)",
        "Public 1": "Femmes",
        "Accès du public 1": "Exclusif",
        "Public 2": "Primo-arrivants signataires du CIR",
        "Heures par semaine": "4,5",
        "Durée totale (heures)": 120,
        "Gratuit": "oui",
        "Garde d'enfants": "oui",
        "Modalité d'inscription": "Après un test de positionnement",
        "Places disponibles": "oui",
        "Financeur 1": "Conseil régional",
        "Financeur 2": "Commune",
        "Contact": "Awa Diallo",
        "Téléphone du contact": "06 12 34 56 78",
        "Courriel du contact": "awa.diallo@alec-cergy.example.org",
        "Vérifié le": datetime.date(2026, 10, 1),
    },
    {
        "Identifiant cours": "COURS2",
        "Identifiant structure": "ASSO1",
        "Identifiant lieu": "LIEU2",
        "Intitulé du cours": "Vers le DELF B1",
        # Codes and unaccented, upper-case labels are read as well as the labels of the lists.
        "Type de cours": "fle",
        "Parcours": "INSERTION SOCIO-PROFESSIONNELLE",
        "Niveau CECRL visé": "B1",
        "Niveau d'entrée à l'oral": "A2",
        "Niveau d'entrée à l'écrit": "a2",
        "Scolarisation 1": "Scolarisé (3 ans et plus) en langue étrangère",
        "Scolarisation 2": "scolarise (3 ans et plus) en langue francaise",
        "Public 1": "Tous publics",
        "Présentation du cours": "Préparation à l'épreuve écrite et orale.",
        "Heures par semaine": 6,
        "Gratuit": "non",
        "Coût pour l'apprenant (€)": 150,
        "Précisions sur le coût": "Adhésion et manuel",
        "Garde d'enfants": "non",
        "Modalité": "Mixte",
        "Modalité d'inscription": "libre",
        "Places disponibles": "non",
        "Financeur 1": "Compte personnel de formation (CPF) ; Bénéficiaire de l’action",
        "Certification préparée 1": "DELF B1",
        "Formacode": 15235,
        "Code RS": "RS5435",
        "Page web du cours": "https://alec-cergy.example.org/delf-b1",
    },
]
TIME_SLOTS = [
    {
        "Identifiant cours": "COURS1",
        "Jour": "lundi",
        "Heure de début": datetime.time(9, 30),
        "Heure de fin": datetime.time(12),
    },
    {"Identifiant cours": "COURS1", "Jour": "jeudi", "Heure de début": "14h", "Heure de fin": "16h30"},
    {"Identifiant cours": "COURS2", "Jour": "Mercredi", "Heure de début": "18:00", "Heure de fin": "20:00"},
]
SESSIONS = [
    {
        "Identifiant session": "COURS1-2026",
        "Identifiant cours": "COURS1",
        "Date de début": datetime.date(2026, 9, 7),
        "Date de fin": datetime.date(2027, 6, 25),
        "État du recrutement": "Inscriptions ouvertes",
        "Places": 12,
        "Places restantes": 3,
    },
    {
        "Identifiant session": "COURS2-2027",
        "Identifiant cours": "COURS2",
        "Date de début": "05/01/2027",
        "Date de fin": "2027-06-30",
        "État du recrutement": "Liste d’attente",
    },
]


def association_workbook(template, tmp_path, **changes):
    sheets = {
        "Structures": [STRUCTURE],
        "Lieux": PLACES,
        "Cours": COURSES,
        "Créneaux": TIME_SLOTS,
        "Sessions": SESSIONS,
    }
    sheets.update(changes)
    return fill(template, tmp_path / "offre.xlsx", sheets)


def test_association_offer_is_stored_field_by_field(template, tmp_path):
    report = import_report(association_workbook(template, tmp_path), tmp_path)
    assert counts(report) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}, report["rejections"]
    assert report["source"] == "tableur" and report["format"] == "XLSX / CSV"
    assert report["warnings"] == [
        {
            "record_id": "COURS2",
            "location": "Cours!A3",
            "reason": "lieu sans coordonnées : placé au centre de Pontoise",
        }
    ]

    structure = Structure.objects.get()
    assert (structure.source, structure.source_id, structure.name, structure.acronym, structure.siret) == (
        "tableur",
        "ASSO1",
        "Association Lire et Écrire à Cergy",
        "ALEC",
        "73282932000074",
    )
    assert structure.kind == "association" and structure.networks == ["reseau-alpha"]
    assert structure.description == "Cours de français pour adultes depuis 1998."
    assert structure.website == "https://www.alec-cergy.example.org"
    assert (structure.email, structure.phone) == ("contact@alec-cergy.example.org", "01 34 25 00 00")
    assert StructureSource.objects.get().source_id == "ASSO1"

    hall = Place.objects.get(source_id="LIEU1")
    assert (hall.name, hall.address, hall.post_code, hall.commune.code_insee) == (
        "Maison de quartier des Touleuses",
        "2 rue des Touleuses",
        "95000",
        "95127",
    )
    assert (hall.latitude, hall.longitude, hall.location_is_approximate, hall.step_free_access) == (
        49.0364,
        2.0761,
        False,
        True,
    )
    square = Place.objects.get(source_id="LIEU2")
    assert (square.commune.code_insee, square.post_code, square.location_is_approximate) == ("95500", "95300", True)
    assert square.step_free_access is None and square.structure == structure

    alpha = Course.objects.get(source_id="COURS1")
    assert (alpha.source, alpha.structure, alpha.place) == ("tableur", structure, hall)
    assert (alpha.name, alpha.course_type, alpha.parcours) == ("Alphabétisation du lundi", "alpha", "integration")
    assert (alpha.cecrl_level_target, alpha.entry_level_oral, alpha.entry_level_written) == (10, None, None)
    assert (alpha.hours_per_week, alpha.total_hours) == (Decimal("4.5"), 120)
    assert (alpha.is_free, alpha.cost_amount, alpha.cost_details) == (True, None, "")
    assert (alpha.childcare, alpha.modality, alpha.registration_mode) == (True, "presentiel", "test-positionnement")
    assert alpha.places_available is True
    assert (alpha.formacode, alpha.rs_code, alpha.rncp_code, alpha.source_url, alpha.description) == ("",) * 5
    assert (alpha.contact_name, alpha.contact_phone, alpha.contact_email) == (
        "Awa Diallo",
        "06 12 34 56 78",
        "awa.diallo@alec-cergy.example.org",
    )
    assert alpha.verified_on == datetime.date(2026, 10, 1)
    assert sorted(alpha.audiences.values_list("audience", "mode")) == [
        ("femmes", "exclusif"),
        ("signataires-cir", "prioritaire"),
    ]
    assert list(alpha.schooling.values_list("schooling", flat=True)) == ["jamais-ou-peu"]
    assert sorted(alpha.funders.values_list("funder", flat=True)) == ["commune", "region"]
    assert list(alpha.certifications.all()) == []
    assert list(alpha.time_slots.values_list("weekday", "starts_at", "ends_at")) == [
        (0, datetime.time(9, 30), datetime.time(12)),
        (3, datetime.time(14), datetime.time(16, 30)),
    ]
    session = alpha.sessions.get()
    assert (session.source, session.source_id, session.starts_on, session.ends_on) == (
        "tableur",
        "COURS1-2026",
        datetime.date(2026, 9, 7),
        datetime.date(2027, 6, 25),
    )
    assert (session.recruitment_status, session.seats, session.seats_left) == ("ouvert", 12, 3)

    delf = Course.objects.get(source_id="COURS2")
    assert (delf.place, delf.course_type, delf.parcours) == (square, "fle", "insertion-socio-professionnelle")
    assert (delf.cecrl_level_target, delf.entry_level_oral, delf.entry_level_written) == (40, 30, 30)
    assert (delf.hours_per_week, delf.total_hours) == (Decimal("6.0"), None)
    assert (delf.is_free, delf.cost_amount, delf.cost_details) == (False, Decimal("150.00"), "Adhésion et manuel")
    assert (delf.childcare, delf.modality, delf.registration_mode, delf.places_available) == (
        False,
        "hybride",
        "libre",
        False,
    )
    assert (delf.formacode, delf.rs_code, delf.source_url) == (
        "15235",
        "RS5435",
        "https://alec-cergy.example.org/delf-b1",
    )
    assert delf.description == "Préparation à l'épreuve écrite et orale."
    assert list(delf.audiences.values_list("audience", "mode")) == [("tous-publics", "prioritaire")]
    assert sorted(delf.schooling.values_list("schooling", flat=True)) == ["langue-etrangere", "langue-francaise"]
    assert sorted(delf.funders.values_list("funder", flat=True)) == ["beneficiaire", "cpf"]
    assert list(delf.certifications.values_list("code", flat=True)) == ["delf-b1"]
    assert list(delf.time_slots.values_list("weekday", "starts_at", "ends_at")) == [
        (2, datetime.time(18), datetime.time(20))
    ]
    assert list(delf.sessions.values_list("source_id", "starts_on", "ends_on", "recruitment_status", "seats")) == [
        ("COURS2-2027", datetime.date(2027, 1, 5), datetime.date(2027, 6, 30), "liste-attente", None)
    ]
    assert "alec" in alpha.search_text and "touleuses" in alpha.search_text


def test_reimport_changes_nothing_and_an_edit_updates_one_course(template, tmp_path):
    path = association_workbook(template, tmp_path)
    import_report(path, tmp_path)
    stamps = dict(Course.objects.values_list("source_id", "updated_at"))
    assert counts(import_report(path, tmp_path)) == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert dict(Course.objects.values_list("source_id", "updated_at")) == stamps

    wb = openpyxl.load_workbook(path)
    wb["Créneaux"]["D3"] = "17:00"  # COURS1's Thursday now ends at 17:00
    wb["Sessions"].delete_rows(3)  # COURS2's session is gone
    wb.save(path)
    assert counts(import_report(path, tmp_path)) == {"created": 0, "updated": 2, "unchanged": 0, "rejected": 0}
    assert Course.objects.get(source_id="COURS1").time_slots.get(weekday=3).ends_at == datetime.time(17)
    assert list(Session.objects.values_list("source_id", flat=True)) == ["COURS1-2026"]


def test_dry_run_stores_nothing(template, tmp_path):
    report = import_report(association_workbook(template, tmp_path), tmp_path, "--dry-run")
    assert report["dry_run"] is True and report["created"] == 2
    assert (Structure.objects.count(), Place.objects.count(), Course.objects.count()) == (0, 0, 0)


def test_source_option(template, tmp_path):
    import_report(association_workbook(template, tmp_path), tmp_path, "--source", "tableur-alec")
    assert set(Course.objects.values_list("source", flat=True)) == {"tableur-alec"}
    assert set(Session.objects.values_list("source", flat=True)) == {"tableur-alec"}


def test_certification_centre_exam_sessions(template, tmp_path):
    path = fill(
        template,
        tmp_path / "examens.xlsx",
        {
            "Structures": [
                {
                    "Identifiant structure": "CE-CERGY",
                    "Nom de la structure": "Centre d'examen de Cergy",
                    "Type de structure": "Centre d'examen",  # the list says "Centre d’examen"
                    "Réseau 1": "Centre agréé France Éducation international",
                }
            ],
            "Lieux": [{"Identifiant lieu": "SALLE-A", "Adresse": "1 rue de la Gare", "Code commune (INSEE)": 95127}],
            "Sessions d'examen": [
                {
                    "Identifiant session d'examen": "TCF-IRN-2027-01",
                    "Identifiant structure": "CE-CERGY",
                    "Identifiant lieu": "SALLE-A",
                    "Certification": "TCF IRN (intégration, résidence et nationalité)",
                    "Date de l'épreuve": datetime.date(2027, 1, 15),
                    "Date limite d'inscription": datetime.date(2026, 12, 15),
                    "Tarif (€)": 120,
                    "Places restantes": 20,
                    "Lien d'inscription": "https://examens-cergy.example.org/tcf",
                },
                {
                    "Identifiant session d'examen": "DELF-B1-2027-02",
                    "Identifiant structure": "CE-CERGY",
                    "Identifiant lieu": "SALLE-A",
                    "Certification": "delf-b1",
                    "Date de l'épreuve": "10/02/2027",
                    "Tarif (€)": "95,50 €",
                },
            ],
        },
    )
    report = import_report(path, tmp_path)
    assert counts(report) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    centre = Structure.objects.get()
    assert (centre.kind, centre.networks) == ("centre-examen", ["france-education-international"])
    tcf = ExamSession.objects.get(source_id="TCF-IRN-2027-01")
    assert (tcf.source, tcf.certification.code, tcf.structure, tcf.place.source_id) == (
        "tableur",
        "tcf-irn",
        centre,
        "SALLE-A",
    )
    assert (tcf.exam_date, tcf.registration_deadline, tcf.price, tcf.seats_left) == (
        datetime.date(2027, 1, 15),
        datetime.date(2026, 12, 15),
        Decimal("120.00"),
        20,
    )
    assert tcf.registration_url == "https://examens-cergy.example.org/tcf"
    assert tcf.place.commune.code_insee == "95127" and tcf.place.post_code == "95000"
    delf = ExamSession.objects.get(source_id="DELF-B1-2027-02")
    assert (delf.certification.code, delf.exam_date, delf.registration_deadline, delf.price, delf.seats_left) == (
        "delf-b1",
        datetime.date(2027, 2, 10),
        None,
        Decimal("95.50"),
        None,
    )
    assert counts(import_report(path, tmp_path)) == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}


def test_bad_rows_are_rejected_with_their_location_and_the_rest_is_imported(template, tmp_path):
    good = {"Identifiant structure": "ASSO1", "Identifiant lieu": "LIEU1", "Type de cours": "FLE"}
    path = association_workbook(
        template,
        tmp_path,
        Structures=[
            STRUCTURE,
            {"Identifiant structure": "ASSO2", "Nom de la structure": "X", "Type de structure": "Fondation"},
        ],
        Cours=[
            {**good, "Identifiant cours": "C1", "Intitulé du cours": "Bon cours"},
            {**good, "Identifiant cours": "C2", "Intitulé du cours": "Cuisine", "Type de cours": "Cours de cuisine"},
            {**good, "Identifiant cours": "C3", "Intitulé du cours": "Ailleurs", "Identifiant structure": "ASSO9"},
            {**good, "Identifiant cours": "C4", "Intitulé du cours": "Par ASSO2", "Identifiant structure": "ASSO2"},
            {**good, "Identifiant cours": "C5", "Intitulé du cours": "Session mal datée"},
            {**good, "Identifiant cours": "C6", "Intitulé du cours": "Jour inconnu"},
            {**good, "Identifiant cours": "C1", "Intitulé du cours": "Doublon"},
            {
                **good,
                "Identifiant cours": "C8",
                "Intitulé du cours": "Niveaux",
                "Niveau CECRL visé": "A1",
                "Niveau d'entrée à l'oral": "B1",
                "Courriel du contact": "pas-un-courriel",
            },
            {**good, "Identifiant cours": "C9", "Intitulé du cours": ""},
        ],
        Créneaux=[
            {"Identifiant cours": "C6", "Jour": "lundo", "Heure de début": "9:00", "Heure de fin": "11:00"},
            {"Identifiant cours": "C99", "Jour": "lundi", "Heure de début": "9:00", "Heure de fin": "11:00"},
            {"Identifiant cours": "C1", "Jour": "mardi", "Heure de début": "9:00", "Heure de fin": "11:00"},
        ],
        Sessions=[{"Identifiant session": "S5", "Identifiant cours": "C5", "Date de début": "32/13/2026"}],
    )
    report = import_report(path, tmp_path)
    assert counts(report) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 9}
    assert list(Course.objects.values_list("source_id", "name")) == [("C1", "Bon cours")]
    assert Course.objects.get().time_slots.count() == 1
    assert [(r["record_id"], r["location"], r["reason"]) for r in report["rejections"]] == [
        ("C2", "Cours!E3", "Type de cours : valeur inconnue « Cours de cuisine » (voir la feuille Listes)"),
        ("C3", "Cours!B4", "Identifiant structure : « ASSO9 » absent de la feuille Structures"),
        (
            "C4",
            "Cours!B5",
            "Identifiant structure : « ASSO2 » refusé : Type de structure : valeur inconnue « Fondation » "
            "(voir la feuille Listes) (Structures!E3)",
        ),
        ("C5", "Sessions!C2", "Date de début : date illisible « 32/13/2026 » (jj/mm/aaaa attendu)"),
        ("C6", "Créneaux!B2", "Jour : valeur inconnue « lundo » (voir la feuille Listes)"),
        ("C1", "Cours!A8", "Identifiant cours : identifiant « C1 » déjà utilisé ligne 2"),
        (
            "C8",
            "Cours!H9",
            "Niveau d'entrée à l'oral : niveau d'entrée au-dessus du niveau visé ; Courriel du contact : adresse de "
            "courriel invalide « pas-un-courriel » (Cours!AR9)",
        ),
        ("C9", "Cours!D10", "Intitulé du cours : valeur obligatoire manquante"),
        ("C99", "Créneaux!A3", "Identifiant cours : cours « C99 » absent de la feuille Cours"),
    ]


def _error(path, *args):
    with pytest.raises(CommandError) as caught:
        call_command("import_spreadsheet", str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_corrupt_and_foreign_files_are_one_line_errors(template, tmp_path):
    garbage = tmp_path / "offre.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip" + bytes(range(256)) * 4)
    assert _error(garbage) == (
        "offre.xlsx : ce n'est pas un classeur .xlsx lisible (fichier endommagé ou d'un autre format)"
    )

    truncated = tmp_path / "coupe.xlsx"
    truncated.write_bytes(template.read_bytes()[:4000])
    assert _error(truncated).startswith("coupe.xlsx : ")

    not_a_workbook = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("lisez-moi.txt", "bonjour")
    assert _error(not_a_workbook).startswith("archive.xlsx : classeur illisible (")

    other = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Budget 2026"
    wb.save(other)
    assert "ce classeur n'est pas le modèle Carto-Langue" in _error(other)

    ods = tmp_path / "offre.ods"
    ods.write_bytes(b"PK\x03\x04")
    assert (
        _error(ods) == "offre.ods : format non pris en charge ; enregistrez le tableur au format .xlsx (Excel) ou .csv"
    )


def test_missing_sheet_or_required_header(template, tmp_path):
    wb = openpyxl.load_workbook(template)
    wb["Cours"]["D1"] = "Nom"  # "Intitulé du cours" renamed
    wb.save(tmp_path / "entetes.xlsx")
    assert _error(tmp_path / "entetes.xlsx") == (
        "entetes.xlsx, feuille « Cours » : colonne(s) obligatoire(s) absente(s) de la ligne 1 : « Intitulé du cours »"
    )
    wb = openpyxl.load_workbook(template)
    del wb["Lieux"]
    wb.save(tmp_path / "sans-lieux.xlsx")
    assert _error(tmp_path / "sans-lieux.xlsx") == "sans-lieux.xlsx : feuille(s) absente(s) du classeur : « Lieux »"


def test_size_limits(template, tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_UNZIPPED_BYTES", 10_000)
    assert "trop volumineux une fois décompressé" in _error(template)
    monkeypatch.setattr(workbook, "MAX_UNZIPPED_BYTES", 200 * 2**20)
    monkeypatch.setattr(workbook, "MAX_ROWS", 3)
    path = association_workbook(template, tmp_path)
    assert _error(path) == "offre.xlsx, feuille « Créneaux » : plus de 3 lignes, fichier refusé"
    monkeypatch.setattr(workbook, "MAX_FILE_BYTES", 100)
    assert "fichier trop volumineux" in _error(path)


# "Billion laughs": nine levels of entities, each ten times the one below, in the Structures sheet.
ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lololololololololol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def test_entity_expansion_bomb_is_refused(template, tmp_path):
    bomb = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(bomb, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, ENTITY_BOMB.encode() if info.filename == "xl/worksheets/sheet2.xml" else data)
    message = _error(bomb)
    assert message.startswith("bombe.xlsx : classeur illisible (") and "amplification" in message
