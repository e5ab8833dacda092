import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from openpyxl.utils import get_column_letter

from cartolangue.interop.spreadsheet.cells import referential_lookups
from cartolangue.interop.spreadsheet.columns import REFERENTIALS, SHEETS, flat_columns, normalise
from cartolangue.interop.spreadsheet.template import template_columns
from cartolangue.offers import enums
from cartolangue.offers.models import Certification

pytestmark = pytest.mark.django_db

ENTITY_SHEETS = ["Structures", "Lieux", "Cours", "Créneaux", "Sessions", "Sessions d'examen"]


def _range_values(wb, formula):
    """The values of a range like 'Listes'!$C$2:$C$8."""
    sheet, cells = formula.split("!")
    ws = wb[sheet.strip("'")]
    return [row[0].value for row in ws[cells.replace("$", "")]]


def _validations(ws):
    """{column letter: DataValidation} of a sheet (each validation covers one column from row 2)."""
    found = {}
    for validation in ws.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            assert cell_range.min_row == 2 and cell_range.max_row == 5001
            assert cell_range.min_col == cell_range.max_col
            found[get_column_letter(cell_range.min_col)] = validation
    return found


def test_sheets_and_headers(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["Mode d'emploi", *ENTITY_SHEETS, "Acteurs", "Listes"]
    headers = {title: [c.value for c in wb[title][1]] for title in ENTITY_SHEETS}
    assert headers["Structures"][:5] == [
        "Identifiant structure",
        "Nom de la structure",
        "Sigle",
        "SIRET",
        "Type de structure",
    ]
    assert headers["Cours"][:6] == [
        "Identifiant cours",
        "Identifiant structure",
        "Identifiant lieu",
        "Intitulé du cours",
        "Type de cours",
        "Parcours",
    ]
    assert headers["Créneaux"] == ["Identifiant cours", "Jour", "Heure de début", "Heure de fin"]
    assert headers["Sessions d'examen"] == [
        "Identifiant session d'examen",
        "Identifiant structure",
        "Identifiant lieu",
        "Certification",
        "Date de l'épreuve",
        "Date limite d'inscription",
        "Tarif (€)",
        "Places restantes",
        "Lien d'inscription",
    ]
    assert "Public 5" in headers["Cours"] and "Accès du public 5" in headers["Cours"]
    assert "Créneaux" not in headers["Cours"]  # the flat CSV's column only
    for sheet in SHEETS.values():
        ws = wb[str(sheet.title)]
        assert headers[ws.title] == [str(c.title) for c in template_columns(sheet)]
        assert ws.freeze_panes == "A2"
        assert all(
            ws.column_dimensions[get_column_letter(i)].width >= 10 for i in range(1, len(headers[ws.title]) + 1)
        )
        required = [c.value for c in ws[1] if c.fill.fgColor.rgb.endswith("F8CBAD")]
        assert required == [str(c.title) for c in template_columns(sheet) if c.required]


def test_headers_are_unique_across_a_flat_csv():
    for main in (SHEETS["courses"], SHEETS["exam_sessions"]):
        names = [normalise(c.title) for c in flat_columns(main)]
        assert len(names) == len(set(names))


def test_every_referential_column_has_its_drop_down_list(template):
    wb = openpyxl.load_workbook(template)
    checked = 0
    for sheet in SHEETS.values():
        ws = wb[str(sheet.title)]
        validations = _validations(ws)
        for position, column in enumerate(template_columns(sheet), start=1):
            letter = get_column_letter(position)
            if column.kind not in ("enum", "bool"):
                continue
            validation = validations[letter]
            assert validation.type == "list" and validation.errorStyle == "stop"
            labels = [str(label) for _value, label in REFERENTIALS[column.referential].choices()]
            assert _range_values(wb, validation.formula1) == labels, (sheet.key, column.key)
            checked += 1
    # Structures: kind, 2 networks. Lieux: step-free access. Cours: type, parcours, 3 levels, 3 schooling,
    # 5 audiences and 5 modes, 3 yes/no, modality, registration, 3 funders, 3 certifications. Créneaux: day.
    # Sessions: recruitment. Sessions d'examen: certification.
    assert checked == 3 + 1 + 29 + 1 + 1 + 1


def test_listes_sheet_holds_every_label_of_each_referential(template):
    ws = openpyxl.load_workbook(template)["Listes"]
    columns = {col[0].value: [c.value for c in col[1:] if c.value is not None] for col in ws.iter_cols()}
    assert columns["Type de cours"] == [str(label) for label in enums.CourseType.labels]
    assert columns["Niveau CECRL"] == ["A1.1", "A1", "A2", "B1", "B2", "C1", "C2"]
    assert columns["Public"] == [str(label) for label in enums.Audience.labels]
    assert len(columns["Public"]) == 21  # one value per meaning (offers 0009)
    assert columns["Accès du public"] == ["Prioritaire", "Exclusif"]
    assert columns["Financeur"] == [str(label) for label in enums.Funder.labels]
    assert columns["Jour"] == ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    assert columns["Scolarisation"] == [str(label) for label in enums.Schooling.labels]
    assert columns["Certification"] == list(
        Certification.objects.order_by("family", "level", "name").values_list("name", flat=True)
    )
    assert len(columns["Certification"]) == 14
    assert columns["Oui / non"] == ["oui", "non"]
    for key, enum in [
        ("Parcours", enums.Parcours),
        ("Modalité", enums.Modality),
        ("Modalité d'inscription", enums.RegistrationMode),
        ("État du recrutement", enums.RecruitmentStatus),
        ("Type de structure", enums.StructureKind),
        ("Réseau", enums.Network),
    ]:
        assert columns[key] == [str(label) for label in enum.labels]
    assert list(columns) == [str(r.title) for r in REFERENTIALS.values()]
    assert ws.protection.sheet is True


def test_key_and_reference_columns_have_input_help(template):
    wb = openpyxl.load_workbook(template)
    cours = _validations(wb["Cours"])
    assert cours["A"].type == "custom" and cours["A"].formula1 == "COUNTIF($A$2:$A$5001,A2)=1"
    assert cours["A"].showInputMessage and "Identifiant court et unique du cours" in cours["A"].prompt
    assert cours["B"].formula1 == "'Structures'!$A$2:$A$5001" and cours["B"].errorStyle == "warning"
    assert cours["C"].formula1 == "'Lieux'!$A$2:$A$5001"
    assert wb["Créneaux"].data_validations.dataValidation[0].formula1 == "'Cours'!$A$2:$A$5001"
    for title in ENTITY_SHEETS:
        validations = _validations(wb[title])
        assert validations["A"].showInputMessage and len(validations["A"].prompt) > 30
        assert all(len(v.prompt or "") <= 255 and len(v.promptTitle or "") <= 32 for v in validations.values())


def test_guide_explains_every_sheet_and_the_csv(template):
    ws = openpyxl.load_workbook(template)["Mode d'emploi"]
    text = "\n".join(str(c.value) for c in ws["A"] if c.value)
    for title in [*ENTITY_SHEETS, "Listes", "Fichier CSV"]:
        assert f"\n{title}\n" in text
    assert "• Intitulé du cours (obligatoire)" in text
    assert "séparez-les par « ; »" in text


def test_referential_labels_and_codes_read_back_to_their_value():
    lookups = referential_lookups()
    for key, referential in REFERENTIALS.items():
        for value, label in referential.choices():
            assert lookups[key][normalise(label)] == value
            if not isinstance(value, bool):
                assert lookups[key][normalise(value)] == value


def test_template_command_refuses_another_extension(tmp_path):
    with pytest.raises(CommandError, match="format .xlsx"):
        call_command("spreadsheet_template", str(tmp_path / "modele.ods"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="dossier introuvable"):
        call_command("spreadsheet_template", str(tmp_path / "absent" / "modele.xlsx"), stdout=io.StringIO())
