"""Field by field, the offer shown for a group of linked courses (ADR 0024): the record shown keeps its own value
of a field unless a linked copy comes from a source with more authority over that field, or the record shown has
no value for it. Links, not merges: the record's own value is kept in `Course.fused_fields` and put back when the
group changes, before every import (so that an import compares the source with the source's own values) and
when two courses are unlinked.

A provider's own entry (its space or the write API: source "saisie"; its spreadsheet) comes first for every
field, and a field the provider edited by hand (`Course.hand_edited_fields`) is never replaced.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from cartolangue.offers.models import Course

PROVIDER = ("saisie", "tableur")
# Field → source formats in order of authority (then the record shown, then the lowest id). Levels, weekly hours
# and childcare: Réseau Alpha's associations describe their courses in those terms; funding, total hours and
# the certification codes: DOKELIO (LHEO), which the Région's funded offer goes through; data·inclusion, whose
# services say neither level nor hours, last.
LEVELS_FIRST = (*PROVIDER, "reseau-alpha", "lheo", "data-inclusion")
FUNDING_FIRST = (*PROVIDER, "lheo", "reseau-alpha", "data-inclusion")
# Fields that hold together (the database checks that an entry level is not above the target, that a free course
# has no cost) are taken together, from one record: (fields, authority).
UNITS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("cecrl_level_target", "entry_level_oral", "entry_level_written"), LEVELS_FIRST),
    # Weekly and total hours together: an export derives the number of weeks from the two.
    (("hours_per_week", "total_hours"), LEVELS_FIRST),
    (("childcare",), LEVELS_FIRST),
    (("is_free", "cost_amount", "cost_details"), FUNDING_FIRST),
    (("registration_mode",), FUNDING_FIRST),
    (("formacode",), FUNDING_FIRST),
    (("rs_code",), FUNDING_FIRST),
    (("rncp_code",), FUNDING_FIRST),
)
FIELDS = [field for fields, _order in UNITS for field in fields]


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _stored(value: Any) -> Any:
    """A field value as JSON keeps it (a decimal as its text)."""
    return str(value) if isinstance(value, Decimal) else value


def _read(field: str, value: Any) -> Any:
    model_field = Course._meta.get_field(field)
    assert isinstance(model_field, models.Field)  # every fused field is a plain column
    return None if value is None else model_field.to_python(value)


def kind_of(source: str, formats: dict[str, str]) -> str:
    """The format a source's courses rank by: a source of the registry by its format; the write API's sources
    ("api-<structure>") are the provider's own entry, as the space's."""
    if source.startswith("api-"):
        return "saisie"
    return formats.get(source, source)


def _rank(source: str, order: tuple[str, ...], formats: dict[str, str]) -> int:
    kind = kind_of(source, formats)
    return order.index(kind) if kind in order else len(order)


def own_values(row: dict[str, Any]) -> dict[str, Any]:
    """The record's own values of the fused fields (`row`: its current values, `fused_fields` and
    `hand_edited_fields`). A unit whose fields all still hold the values fusion gave them takes back its own; a
    unit changed since, by an import or by hand, is the record's own as it is, whole."""
    own = {field: row[field] for field in FIELDS}
    entries = row["fused_fields"] or {}
    for fields, _order in UNITS:
        if not any(field in entries for field in fields):
            continue
        edited = any(field in row["hand_edited_fields"] for field in fields)
        intact = all(field in entries and _stored(row[field]) == entries[field]["value"] for field in fields)
        if intact and not edited:
            for field in fields:
                own[field] = _read(field, entries[field]["own"])
    return own


def own_level(level: int | None, fused_fields: dict[str, Any]) -> int | None:
    """The record's own target level when fusion gave it another one (see `own_values`)."""
    entry = (fused_fields or {}).get("cecrl_level_target")
    return entry["own"] if entry is not None and entry["value"] == level else level


def _write(row: dict[str, Any], values: dict[str, Any], fused: dict[str, dict[str, Any]]) -> bool:
    """Only what changes, course by course: a course whose fields and entries stay is not written (every write
    tells the search index that the course changed)."""
    changes = {field: value for field, value in values.items() if _stored(value) != _stored(row[field])}
    if not changes and fused == (row["fused_fields"] or {}):
        return False
    Course.objects.filter(pk=row["pk"]).update(**changes, fused_fields=fused)
    return True


def _rows(course_ids: Iterable[int] | None) -> list[dict[str, Any]]:
    courses = Course.objects.all() if course_ids is None else Course.objects.filter(pk__in=list(course_ids))
    return list(courses.values("pk", "fused_fields", "hand_edited_fields", *FIELDS))


def restore(course_ids: Iterable[int] | None = None) -> int:
    """Put back the own values of every fused course (of `course_ids`, or of all): before an import, which then
    compares its file with what its source said. Returns the courses written."""
    fused = Course.objects.exclude(fused_fields={})
    if course_ids is not None:
        fused = fused.filter(pk__in=list(course_ids))
    rows = _rows(fused.values_list("pk", flat=True))
    with transaction.atomic():
        return sum(_write(row, own_values(row), {}) for row in rows)


def fuse(groups: dict[int, list[int]], sources: dict[int, str], formats: dict[str, str]) -> int:
    """Set every course's fused fields from the groups (the record shown → its copies): the shown record takes
    each unit of fields from the member of its group with the most authority over it that gives one (from the
    members' own values); every other course, shown alone or a copy now, has its own values. Courses already as
    they should be are not written. Returns the fields taken from a copy."""
    members = {pk for shown, copies in groups.items() for pk in (shown, *copies)}
    members |= set(Course.objects.exclude(fused_fields={}).values_list("pk", flat=True))
    rows = {row["pk"]: row for row in _rows(members)}
    own = {pk: own_values(row) for pk, row in rows.items()}
    wanted: dict[int, tuple[dict[str, Any], dict[str, dict[str, Any]]]] = {pk: (own[pk], {}) for pk in rows}
    taken = 0
    for shown, copies in groups.items():
        values, fused = dict(own[shown]), {}
        for fields, order in UNITS:
            if any(field in rows[shown]["hand_edited_fields"] for field in fields):
                continue
            ranked = sorted((shown, *copies), key=lambda pk: (_rank(sources[pk], order, formats), pk != shown, pk))
            best = next((pk for pk in ranked if any(not _empty(own[pk][f]) for f in fields)), shown)
            if best == shown or all(own[best][f] == own[shown][f] for f in fields):
                continue
            for field in fields:  # the whole unit, so that a restore can tell it is intact
                fused[field] = {"own": _stored(own[shown][field]), "value": _stored(own[best][field]), "from": best}
                values[field] = own[best][field]
            taken += sum(1 for f in fields if own[best][f] != own[shown][f])
        wanted[shown] = (values, fused)
    with transaction.atomic():
        for pk, (values, fused) in wanted.items():
            _write(rows[pk], values, fused)
    return taken
