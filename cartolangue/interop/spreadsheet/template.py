"""The empty Carto-Langue workbook (openpyxl): a "Mode d'emploi" sheet in plain French, one sheet per entity
with French headers, a frozen header row and input help, and a "Listes" sheet that every drop-down list
(Excel data validation) points at. Generated from columns.py."""

from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from cartolangue.interop.spreadsheet.actor_sheet import ACTORS
from cartolangue.interop.spreadsheet.columns import REFERENTIALS, SEPARATOR, SHEETS, TEMPLATE_ROWS, Column, Sheet

REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
NUMBER_FORMATS = {
    "date": "DD/MM/YYYY",
    "time": "HH:MM",
    # Identifiers and codes stay text: "01" must not become 1, a SIRET must not become 1.2E+13.
    "id": "@",
    "ref": "@",
    "siret": "@",
    "post_code": "@",
    "code_insee": "@",
    "code": "@",
}
# Excel's limits on the texts of a data validation.
MAX_TITLE, MAX_PROMPT, MAX_ERROR = 32, 255, 225


def lists_title() -> str:
    return _("Listes")


def guide_title() -> str:
    return _("Mode d'emploi")


def template_columns(sheet: Sheet) -> list[Column]:
    return [c for c in sheet.columns if c.in_template]


def referential_range(key: str, count: int) -> str:
    """The Listes range of a referential's `count` labels, absolute, e.g. Listes!$A$2:$A$10."""
    position = list(REFERENTIALS).index(key) + 1
    letter = get_column_letter(position)
    return f"{quote_sheetname(lists_title())}!${letter}$2:${letter}${count + 1}"


def _short(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validation(column, **kwargs):
    title, help_text = str(column.title), str(column.help)
    return DataValidation(
        allow_blank=True,
        showInputMessage=bool(help_text),
        promptTitle=_short(title, MAX_TITLE) if help_text else None,
        prompt=_short(help_text, MAX_PROMPT) if help_text else None,
        **kwargs,
    )


def _column_validation(column, letter, lists):
    """The data validation of a column, or None."""
    last = TEMPLATE_ROWS + 1
    if column.kind in ("enum", "bool"):
        return _validation(
            column,
            type="list",
            formula1=referential_range(column.referential, len(lists[column.referential])),
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=_short(_("Valeur hors liste"), MAX_TITLE),
            error=_short(_("Choisissez une valeur dans la liste (feuille Listes)."), MAX_ERROR),
        )
    if column.kind == "id":
        return _validation(
            column,
            type="custom",
            formula1=f"COUNTIF(${letter}$2:${letter}${last},{letter}2)=1",
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=_short(_("Identifiant en double"), MAX_TITLE),
            error=_short(_("Cet identifiant est déjà utilisé sur une autre ligne."), MAX_ERROR),
        )
    if column.kind == "ref":
        target = SHEETS[column.ref]
        target_letter = get_column_letter(template_columns(target).index(target.key_column) + 1)
        # A warning, not a stop: one may fill the Cours sheet before the Structures sheet.
        return _validation(
            column,
            type="list",
            formula1=f"{quote_sheetname(str(target.title))}!${target_letter}$2:${target_letter}${last}",
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=_short(_("Identifiant inconnu"), MAX_TITLE),
            error=_short(
                _("Cet identifiant n'est pas (encore) dans la feuille %(sheet)s.") % {"sheet": target.title},
                MAX_ERROR,
            ),
        )
    if column.help:
        return _validation(column)
    return None


def _entity_sheet(wb, sheet, lists):
    ws = wb.create_sheet(str(sheet.title))
    for position, column in enumerate(template_columns(sheet), start=1):
        letter = get_column_letter(position)
        cell = ws.cell(row=1, column=position, value=str(column.title))
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        dimension = ws.column_dimensions[letter]
        dimension.width = column.width
        if column.kind in NUMBER_FORMATS:
            dimension.number_format = NUMBER_FORMATS[column.kind]
        validation = _column_validation(column, letter, lists)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            ws.add_data_validation(validation)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"
    return ws


def _lists_sheet(wb, lists):
    ws = wb.create_sheet(lists_title())
    for position, referential in enumerate(REFERENTIALS.values(), start=1):
        cell = ws.cell(row=1, column=position, value=str(referential.title))
        cell.font = HEADER_FONT
        cell.fill = OPTIONAL_FILL
        labels = [str(label) for _value, label in lists[referential.key]]
        for row, label in enumerate(labels, start=2):
            ws.cell(row=row, column=position, value=label)
        ws.column_dimensions[get_column_letter(position)].width = min(max(len(label) for label in labels) + 2, 60)
    ws.freeze_panes = "A2"
    # Protected without a password: it stops an accidental edit of the lists, not a determined one.
    ws.protection.sheet = True
    return ws


def guide_paragraphs() -> list[tuple[str, str]]:
    """The "Mode d'emploi" sheet: (text, style) rows, style in "title", "heading", "" (plain)."""
    rows = [
        (_("Carto-Langue : modèle pour déclarer une offre de cours de français ou des sessions d'examen"), "title"),
        (
            _(
                "Ce classeur décrit une offre de cours de français pour adultes (association, organisme de "
                "formation, centre social…) ou des sessions d'examen (centre d'examen), pour l'importer dans "
                "Carto-Langue."
            ),
            "",
        ),
        (
            _(
                "Une association remplit les feuilles Structures, Lieux et Cours, et si elle le souhaite Créneaux "
                "(horaires de la semaine) et Sessions (dates de rentrée). Un centre d'examen remplit Structures, "
                "Lieux et Sessions d'examen."
            ),
            "",
        ),
        (
            _(
                "Une ligne par élément, à partir de la ligne 2. Ne renommez pas les feuilles et ne modifiez pas la "
                "première ligne (les en-têtes). Les en-têtes en orange sont obligatoires, ceux en bleu facultatifs."
            ),
            "",
        ),
        (_("Identifiants"), "heading"),
        (
            _(
                "Chaque structure, lieu, cours et session a un identifiant que vous choisissez (ASSO1, LIEU1, "
                "COURS1…). Les autres feuilles y renvoient : un cours indique l'identifiant de sa structure et celui "
                "de son lieu. Gardez les mêmes identifiants d'un envoi à l'autre : c'est ce qui permet de mettre à "
                "jour un cours au lieu d'en créer un deuxième."
            ),
            "",
        ),
        (_("Listes déroulantes et valeurs"), "heading"),
        (
            _(
                "Les colonnes à liste déroulante prennent les valeurs de la feuille Listes (le code d'une valeur, "
                "p. ex. « fle », est accepté aussi ; majuscules et accents sont sans importance)."
            ),
            "",
        ),
        (
            _(
                "Plusieurs valeurs (scolarisation, publics, financeurs, certifications, réseaux) : une par colonne "
                "(Financeur 1, Financeur 2…) ; s'il en faut davantage, séparez-les par « %(sep)s » dans une même case."
            )
            % {"sep": SEPARATOR},
            "",
        ),
        (
            _(
                "Oui / non : « oui » ou « non » ; une case vide veut dire « on ne sait pas ». Dates au format "
                "jj/mm/aaaa, heures au format hh:mm (9:30, 14:00), montants en euros (350,50)."
            ),
            "",
        ),
        (_("Import"), "heading"),
        (
            _(
                "Une ligne refusée (valeur inconnue, date illisible, identifiant introuvable…) est signalée avec sa "
                "place dans le classeur, p. ex. « Cours!E12 » (feuille Cours, colonne E, ligne 12) ; les autres "
                "lignes sont importées."
            ),
            "",
        ),
        (_("Fichier CSV"), "heading"),
        (
            _(
                "Au lieu de ce classeur, on peut envoyer un fichier CSV (séparateur « ; » ou « , », encodage UTF-8 "
                "ou Windows) qui ne contient qu'une sorte de lignes, reconnue à ses en-têtes :"
            ),
            "",
        ),
        (
            _(
                "– des cours : une ligne par cours, avec les colonnes de la feuille Cours suivies, sur la même "
                "ligne, de celles de la structure (feuille Structures) et du lieu (feuille Lieux) ; les horaires "
                "dans une colonne « Créneaux » (« lundi 9h30-12h ; jeudi 14h-16h30 ») ;"
            ),
            "",
        ),
        (
            _(
                "– des sessions d'examen : les colonnes de la feuille Sessions d'examen suivies de celles de la "
                "structure et du lieu."
            ),
            "",
        ),
        (
            _(
                "Dans un CSV, l'identifiant de la structure et celui du lieu sont facultatifs : à défaut, ils sont "
                "tirés du SIRET ou du nom de la structure, et de l'adresse du lieu. Les sessions de cours ne "
                "passent que par le classeur."
            ),
            "",
        ),
    ]
    for sheet in (*SHEETS.values(), ACTORS):
        rows.append((str(sheet.title), "heading"))
        rows.append((str(sheet.help), ""))
        for column in sheet.columns:
            if not column.in_template:
                continue
            text = str(column.title)
            if column.required:
                text += " " + _("(obligatoire)")
            if column.kind in ("enum", "bool"):
                text += " – " + _("liste %(list)s") % {"list": REFERENTIALS[column.referential].title}
            if column.help:
                text += " : " + str(column.help)
            rows.append(("• " + text, ""))
    rows.append((lists_title(), "heading"))
    rows.append((_("Les valeurs permises de chaque liste déroulante. Ne modifiez pas cette feuille."), ""))
    return rows


def _guide_sheet(ws):
    ws.title = guide_title()
    ws.column_dimensions["A"].width = 120
    for row, (text, style) in enumerate(guide_paragraphs(), start=1):
        cell = ws.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "title":
            cell.font = Font(bold=True, size=14)
        elif style == "heading":
            cell.font = Font(bold=True, size=12)


def template_workbook() -> Workbook:
    """The empty template as an openpyxl Workbook, to save or to fill (writer.py)."""
    lists = {key: referential.choices() for key, referential in REFERENTIALS.items()}
    wb = Workbook()
    _guide_sheet(wb.active)
    for sheet in (*SHEETS.values(), ACTORS):  # the offer's sheets, then the support actors' (actor_sheet.py)
        _entity_sheet(wb, sheet, lists)
    _lists_sheet(wb, lists)
    return wb


def template_write(path: str | Path) -> None:
    template_workbook().save(path)
