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
    (("hours_per_week",), LEVELS_FIRST),
    (("childcare",), LEVELS_FIRST),
    (("total_hours",), FUNDING_FIRST),
    (("is_free", "cost_amount", "cost_details"), FUNDING_FIRST),
    (("registration_mode",), FUNDING_FIRST),
    (("formacode",), FUNDING_FIRST),
    (("rs_code",), FUNDING_FIRST),
    (("rncp_code",), FUNDING_FIRST),
)
FIELDS = [field for fields, _order in UNITS for field in fields]
BATCH = 2000


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _stored(value: Any) -> Any:
    """A field value as JSON keeps it (a decimal as its text)."""
    return str(value) if isinstance(value, Decimal) else value


def _read(field: str, value: Any) -> Any:
    model_field = Course._meta.get_field(field)
    assert isinstance(model_field, models.Field)  # every fused field is a plain column
    return None if value is None else model_field.to_python(value)


def _rank(source: str, order: tuple[str, ...], formats: dict[str, str]) -> int:
    kind = formats.get(source, source)
    return order.index(kind) if kind in order else len(order)


def restore(course_ids: Iterable[int] | None = None) -> int:
    """Put back the own values of the fused fields (of `course_ids`, or of every course). A unit changed since it
    was fused (by an import or a provider) is the record's own: it stays whole. Returns the courses restored."""
    fused = Course.objects.exclude(fused_fields={})
    if course_ids is not None:
        fused = fused.filter(pk__in=list(course_ids))
    changed = []
    for course in fused.only("pk", "fused_fields", *FIELDS):
        entries = course.fused_fields
        for fields, _order in UNITS:
            taken = [field for field in fields if field in entries]
            if taken and all(_stored(getattr(course, f)) == entries[f]["value"] for f in taken):
                for field in taken:
                    setattr(course, field, _read(field, entries[field]["own"]))
        course.fused_fields = {}
        changed.append(course)
    with transaction.atomic():
        Course.objects.bulk_update(changed, [*FIELDS, "fused_fields"], batch_size=BATCH)
    return len(changed)


def fuse(groups: dict[int, list[int]], sources: dict[int, str], formats: dict[str, str]) -> int:
    """Give each record shown (key of `groups`, its copies as value) each unit of fields from the member of its
    group with the most authority over it that gives one. Run after `restore` of the same courses. Returns the
    fields taken from a copy."""
    members = {pk for shown, copies in groups.items() for pk in (shown, *copies)}
    values = {
        row["pk"]: row
        for row in Course.objects.filter(pk__in=list(members)).values("pk", "hand_edited_fields", *FIELDS)
    }
    changed, taken = [], 0
    for shown, copies in groups.items():
        own = values[shown]
        fused: dict[str, dict[str, Any]] = {}
        for fields, order in UNITS:
            if any(field in own["hand_edited_fields"] for field in fields):
                continue
            ranked = sorted((shown, *copies), key=lambda pk: (_rank(sources[pk], order, formats), pk != shown, pk))
            best = next((pk for pk in ranked if any(not _empty(values[pk][f]) for f in fields)), shown)
            for field in fields:
                if best != shown and values[best][field] != own[field]:
                    fused[field] = {"own": _stored(own[field]), "value": _stored(values[best][field]), "from": best}
        if fused:
            course = Course(pk=shown, fused_fields=fused, **{field: own[field] for field in FIELDS})
            for field, entry in fused.items():
                setattr(course, field, _read(field, entry["value"]))
            changed.append(course)
            taken += len(fused)
    Course.objects.bulk_update(changed, [*FIELDS, "fused_fields"], batch_size=BATCH)
    return taken
