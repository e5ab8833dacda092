import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from cartolangue.offers.models import Course, ExamSession, Place, Structure
from tests.interop.spreadsheet.helpers import counts, import_report

pytestmark = pytest.mark.django_db

# A small association's offer as it would keep it: one row per course, its structure and place on the row,
# no identifiers but the course's, semicolons and Windows encoding (Excel's French "CSV" export, which quotes
# a cell holding several values separated by ";").
COURSES_CSV = """\
Identifiant cours;Intitulé du cours;Type de cours;Niveau CECRL visé;Scolarisation;Public 1;Accès du public 1;\
Financeur 1;Gratuit;Coût pour l'apprenant (€);Créneaux;Nom de la structure;SIRET;Type de structure;Nom du lieu;\
Adresse;Code postal;Ville
ASL-1;Atelier sociolinguistique;ASL;A1;"Jamais ou peu scolarisé (moins de 3 ans) ; Scolarisé (3 ans et plus) en \
langue étrangère";Parents d’élèves;Exclusif;Commune;;;"lundi 9h-11h30 ; jeudi de 14h à 16h";Association Femmes \
Relais de Sarcelles;44306184100047;association;Centre social des Rosiers;5 avenue Paul Valéry;95200;Sarcelles
FLE-2;Français débutants (soir);Français langue étrangère (FLE);A2;;;;;non;20;mardi 18:30-20:30;Association \
Femmes Relais de Sarcelles;44306184100047;association;Centre social des Rosiers;5 avenue Paul Valéry;95200;Sarcelles
"""

EXAMS_CSV = """\
Identifiant session d'examen,Certification,Date de l'épreuve,Date limite d'inscription,Tarif (€),\
Identifiant structure,Nom de la structure,Type de structure,Identifiant lieu,Adresse,Code commune (INSEE)
TCF-1,tcf-irn,15/01/2027,15/12/2026,"120,00",CE-ARG,Centre d'examen d'Argenteuil,Centre d’examen,SALLE-1,\
"12 boulevard Léon Feix",95018
TCF-2,"TCF IRN (intégration, résidence et nationalité)",12/02/2027,,,CE-ARG,Centre d'examen d'Argenteuil,\
Centre d’examen,SALLE-1,"12 boulevard Léon Feix",95018
"""


def test_flat_course_csv(tmp_path):
    path = tmp_path / "cours.csv"
    path.write_bytes(COURSES_CSV.encode("cp1252"))
    report = import_report(path, tmp_path)
    assert counts(report) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}, report["rejections"]
    structure = Structure.objects.get()
    # No structure identifier: the SIRET stands for it; no place identifier: the structure and the address.
    assert (structure.source_id, structure.name, structure.kind) == (
        "44306184100047",
        "Association Femmes Relais de Sarcelles",
        "association",
    )
    place = Place.objects.get()
    assert place.source_id == "44306184100047-5-avenue-paul-valery-95200"
    assert (place.name, place.address, place.post_code, place.commune.code_insee) == (
        "Centre social des Rosiers",
        "5 avenue Paul Valéry",
        "95200",
        "95585",
    )
    asl = Course.objects.get(source_id="ASL-1")
    assert (asl.name, asl.course_type, asl.cecrl_level_target, asl.is_free, asl.cost_amount) == (
        "Atelier sociolinguistique",
        "asl",
        20,
        None,  # "Gratuit" left empty and no amount: the cost is to ask, not guessed
        None,
    )
    assert sorted(asl.schooling.values_list("schooling", flat=True)) == ["jamais-ou-peu", "langue-etrangere"]
    assert list(asl.audiences.values_list("audience", "mode")) == [("parents-eleves", "exclusif")]
    assert list(asl.funders.values_list("funder", flat=True)) == ["commune"]
    assert list(asl.time_slots.values_list("weekday", "starts_at", "ends_at")) == [
        (0, datetime.time(9), datetime.time(11, 30)),
        (3, datetime.time(14), datetime.time(16)),
    ]
    fle = Course.objects.get(source_id="FLE-2")
    assert (fle.course_type, fle.cecrl_level_target, fle.is_free, fle.cost_amount, fle.place) == (
        "fle",
        30,
        False,
        Decimal("20.00"),
        place,
    )
    assert list(fle.time_slots.values_list("weekday", "starts_at", "ends_at")) == [
        (1, datetime.time(18, 30), datetime.time(20, 30))
    ]
    assert (fle.audiences.count(), fle.schooling.count(), fle.funders.count()) == (0, 0, 0)
    assert counts(import_report(path, tmp_path)) == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}


def test_exam_session_csv(tmp_path):
    path = tmp_path / "examens.csv"
    path.write_text(EXAMS_CSV, encoding="utf-8")
    assert counts(import_report(path, tmp_path)) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    first, second = ExamSession.objects.order_by("source_id")
    assert (first.source_id, first.certification.code, first.exam_date, first.registration_deadline, first.price) == (
        "TCF-1",
        "tcf-irn",
        datetime.date(2027, 1, 15),
        datetime.date(2026, 12, 15),
        Decimal("120.00"),
    )
    assert (second.certification.code, second.exam_date, second.registration_deadline, second.price) == (
        "tcf-irn",
        datetime.date(2027, 2, 12),
        None,
        None,
    )
    assert first.structure == second.structure and first.structure.kind == "centre-examen"
    assert (first.place.source_id, first.place.commune.code_insee, first.place.post_code) == (
        "SALLE-1",
        "95018",
        "95100",
    )


def test_csv_rejections_are_located_by_column_letter(tmp_path):
    path = tmp_path / "cours.csv"
    path.write_text(
        "Identifiant cours,Intitulé du cours,Type de cours,Créneaux,Nom de la structure,Adresse,Code postal,Ville\n"
        "A,Cours A,FLE,lundi 9h-11h,Asso,1 rue A,95000,Cergy\n"
        "B,Cours B,Cuisine,lundi 9h-11h,Asso,1 rue A,95000,Cergy\n"
        "C,Cours C,FLE,lundi 11h-9h,Asso,1 rue A,95000,Cergy\n"
        "D,Cours D,FLE,,,1 rue A,95000,Cergy\n"
        "A,Cours A bis,FLE,,Asso,1 rue A,95000,Cergy\n",
        encoding="utf-8",
    )
    report = import_report(path, tmp_path)
    assert counts(report) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 4}
    assert [(r["record_id"], r["location"], r["reason"]) for r in report["rejections"]] == [
        ("B", "cours.csv!C3", "Type de cours : valeur inconnue « Cuisine » (voir la feuille Listes)"),
        ("C", "cours.csv!D4", "Créneaux : l'heure de fin n'est pas après l'heure de début"),
        ("D", "cours.csv!E5", "Nom de la structure : valeur obligatoire manquante"),
        ("A", "cours.csv!A6", "Identifiant cours : identifiant « A » déjà utilisé ligne 2"),
    ]
    assert Structure.objects.get().source_id == "structure-asso"


def _error(path, *args):
    with pytest.raises(CommandError) as caught:
        call_command("import_spreadsheet", str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())
    return str(caught.value)


def test_csv_of_another_kind_or_binary_is_refused(tmp_path):
    places = tmp_path / "lieux.csv"
    places.write_text("Identifiant lieu;Adresse;Code postal\nL1;1 rue A;95000\n", encoding="utf-8")
    assert _error(places).startswith("lieux.csv : en-têtes non reconnus ; la ligne 1 d'un CSV reprend")
    assert _error(places, "--sheet", "cours") == (
        "lieux.csv : colonne(s) obligatoire(s) absente(s) de la ligne 1 : « Identifiant cours », "
        "« Intitulé du cours », « Type de cours », « Nom de la structure »"
    )
    binary = tmp_path / "cours.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert _error(binary) == "cours.csv : ce n'est pas un fichier CSV (contenu binaire)"
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_spreadsheet", str(places), "--sheet", "lieux", stdout=io.StringIO())


def test_utf16_csv_from_excel_unicode_text(tmp_path):
    path = tmp_path / "cours.csv"
    path.write_bytes(COURSES_CSV.encode("utf-16"))
    assert counts(import_report(path, tmp_path))["created"] == 2
