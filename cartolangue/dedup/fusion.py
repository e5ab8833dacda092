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

from django.db import transaction

from cartolangue.offers.models import Course

PROVIDER = ("saisie", "tableur")
# Field → source formats in order of authority (then the record shown, then the lowest id). Levels, weekly hours
# and childcare: Réseau Alpha's associations describe their courses in those terms; funding, total hours and
# the certification codes: DOKELIO (LHEO), which the Région's funded offer goes through; data·inclusion, whose
# services say neither level nor hours, last.
LEVELS_FIRST = (*PROVIDER, "reseau-alpha", "lheo", "data-inclusion")
FUNDING_FIRST = (*PROVIDER, "lheo", "reseau-alpha", "data-inclusion")
FIELD_AUTHORITY: dict[str, tuple[str, ...]] = {
    "cecrl_level_target": LEVELS_FIRST,
    "entry_level_oral": LEVELS_FIRST,
    "entry_level_written": LEVELS_FIRST,
    "hours_per_week": LEVELS_FIRST,
    "childcare": LEVELS_FIRST,
    "total_hours": FUNDING_FIRST,
    "is_free": FUNDING_FIRST,
    "cost_amount": FUNDING_FIRST,
    "cost_details": FUNDING_FIRST,
    "registration_mode": FUNDING_FIRST,
    "formacode": FUNDING_FIRST,
    "rs_code": FUNDING_FIRST,
    "rncp_code": FUNDING_FIRST,
}
BATCH = 2000


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _stored(value: Any) -> Any:
    """A field value as JSON keeps it (a decimal as its text)."""
    return str(value) if isinstance(value, Decimal) else value


def _read(field: str, value: Any) -> Any:
    return None if value is None else Course._meta.get_field(field).to_python(value)


def _rank(source: str, field: str, formats: dict[str, str]) -> int:
    order = FIELD_AUTHORITY[field]
    kind = formats.get(source, source)
    return order.index(kind) if kind in order else len(order)


def restore(course_ids: Iterable[int] | None = None) -> int:
    """Put back the own values of the fused fields (of `course_ids`, or of every course); a value changed since it
    was fused (by an import or a provider) is the record's own: it stays. Returns the courses restored."""
    fused = Course.objects.exclude(fused_fields={})
    if course_ids is not None:
        fused = fused.filter(pk__in=list(course_ids))
    changed = []
    for course in fused.only("pk", "fused_fields", *FIELD_AUTHORITY):
        for field, entry in course.fused_fields.items():
            if _stored(getattr(course, field)) == entry["value"]:
                setattr(course, field, _read(field, entry["own"]))
        course.fused_fields = {}
        changed.append(course)
    with transaction.atomic():
        Course.objects.bulk_update(changed, [*FIELD_AUTHORITY, "fused_fields"], batch_size=BATCH)
    return len(changed)


def fuse(groups: dict[int, list[int]], sources: dict[int, str], formats: dict[str, str]) -> int:
    """Give each record shown (key of `groups`, its copies as value) the value of each field from the member of
    its group with the most authority over that field that has one. Run after `restore` of the same courses.
    Returns the fields taken from a copy."""
    members = {pk for shown, copies in groups.items() for pk in (shown, *copies)}
    values = {
        row["pk"]: row
        for row in Course.objects.filter(pk__in=list(members)).values("pk", "hand_edited_fields", *FIELD_AUTHORITY)
    }
    changed, taken = [], 0
    for shown, copies in groups.items():
        own = values[shown]
        fused: dict[str, dict[str, Any]] = {}
        for field in FIELD_AUTHORITY:
            if field in own["hand_edited_fields"]:
                continue
            ranked = sorted((shown, *copies), key=lambda pk: (_rank(sources[pk], field, formats), pk != shown, pk))
            best = next((pk for pk in ranked if not _empty(values[pk][field])), shown)
            if best != shown and values[best][field] != own[field]:
                fused[field] = {"own": _stored(own[field]), "value": _stored(values[best][field]), "from": best}
        if fused:
            course = Course(pk=shown, fused_fields=fused, **{field: own[field] for field in FIELD_AUTHORITY})
            for field, entry in fused.items():
                setattr(course, field, _read(field, entry["value"]))
            changed.append(course)
            taken += len(fused)
    Course.objects.bulk_update(changed, [*FIELD_AUTHORITY, "fused_fields"], batch_size=BATCH)
    return taken
