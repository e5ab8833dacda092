"""Reads the Carto-Langue spreadsheet back (layout in columns.py): a filled template (.xlsx, read with openpyxl in
read-only mode) or a CSV of one entity, into CourseRecord and ExamSessionRecord (records.py).

- Labels are the French labels of the referentials (the Listes sheet), or their codes, whatever the case and
  accents.
- Every problem is located like a spreadsheet does, "Cours!E12" (sheet, column, row). A bad cell rejects its
  record: a course, with its time slots and sessions, is taken whole or not at all, since an import replaces
  a course's slots and sessions with the ones it is given. A bad structure or place rejects the records that
  use it.
- A file that is not a readable template (not .xlsx or .csv, damaged, sheets or required headers missing)
  raises ImportFileError with one line. Uploads are untrusted: the file size, the declared unzipped size
  (zip bombs) and the number of rows are capped before or while reading, and the workbook is read in
  openpyxl's read-only, values-only mode (formulas are not evaluated, only their cached values read).

A CSV holds one entity, recognised by its header row (or named with `sheet`): courses, one row per course with
its structure's and its place's columns on the same row and its weekly time slots in a "Créneaux" column, or
exam sessions, likewise with their structure and place.
"""

import codecs
import contextlib
import csv
import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import openpyxl
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from cartolangue.interop.errors import ImportFileError
from cartolangue.interop.records import (
    CourseRecord,
    ExamSessionRecord,
    PlaceRecord,
    Rejected,
    SessionRecord,
    StructureRecord,
    TimeSlotRecord,
)
from cartolangue.interop.spreadsheet.columns import (
    COURSES,
    EXAM_SESSIONS,
    PLACES,
    REFERENTIALS,
    SEPARATOR,
    SESSIONS,
    SHEETS,
    STRUCTURES,
    TIME_SLOTS,
    flat_columns,
    normalise,
)
from cartolangue.offers import enums
from cartolangue.offers.models import Provenance

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
MAX_FILE_BYTES = 20 * 1024 * 1024
# A workbook is a zip: its declared unzipped size is checked before openpyxl inflates anything.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 100_000  # rows read per sheet, empty ones included
CSV_SHEETS = {"cours": COURSES, "sessions-examen": EXAM_SESSIONS}
SOURCE_ID_LENGTH = Provenance._meta.get_field("source_id").max_length
TRUE_WORDS = {"oui", "o", "vrai", "true", "yes", "x", "1"}
FALSE_WORDS = {"non", "n", "faux", "false", "no", "0"}
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
TIME_RE = re.compile(r"^(\d{1,2})\s*(?:[:h]\s*(\d{2})?)?(?::\d{2})?$")
SLOT_RE = re.compile(
    r"^(?P<day>\D+?)\s*(?:de\s+)?(?P<start>\d{1,2}(?:\s*[:h]\s*\d{2})?h?)\s*(?:-|a)\s*"
    r"(?P<end>\d{1,2}(?:\s*[:h]\s*\d{2})?h?)$"
)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
TEXT_KINDS = ("text", "email", "url", "siret", "post_code", "code_insee", "code")
SCALAR_SKIP = ("id", "ref", "slots")
_url = URLValidator(schemes=["http", "https"])


class BadValue(Exception):
    """A cell that cannot be read; the message says why, for the report."""


def _languages():
    """The labels are matched in French and in the active language."""
    return [translation.override("fr"), nullcontext()]


def header_names(column):
    names = set()
    for language in _languages():
        with language:
            names.add(normalise(column.title))
            if column.index == 1:  # "Financeur" stands for "Financeur 1"
                names.add(normalise(column.base_header))
    return names


def referential_lookups():
    """{referential key: {normalised label or code: value}}."""
    lookups = {}
    for key, referential in REFERENTIALS.items():
        choices = referential.choices()
        lookup = {}
        for language in _languages():
            with language:
                for value, label in choices:
                    lookup[normalise(label)] = value
        for value, _label in choices:
            if not isinstance(value, bool):
                lookup.setdefault(normalise(value), value)
        if key == "boolean":
            lookup.update({w: True for w in TRUE_WORDS} | {w: False for w in FALSE_WORDS})
        if key == "audience":
            retired = enums.RETIRED_AUDIENCES | enums.RETIRED_AUDIENCE_LABELS
            lookup.update({normalise(old): new.value for old, new in retired.items()})
        lookups[key] = lookup
    return lookups


# --- Tables --------------------------------------------------------------------------------------------------


@dataclass
class Table:
    sheet: object  # the Sheet it holds (for a flat CSV: the main entity)
    title: str  # as in the file, for locations: "Cours", or the CSV's file name
    positions: dict  # Column → 0-based position
    rows: list  # (row number, values)
    flat: bool = False

    def ref(self, column, number):
        position = self.positions.get(column)
        return f"{self.title}!{get_column_letter(position + 1) if position is not None else ''}{number}"


def _positions(header, columns, where):
    """Map the header row onto the columns; ImportFileError for a duplicated or a missing required column."""
    names = {}
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


def _required(column, flat):
    """In a flat CSV the structure and place identifiers may be left out: they are derived."""
    return column.required and not (flat and column.kind == "ref")


def _missing(positions, columns, flat):
    return [str(c.title) for c in columns if _required(c, flat) and c not in positions]


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
        for language in _languages():
            with language:
                titles[normalise(sheet.title)] = sheet
    return titles


@contextlib.contextmanager
def open_workbook(path: Path) -> Iterator:
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


def load_tables(path, sheet=None):
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


# --- Cells ---------------------------------------------------------------------------------------------------


def _plain(value):
    """A cell as text: 12.0 → "12"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    return str(value).strip()


def _decimal(value):
    if isinstance(value, bool):
        raise BadValue(_("nombre attendu"))
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = re.sub(r"[\s\u00a0\u202f€]", "", str(value)).replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(_("nombre illisible « %(v)s »") % {"v": value}) from None
    if not number.is_finite():
        raise BadValue(_("nombre illisible « %(v)s »") % {"v": value})
    return number


def _date(value):
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        day = from_excel(value).date()
    else:
        text, day = _plain(value), None
        for pattern in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date, no time zone)
                break
            except ValueError:
                continue
        if day is None:
            raise BadValue(_("date illisible « %(v)s » (jj/mm/aaaa attendu)") % {"v": value})
    if not 2000 <= day.year <= 2100:
        raise BadValue(_("date improbable : %(d)s") % {"d": day.strftime("%d/%m/%Y")})
    return day


def _time(value):
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, datetime.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, datetime.timedelta) and datetime.timedelta(0) <= value < datetime.timedelta(days=1):
        minutes = int(value.total_seconds()) // 60
        return datetime.time(minutes // 60, minutes % 60)
    if isinstance(value, float) and 0 <= value < 1:
        return from_excel(value).replace(second=0, microsecond=0)
    match = TIME_RE.match(normalise(_plain(value)).replace(" ", ""))
    if match:
        hour, minute = int(match[1]), int(match[2] or 0)
        if hour < 24 and minute < 60:
            return datetime.time(hour, minute)
    raise BadValue(_("heure illisible « %(v)s » (hh:mm attendu)") % {"v": value})


class Cells:
    """Parses the cells of one row by column kind; a bad cell is recorded in `errors`, located."""

    def __init__(self, table, number, values, lookups):
        self.table, self.number, self.values, self.lookups = table, number, values, lookups
        self.errors = []  # (column position, location, message)

    @property
    def location(self):
        return self.table.ref(self.table.sheet.key_column, self.number)

    def is_empty(self):
        return all(self._raw_value(v) is None for v in self.values)

    @staticmethod
    def _raw_value(value):
        if isinstance(value, str):
            value = CONTROL_RE.sub("", value).strip()
            return value or None
        return value

    def raw(self, column):
        position = self.table.positions.get(column)
        if position is None or position >= len(self.values):
            return None
        return self._raw_value(self.values[position])

    def error(self, column, message):
        position = self.table.positions.get(column, -1)
        problem = _("%(column)s : %(problem)s") % {"column": column.title, "problem": message}
        self.errors.append((position, self.table.ref(column, self.number), problem))

    def failure(self, record_id=None):
        """The Rejected of this row: located at its first bad cell (left to right), every problem in the reason."""
        errors = sorted(self.errors, key=lambda e: e[0])
        location = errors[0][1]
        reason = " ; ".join(m if i == 0 else f"{m} ({loc})" for i, (_p, loc, m) in enumerate(errors))
        return Rejected(record_id or _("ligne %(n)d") % {"n": self.number}, location, reason)

    def get(self, column):
        value = self.raw(column)
        if value is None:
            if _required(column, self.table.flat):
                self.error(column, _("valeur obligatoire manquante"))
            return None
        try:
            return self.parse(column, value)
        except BadValue as exc:
            self.error(column, str(exc))
            return None

    def get_many(self, column):
        """The values of a multi-valued cell (separated by ";")."""
        value = self.raw(column)
        if value is None:
            return []
        pieces = [p.strip() for p in str(value).split(SEPARATOR)] if isinstance(value, str) else [value]
        found = []
        for piece in pieces:
            if piece == "":
                continue
            try:
                parsed = self.parse(column, piece)
            except BadValue as exc:
                self.error(column, str(exc))
                continue
            if parsed not in found:
                found.append(parsed)
        return found

    def parse(self, column, value):
        kind = column.kind
        if kind in ("enum", "bool"):
            return self._enum(column, value)
        if kind in ("int", "decimal"):
            return self._number(column, value)
        if kind == "float":
            return self._float(column, value)
        if kind == "date":
            return _date(value)
        if kind == "time":
            return _time(value)
        if kind == "slots":
            return self._slots(value)
        return self._text(column, value)

    def _enum(self, column, value):
        text = _plain(value) if not isinstance(value, bool) else (_("oui") if value else _("non"))
        found = self.lookups[column.referential].get(normalise(text))
        if found is None:
            raise BadValue(_("valeur inconnue « %(v)s » (voir la feuille Listes)") % {"v": text})
        return found

    def _number(self, column, value):
        number = _decimal(value)
        if number < 0:
            raise BadValue(_("nombre négatif : %(v)s") % {"v": value})
        if column.kind == "int":
            if number != number.to_integral_value():
                raise BadValue(_("nombre entier attendu : %(v)s") % {"v": value})
            if number > 10**9:
                raise BadValue(_("nombre trop grand : %(v)s") % {"v": value})
            return int(number)
        places = column.field.decimal_places
        if number >= 10 ** (column.field.max_digits - places):
            raise BadValue(_("nombre trop grand : %(v)s") % {"v": value})
        return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    def _float(self, column, value):
        number = float(_decimal(value))
        limit = 90 if column.key == "latitude" else 180
        if not -limit <= number <= limit:
            raise BadValue(_("hors de -%(l)d à %(l)d : %(v)s") % {"l": limit, "v": value})
        return number

    def _text(self, column, value):
        text = _plain(value)
        if column.max_length and len(text) > column.max_length:
            raise BadValue(_("%(n)d caractères, %(max)d au plus") % {"n": len(text), "max": column.max_length})
        if column.kind in ("id", "ref"):
            if len(text) > SOURCE_ID_LENGTH:
                raise BadValue(_("identifiant de plus de %(max)d caractères") % {"max": SOURCE_ID_LENGTH})
        elif column.kind == "email":
            try:
                validate_email(text)
            except ValidationError:
                raise BadValue(_("adresse de courriel invalide « %(v)s »") % {"v": text}) from None
        elif column.kind == "url":
            if "://" not in text:
                text = f"https://{text}"  # "www.asso.fr", as people write it
            try:
                _url(text)
            except ValidationError:
                raise BadValue(_("adresse web invalide « %(v)s »") % {"v": value}) from None
        elif column.kind == "siret":
            text = re.sub(r"[\s\u00a0]", "", text)
            if not re.fullmatch(r"\d{14}", text):
                raise BadValue(_("un SIRET compte 14 chiffres : « %(v)s »") % {"v": value})
        elif column.kind == "post_code":
            text = text.replace(" ", "").zfill(5) if text.isdigit() else text
            if not re.fullmatch(r"\d{5}", text):
                raise BadValue(_("un code postal compte 5 chiffres : « %(v)s »") % {"v": value})
        elif column.kind == "code_insee":
            text = text.upper().zfill(5)
            if not re.fullmatch(r"\d[\dAB]\d{3}", text):
                raise BadValue(_("un code commune INSEE compte 5 caractères : « %(v)s »") % {"v": value})
        return text

    def _slots(self, value):
        slots = []
        for piece in str(value).split(SEPARATOR):
            text = normalise(piece)
            if not text:
                continue
            match = SLOT_RE.match(text)
            day = self.lookups["weekday"].get(match["day"].strip()) if match else None
            if day is None:
                raise BadValue(_("créneau illisible « %(v)s » (p. ex. « lundi 9h30-12h »)") % {"v": piece.strip()})
            slots.append(TimeSlotRecord(day, _time(match["start"]), _time(match["end"])))
        return slots


# --- Records -------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """A structure or place row, read once, used by every record that names it."""

    record: object
    location: str
    error: str = ""


@dataclass
class CourseRow:
    number: int
    key: str
    record: CourseRecord | None
    failure: Rejected | None
    slot_keys: set = field(default_factory=set)


def _empty(column):
    if column.kind in TEXT_KINDS:
        return ""
    if column.kind == "enum" and REFERENTIALS[column.referential].enum is not None:
        values = REFERENTIALS[column.referential].enum.values
        return "" if values and isinstance(values[0], str) else None
    return None


def _scalars(cells, sheet):
    """{record attribute: value} of a sheet's single-valued columns."""
    values = {}
    for column in sheet.columns:
        if column.index or column.kind in SCALAR_SKIP:
            continue
        value = cells.get(column)
        values[column.key] = _empty(column) if value is None else value
    return values


def _numbered(sheet, key):
    return [c for c in sheet.columns if c.key == key and c.index]


class OfferReader:
    def __init__(self, tables, *, source):
        self.tables = tables
        self.source = source
        self.lookups = referential_lookups()
        self.stray = []  # Rejected rows that belong to no course or exam session, reported at the end

    def rows(self, key):
        table = self.tables.get(key)
        if table is None:
            return
        for number, values in table.rows:
            cells = Cells(table, number, values, self.lookups)
            if not cells.is_empty():
                yield cells

    def title(self, sheet):
        """The sheet's name as in the file (the CSV's name for a flat CSV), for messages."""
        return self.tables[sheet.key].title if sheet.key in self.tables else str(sheet.title)

    def records(self):
        if any(t.flat for t in self.tables.values()):
            if "courses" in self.tables:
                yield from self._flat_courses()
            else:
                yield from self._exam_sessions(self._flat_parents)
            return
        structures = self._entries(STRUCTURES, self._structure)
        places = self._entries(PLACES, self._place)

        def parents(cells, sheet):
            return (
                self._resolve(cells, sheet.column("structure"), structures),
                self._resolve(cells, sheet.column("place"), places),
            )

        yield from self._courses(parents)
        yield from self._exam_sessions(parents)
        yield from self.stray

    @staticmethod
    def _duplicate(cells, column, key, seen):
        """Record a key already used on another row of the sheet; True when it is."""
        if key is None:
            return False
        if key in seen:
            cells.error(column, _("identifiant « %(key)s » déjà utilisé ligne %(n)d") % {"key": key, "n": seen[key]})
            return True
        seen[key] = cells.number
        return False

    # --- structures and places -------------------------------------------------------------------------------

    def _structure(self, cells, key):
        values = _scalars(cells, STRUCTURES)
        values["kind"] = values["kind"] or "autre"
        networks = [str(v) for c in _numbered(STRUCTURES, "networks") for v in cells.get_many(c)]
        return StructureRecord(source=self.source, source_id=key, networks=list(dict.fromkeys(networks)), **values)

    def _place(self, cells, key):
        values = _scalars(cells, PLACES)
        if (values["latitude"] is None) != (values["longitude"] is None):
            cells.error(
                PLACES.column("longitude" if values["longitude"] is None else "latitude"),
                _("latitude et longitude vont ensemble"),
            )
        return PlaceRecord(source_id=key, **values)

    def _entries(self, sheet, build):
        """{key: Entry} of the Structures or Lieux sheet; a duplicated key is an error of both rows."""
        entries = {}
        for cells in self.rows(sheet.key):
            key = cells.get(sheet.key_column)
            record = build(cells, key)
            if key is None:  # nothing can name it: say so rather than drop it
                self.stray.append(cells.failure())
            elif key in entries:
                first = entries[key]
                reason = _("identifiant « %(key)s » en double (%(a)s et %(b)s)") % {
                    "key": key,
                    "a": first.location,
                    "b": cells.location,
                }
                entries[key] = Entry(None, first.location, reason)
            elif cells.errors:
                rejected = cells.failure(key)
                entries[key] = Entry(None, rejected.location, rejected.reason)
            else:
                entries[key] = Entry(record, cells.location)
        return entries

    def _resolve(self, cells, column, entries):
        key = cells.get(column)
        if key is None:
            return None
        entry = entries.get(key)
        if entry is None:
            cells.error(
                column,
                _("« %(key)s » absent de la feuille %(sheet)s")
                % {"key": key, "sheet": self.title(SHEETS[column.ref])},
            )
            return None
        if entry.error:
            cells.error(
                column,
                _("« %(key)s » refusé : %(reason)s (%(location)s)")
                % {"key": key, "reason": entry.error, "location": entry.location},
            )
            return None
        return entry.record

    # --- courses ---------------------------------------------------------------------------------------------

    def _course(self, cells, key, structure, place):
        values = _scalars(cells, COURSES)
        values["modality"] = values["modality"] or "presentiel"
        if values["is_free"] is None and values["cost_amount"]:
            values["is_free"] = False
        elif values["is_free"] and values["cost_amount"]:
            cells.error(
                COURSES.column("cost_amount"), _("un cours gratuit n'a pas de coût (mettez « non » dans « Gratuit »)")
            )
        if values["hours_per_week"] is not None and values["hours_per_week"] > 80:
            cells.error(COURSES.column("hours_per_week"), _("plus de 80 heures par semaine"))
        target = values["cecrl_level_target"]
        for name in ("entry_level_oral", "entry_level_written"):
            if values[name] is not None and target is not None and values[name] > target:
                cells.error(COURSES.column(name), _("niveau d'entrée au-dessus du niveau visé"))
        multi = {
            name: list(dict.fromkeys(str(v) for c in _numbered(COURSES, name) for v in cells.get_many(c)))
            for name in ("schooling", "funders", "certifications")
        }
        slots = cells.get(COURSES.column("slots")) or []
        slot_column = COURSES.column("slots")
        if len({(s.weekday, s.starts_at) for s in slots}) != len(slots):
            cells.error(slot_column, _("créneau en double"))
        if any(s.starts_at >= s.ends_at for s in slots):
            cells.error(slot_column, _("l'heure de fin n'est pas après l'heure de début"))
        return CourseRecord(
            source=self.source,
            source_id=key,
            structure=structure,
            place=place,
            location=cells.location,
            audiences=self._audiences(cells),
            time_slots=slots,
            **multi,
            **values,
        )

    @staticmethod
    def _audiences(cells):
        """{audience: mode} from the "Public n" / "Accès du public n" pairs (an empty access: priority)."""
        audiences = {}
        for column in _numbered(COURSES, "audiences"):
            mode_column = COURSES.column("audience_modes", column.index)
            found = cells.get_many(column)
            mode = cells.get(mode_column)
            if mode is not None and not found:
                cells.error(mode_column, _("accès indiqué sans public"))
            mode = mode or "prioritaire"
            for audience in found:
                if audiences.get(audience, mode) != mode:
                    cells.error(column, _("public « %(v)s » indiqué deux fois") % {"v": audience})
                audiences[str(audience)] = str(mode)
        return audiences

    def _courses(self, parents):
        rows, by_key = [], {}
        for cells in self.rows("courses"):
            key = cells.get(COURSES.key_column)
            structure, place = parents(cells, COURSES)
            record = self._course(cells, key, structure, place)
            duplicate = self._duplicate(cells, COURSES.key_column, key, {k: r.number for k, r in by_key.items()})
            row = CourseRow(cells.number, key, None, cells.failure(key)) if cells.errors else None
            row = row or CourseRow(
                cells.number, key, record, None, {(s.weekday, s.starts_at) for s in record.time_slots}
            )
            rows.append(row)
            if key is not None and not duplicate:
                by_key[key] = row
        self._time_slots(by_key)
        self._sessions(by_key)
        for row in rows:
            yield row.record if row.record is not None else row.failure

    def _time_slots(self, by_key):
        for cells in self.rows("time_slots"):
            row = self._child_course(cells, TIME_SLOTS, by_key)
            slot = TimeSlotRecord(**_scalars(cells, TIME_SLOTS))
            if row is None:
                continue
            if not cells.errors and slot.starts_at >= slot.ends_at:
                cells.error(TIME_SLOTS.column("ends_at"), _("l'heure de fin n'est pas après l'heure de début"))
            if not cells.errors and (slot.weekday, slot.starts_at) in row.slot_keys:
                cells.error(TIME_SLOTS.column("starts_at"), _("créneau en double"))
            if self._attach(row, cells):
                row.record.time_slots.append(slot)
                row.slot_keys.add((slot.weekday, slot.starts_at))

    def _sessions(self, by_key):
        seen = {}
        for cells in self.rows("sessions"):
            key = cells.get(SESSIONS.key_column)
            row = self._child_course(cells, SESSIONS, by_key)
            values = _scalars(cells, SESSIONS)
            if row is None:
                continue
            if values["starts_on"] and values["ends_on"] and values["starts_on"] > values["ends_on"]:
                cells.error(SESSIONS.column("ends_on"), _("fin avant le début"))
            seats, left = values["seats"], values["seats_left"]
            if seats is not None and left is not None and left > seats:
                cells.error(SESSIONS.column("seats_left"), _("plus de places restantes que de places"))
            self._duplicate(cells, SESSIONS.key_column, key, seen)
            if self._attach(row, cells):
                row.record.sessions.append(SessionRecord(source_id=key, **values))

    def _child_course(self, cells, sheet, by_key):
        """The course row a time slot or session row belongs to, or None (the row is then reported)."""
        column = sheet.column("course")
        key = cells.get(column)
        row = by_key.get(key)
        if key is not None and row is None:
            cells.error(
                column,
                _("cours « %(key)s » absent de la feuille %(sheet)s") % {"key": key, "sheet": self.title(COURSES)},
            )
        if row is None:
            self.stray.append(cells.failure(key))
        return row

    @staticmethod
    def _attach(row, cells):
        """True when this time slot or session row can join its course; its errors reject the course."""
        if row.record is None:
            return False
        if cells.errors:
            row.record, row.failure = None, cells.failure(row.key)
            return False
        return True

    # --- exam sessions ---------------------------------------------------------------------------------------

    def _exam_sessions(self, parents):
        seen = {}
        for cells in self.rows("exam_sessions"):
            key = cells.get(EXAM_SESSIONS.key_column)
            structure, place = parents(cells, EXAM_SESSIONS)
            values = _scalars(cells, EXAM_SESSIONS)
            deadline, exam_date = values["registration_deadline"], values["exam_date"]
            if deadline and exam_date and deadline > exam_date:
                cells.error(EXAM_SESSIONS.column("registration_deadline"), _("après la date de l'épreuve"))
            self._duplicate(cells, EXAM_SESSIONS.key_column, key, seen)
            if cells.errors:
                yield cells.failure(key)
                continue
            yield ExamSessionRecord(
                source=self.source,
                source_id=key,
                structure=structure,
                place=place,
                location=cells.location,
                **values,
            )

    # --- flat CSV ----------------------------------------------------------------------------------------------

    def _flat_parents(self, cells, sheet):
        """The structure and the place written on a flat CSV row, their keys derived when left empty."""
        structure_key = cells.get(sheet.column("structure"))
        structure = self._structure(cells, structure_key)
        if structure_key is None:
            structure.source_id = structure.siret or _derived_key("structure", structure.name)
        place_key = cells.get(sheet.column("place"))
        place = self._place(cells, place_key)
        if place_key is None:
            place.source_id = _derived_key(
                structure.source_id, place.address, place.post_code or place.code_insee or place.city
            )
        return structure, place

    def _flat_courses(self):
        seen = {}
        for cells in self.rows("courses"):
            key = cells.get(COURSES.key_column)
            structure, place = self._flat_parents(cells, COURSES)
            record = self._course(cells, key, structure, place)
            self._duplicate(cells, COURSES.key_column, key, seen)
            yield cells.failure(key) if cells.errors else record


def _derived_key(*parts):
    return slugify("-".join(str(p) for p in parts if p))[:SOURCE_ID_LENGTH] or "-"


def spreadsheet_read(path, *, source, sheet=None):
    """Yield CourseRecord, ExamSessionRecord and Rejected from a filled template (.xlsx) or a CSV.

    `sheet` names the entity of a CSV ("cours" or "sessions-examen") when its header row does not tell."""
    tables = load_tables(path, sheet)
    yield from OfferReader(tables, source=source).records()
