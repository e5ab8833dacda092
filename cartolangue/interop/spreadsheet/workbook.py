"""The walk of a Carto-Langue spreadsheet file: a workbook (.xlsx, openpyxl read-only) or a one-entity CSV →
one `Table` per sheet, its header row mapped onto the declared columns (columns.py).

A file that is not a readable template (not .xlsx or .csv, damaged, sheets or required headers missing) raises
ImportFileError with one line. Uploads are untrusted: the file size, the declared unzipped size (zip bombs) and the
number of rows are capped before or while reading, and the workbook is read in openpyxl's read-only, values-only
mode (formulas are not evaluated, only their cached values read). The cells are parsed by cells.py, the rows
turned into records by reader.py.
"""

import codecs
import contextlib
import csv
import io
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from cartolangue.interop.errors import ImportFileError
from cartolangue.interop.spreadsheet.columns import COURSES, EXAM_SESSIONS, SHEETS, Column, flat_columns, normalise

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
MAX_FILE_BYTES = 20 * 1024 * 1024
# A workbook is a zip: its declared unzipped size is checked before openpyxl inflates anything.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 100_000  # rows read per sheet, empty ones included
CSV_SHEETS = {"cours": COURSES, "sessions-examen": EXAM_SESSIONS}


def label_languages() -> list[AbstractContextManager]:
    """The labels and headers are matched in French and in the active language."""
    return [translation.override("fr"), nullcontext()]


def header_names(column: Column) -> set[str]:
    names = set()
    for language in label_languages():
        with language:
            names.add(normalise(column.title))
            if column.index == 1:  # "Financeur" stands for "Financeur 1"
                names.add(normalise(column.base_header))
    return names


@dataclass
class Table:
    sheet: object  # the Sheet it holds (for a flat CSV: the main entity)
    title: str  # as in the file, for locations: "Cours", or the CSV's file name
    positions: dict  # Column → 0-based position
    rows: list  # (row number, values)
    flat: bool = False

    def ref(self, column: Column, number: int) -> str:
        position = self.positions.get(column)
        return f"{self.title}!{get_column_letter(position + 1) if position is not None else ''}{number}"


def _positions(header, columns, where):
    """Map the header row onto the columns; ImportFileError for a duplicated or a missing required column."""
    names: dict[str, Column] = {}
    for column in columns:
        for name in header_names(column):
            names.setdefault(name, column)
    positions = {}
    for position, value in enumerate(header):
        if value is None or not str(value).strip():
            continue
        column = names.get(normalise(value))
        if column is None:
            continue
        if column in positions:
            raise ImportFileError(
                _("%(where)s : la colonne « %(column)s » apparaît deux fois") % {"where": where, "column": value}
            )
        positions[column] = position
    return positions


def column_required(column: Column, flat: bool) -> bool:
    """In a flat CSV the structure and place identifiers may be left out: they are derived."""
    return column.required and not (flat and column.kind == "ref")


def _missing(positions, columns, flat):
    return [str(c.title) for c in columns if column_required(c, flat) and c not in positions]


def _cap_rows(rows, where):
    kept = []
    for number, values in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise ImportFileError(
                _("%(where)s : plus de %(max)d lignes, fichier refusé") % {"where": where, "max": MAX_ROWS}
            )
        kept.append((number, tuple(values)))
    return kept


def _check_zip(path):
    if not zipfile.is_zipfile(path):
        raise ImportFileError(
            _("%(file)s : ce n'est pas un classeur .xlsx lisible (fichier endommagé ou d'un autre format)")
            % {"file": path.name}
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(
            _("%(file)s : classeur endommagé (%(error)s)") % {"file": path.name, "error": exc}
        ) from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        raise ImportFileError(
            _("%(file)s : classeur trop volumineux une fois décompressé (%(mb)d Mo, %(max)d Mo au plus)")
            % {"file": path.name, "mb": unzipped // 2**20, "max": MAX_UNZIPPED_BYTES // 2**20}
        )


def _sheet_titles():
    """{normalised sheet title: Sheet}, in French and in the active language."""
    titles = {}
    for sheet in SHEETS.values():
        for language in label_languages():
            with language:
                titles[normalise(sheet.title)] = sheet
    return titles


@contextlib.contextmanager
def open_workbook(path: Path) -> Iterator[openpyxl.Workbook]:
    """The workbook at `path`, read-only, closed on leaving; a zip bomb or a file openpyxl cannot read is refused
    with a located ImportFileError. Shared with the "Acteurs" sheet's reader (actor_sheet.py)."""
    _check_zip(path)
    # openpyxl warns about workbook features it drops (extensions, slicers…): none of them is read here.
    # The file is opened here, not by openpyxl, which leaves it open when it fails half-way.
    with warnings.catch_warnings(), path.open("rb") as handle:
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # whatever openpyxl trips on in a damaged or hostile file
            raise ImportFileError(
                _("%(file)s : classeur illisible (%(error)s)")
                % {"file": path.name, "error": str(exc) or type(exc).__name__}
            ) from exc
        try:
            yield wb
        finally:
            wb.close()


def _load_xlsx(path):
    with open_workbook(path) as wb:
        return _workbook_tables(wb, path)


def _workbook_tables(wb, path):
    titles = _sheet_titles()
    found = {}
    for ws in wb.worksheets:
        sheet = titles.get(normalise(ws.title))
        if sheet is not None and sheet.key not in found:
            found[sheet.key] = ws
    if not found.keys() & {"courses", "exam_sessions"}:
        raise ImportFileError(
            _(
                "%(file)s : ce classeur n'est pas le modèle Carto-Langue (ni feuille « %(courses)s » ni feuille "
                "« %(exams)s » ; créez le modèle avec la commande spreadsheet_template)"
            )
            % {"file": path.name, "courses": COURSES.title, "exams": EXAM_SESSIONS.title}
        )
    missing = [str(SHEETS[k].title) for k in ("structures", "places") if k not in found]
    if missing:
        raise ImportFileError(
            _("%(file)s : feuille(s) absente(s) du classeur : %(sheets)s")
            % {"file": path.name, "sheets": ", ".join(f"« {m} »" for m in missing)}
        )
    tables = {}
    for key, ws in found.items():
        sheet = SHEETS[key]
        where = _("%(file)s, feuille « %(sheet)s »") % {"file": path.name, "sheet": ws.title}
        try:
            ws.reset_dimensions()  # trust the rows, not the dimension a producer wrote
            iterator = ws.iter_rows(values_only=True)
            try:
                rows = _cap_rows(iterator, where)
            finally:
                iterator.close()  # an abandoned sheet reader would keep the file open
        except ImportFileError:
            raise
        except Exception as exc:  # a damaged sheet
            raise ImportFileError(
                _("%(where)s : feuille illisible (%(error)s)") % {"where": where, "error": exc}
            ) from exc
        header = rows[0][1] if rows else ()
        positions = _positions(header, sheet.columns, where)
        missing = _missing(positions, sheet.columns, flat=False)
        if missing:
            raise ImportFileError(
                _("%(where)s : colonne(s) obligatoire(s) absente(s) de la ligne 1 : %(columns)s")
                % {"where": where, "columns": ", ".join(f"« {m} »" for m in missing)}
            )
        tables[key] = Table(sheet, ws.title, positions, rows[1:])
    return tables


def _decode(data, name):
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "texte Unicode"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise ImportFileError(_("%(file)s : ce n'est pas un fichier CSV (contenu binaire)") % {"file": name})
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("%(file)s : encodage non reconnu (UTF-8 ou Windows attendu)") % {"file": name})


def _load_csv(path, sheet_name):
    text = _decode(path.read_bytes(), path.name)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count) if any(d in first for d in ";,\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = _cap_rows(reader, path.name)
    except csv.Error as exc:
        raise ImportFileError(
            _("%(file)s, ligne %(line)d : CSV illisible (%(error)s)")
            % {"file": path.name, "line": reader.line_num, "error": exc}
        ) from exc
    header = rows[0][1] if rows else ()
    if sheet_name:
        if sheet_name not in CSV_SHEETS:
            raise ImportFileError(
                _("--sheet « %(sheet)s » inconnu : %(choices)s")
                % {"sheet": sheet_name, "choices": ", ".join(CSV_SHEETS)}
            )
        sheet = CSV_SHEETS[sheet_name]
    else:
        names = {normalise(h) for h in header if h}
        key_names = {s.key: header_names(s.key_column) for s in (COURSES, EXAM_SESSIONS)}
        if names & key_names["exam_sessions"]:
            sheet = EXAM_SESSIONS
        elif names & (key_names["courses"] | header_names(COURSES.column("name"))):
            sheet = COURSES
        else:
            raise ImportFileError(
                _(
                    "%(file)s : en-têtes non reconnus ; la ligne 1 d'un CSV reprend les en-têtes de la feuille "
                    "« %(courses)s » ou « %(exams)s » du modèle (suivis de ceux de la structure et du lieu)"
                )
                % {"file": path.name, "courses": COURSES.title, "exams": EXAM_SESSIONS.title}
            )
    columns = flat_columns(sheet)
    positions = _positions(header, columns, path.name)
    missing = _missing(positions, columns, flat=True)
    if missing:
        raise ImportFileError(
            _("%(file)s : colonne(s) obligatoire(s) absente(s) de la ligne 1 : %(columns)s")
            % {"file": path.name, "columns": ", ".join(f"« {m} »" for m in missing)}
        )
    return {sheet.key: Table(sheet, path.name, positions, rows[1:], flat=True)}


def load_tables(path: str | Path, sheet: str | None = None) -> dict[str, Table]:
    """{sheet key: Table} of a workbook or a CSV; ImportFileError for a file that is not a readable template."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
        raise ImportFileError(
            _("%(file)s : format non pris en charge ; enregistrez le tableur au format .xlsx (Excel) ou .csv")
            % {"file": path.name}
        )
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("%(file)s : fichier trop volumineux (%(mb)d Mo, %(max)d Mo au plus)")
            % {"file": path.name, "mb": size // 2**20, "max": MAX_FILE_BYTES // 2**20}
        )
    if suffix in CSV_SUFFIXES:
        return _load_csv(path, sheet)
    return _load_xlsx(path)
