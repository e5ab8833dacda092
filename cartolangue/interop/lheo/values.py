"""The values of LHEO elements read into our fields: dates and timestamps, CECRL levels, numbers, booleans, web
addresses, the course type a title or a Formacode names, and the contact kind of a `type-contact` code. Bad values
become None and a warning on their course, never an error."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cartolangue.interop.common import course_type_from_text
from cartolangue.interop.lheo import conventions as c
from cartolangue.offers import enums

BOOLEANS = {"1": True, "0": False}


def course_type_of(name: str, formacodes: Iterable[str]) -> str:
    """The type the title names (ASL, OEPRE, FOS, DELF…), else the Formacode's, else FLE."""
    named = course_type_from_text(name)
    if named:
        return named
    for code in formacodes:
        if code in c.COURSE_TYPE_FROM_FORMACODE:
            return c.COURSE_TYPE_FROM_FORMACODE[code]
    return enums.CourseType.FLE


@lru_cache(maxsize=4096)
def parse_date(text: str, end: bool = False) -> tuple[date | None, bool]:
    """`parse_lheo_date`, cached: a file repeats the same few hundred dates."""
    return c.parse_lheo_date(text, end=end)


def stamp_of(raw: str | None, datemaj: str | None) -> datetime | None:
    if raw:
        value = parse_datetime(raw)
        if value is not None:
            return value if timezone.is_aware(value) else timezone.make_aware(value)
    raw = datemaj
    if raw:
        try:
            day, _partial = parse_date(raw)
        except c.LheoDateError:
            return None
        if day:
            return datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())
    return None


def parse_level(label: str | None, warnings: list[str]) -> int | None:
    if not label:
        return None
    if label not in c.LEVEL_LABELS:
        warnings.append(_("niveau CECRL inconnu « %(v)s », ignoré") % {"v": label})
        return None
    return c.LEVEL_LABELS[label]


def parse_bool(value: str | None) -> bool | None:
    return BOOLEANS.get((value or "").strip())


def parse_float(value: str | None) -> float | None:
    try:
        number = float((value or "").replace(",", "."))
    except ValueError:
        return None
    return number if number == number else None  # NaN


def parse_int(value: str | None, warnings: list[str], field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        warnings.append(_("%(field)s illisible : « %(v)s »") % {"field": field, "v": value})
        return None
    return number if number >= 0 else None


# LHEO dict-type-contact: 4 "Accueil" is the organisation's reception desk, published for the public to call; the
# referents (handicap 1, mobility 2, teaching 3, quality 6, company 7, FOAD 12, VAE 13, apprenticeship 14) are
# people inside the organisation, and the others (direction, finance…) are not the public's contact either.
LHEO_PUBLIC_CONTACT_TYPES = frozenset({"4"})
LHEO_REFERENT_CONTACT_TYPES = frozenset({"1", "2", "3", "6", "7", "12", "13", "14"})


def contact_kind(type_contact: str) -> tuple[bool, str]:
    """(public contact point?, ContactRole value) of a `contact-formation` by its `type-contact` (ADR 0019)."""
    if type_contact in LHEO_PUBLIC_CONTACT_TYPES:
        return True, ""  # no role: shown as "Accueil", and written back as type 4
    if type_contact in LHEO_REFERENT_CONTACT_TYPES:
        return False, enums.ContactRole.REFERENT.value
    return False, ""


def parse_decimal(value: str | None, warnings: list[str], field: str) -> Decimal | None:
    value = (value or "").strip().replace(",", ".").replace("€", "").strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        warnings.append(_("%(field)s illisible : « %(v)s »") % {"field": field, "v": value})
        return None
    return number if number.is_finite() and number >= 0 else None


def parse_day(value: str | None) -> date | None:
    try:
        parsed, _partial = parse_date(value or "")
    except c.LheoDateError:
        return None
    return parsed


def https_url(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        return "https://" + value
    return value
