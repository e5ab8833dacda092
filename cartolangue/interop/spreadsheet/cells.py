"""The cells of the Carto-Langue spreadsheet, parsed by column kind: referential labels (French or the active
language, or their codes, whatever the case and accents), numbers, dates, times, weekly time slots and checked
text (e-mail, web address, SIRET, post code, INSEE code).

A bad cell raises nothing: `Cells` records it with its spreadsheet location ("Cours!E12") so that the row is
rejected with every problem at once (reader.py).
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from cartolangue.interop.records import Rejected, TimeSlotRecord
from cartolangue.interop.spreadsheet.columns import REFERENTIALS, SEPARATOR, Column, normalise
from cartolangue.interop.spreadsheet.workbook import column_required, label_languages
from cartolangue.offers import enums
from cartolangue.offers.models import Provenance

SOURCE_ID_LENGTH = cast(int, Provenance._meta.get_field("source_id").max_length)  # a CharField's
TRUE_WORDS = {"oui", "o", "vrai", "true", "yes", "x", "1"}
FALSE_WORDS = {"non", "n", "faux", "false", "no", "0"}
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
TIME_RE = re.compile(r"^(\d{1,2})\s*(?:[:h]\s*(\d{2})?)?(?::\d{2})?$")
SLOT_RE = re.compile(
    r"^(?P<day>\D+?)\s*(?:de\s+)?(?P<start>\d{1,2}(?:\s*[:h]\s*\d{2})?h?)\s*(?:-|a)\s*"
    r"(?P<end>\d{1,2}(?:\s*[:h]\s*\d{2})?h?)$"
)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_url = URLValidator(schemes=["http", "https"])


class BadValue(Exception):
    """A cell that cannot be read; the message says why, for the report."""


def referential_lookups() -> dict[str, dict[str, Any]]:
    """{referential key: {normalised label or code: value}}."""
    lookups = {}
    for key, referential in REFERENTIALS.items():
        choices = referential.choices()
        lookup = {}
        for language in label_languages():
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
        text, parsed = _plain(value), None
        for pattern in DATE_FORMATS:
            try:
                parsed = datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date, no time zone)
                break
            except ValueError:
                continue
        if parsed is None:
            raise BadValue(_("date illisible « %(v)s » (jj/mm/aaaa attendu)") % {"v": value})
        day = parsed
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
    def location(self) -> str:
        return self.table.ref(self.table.sheet.key_column, self.number)

    def is_empty(self) -> bool:
        return all(self._raw_value(v) is None for v in self.values)

    @staticmethod
    def _raw_value(value):
        if isinstance(value, str):
            value = CONTROL_RE.sub("", value).strip()
            return value or None
        return value

    def raw(self, column: Column) -> Any:
        position = self.table.positions.get(column)
        if position is None or position >= len(self.values):
            return None
        return self._raw_value(self.values[position])

    def error(self, column: Column, message: str) -> None:
        position = self.table.positions.get(column, -1)
        problem = _("%(column)s : %(problem)s") % {"column": column.title, "problem": message}
        self.errors.append((position, self.table.ref(column, self.number), problem))

    def failure(self, record_id: str | None = None) -> Rejected:
        """The Rejected of this row: located at its first bad cell (left to right), every problem in the reason."""
        errors = sorted(self.errors, key=lambda e: e[0])
        location = errors[0][1]
        reason = " ; ".join(m if i == 0 else f"{m} ({loc})" for i, (_p, loc, m) in enumerate(errors))
        return Rejected(record_id or _("ligne %(n)d") % {"n": self.number}, location, reason)

    def get(self, column: Column) -> Any:
        value = self.raw(column)
        if value is None:
            if column_required(column, self.table.flat):
                self.error(column, _("valeur obligatoire manquante"))
            return None
        try:
            return self.parse(column, value)
        except BadValue as exc:
            self.error(column, str(exc))
            return None

    def get_many(self, column: Column) -> list[Any]:
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

    def parse(self, column: Column, value: Any) -> Any:
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
            if match is None or day is None:
                raise BadValue(_("créneau illisible « %(v)s » (p. ex. « lundi 9h30-12h »)") % {"v": piece.strip()})
            slots.append(TimeSlotRecord(day, _time(match["start"]), _time(match["end"])))
        return slots
