"""One rule for imports versus hand edits: a field a provider set by hand (`Course.hand_edited_fields`) keeps the
provider's value when a later import of the same record brings another. The import counts it as a conflict, and
the coordinators' feed lists it until one of them accepts the source's value or keeps the provider's. A source
that brings no value for the field is no conflict: the provider filled a gap."""

import dataclasses
from typing import Any

from django.db import transaction
from django.utils import timezone

from cartolangue.moderation.models import ImportConflict, ImportEvent
from cartolangue.offers.models import Course

# A course's child tables, each edited as one field of the provider space.
CHILD_FIELDS = ("audiences", "schooling", "funders", "time_slots", "certifications")


@dataclasses.dataclass(frozen=True)
class Conflict:
    course_id: int
    field: str
    source: str
    source_value: Any


def _jsonable(value: Any) -> Any:
    """The value as a JSON field stores it (its encoder writes dates, times and decimals as text)."""
    return [list(row) for row in sorted(value, key=repr)] if isinstance(value, set | frozenset) else value


def _empty(value: Any) -> bool:
    """A source that says nothing about a field (no value) does not contradict the provider who filled it."""
    return value is None or value == "" or value == [] or value == set()


def values_kept_by_provider(course: Course, incoming: dict[str, Any], source: str, found: list[Conflict]) -> dict:
    """The incoming values without the fields the provider set by hand; a differing one is noted in `found`."""
    locked = set(course.hand_edited_fields or ())
    if not locked:
        return incoming
    kept = {}
    for name, value in incoming.items():
        if name not in locked:
            kept[name] = value
        elif not _empty(value) and getattr(course, name) != value:
            found.append(Conflict(course.pk, name, source, _jsonable(value)))
    return kept


def child_kept_by_provider(
    course: Course, field: str, wanted: set, have: set, source: str, found: list[Conflict]
) -> bool:
    """True when the provider set this child table by hand: the import leaves it (noting a differing value)."""
    if field not in (course.hand_edited_fields or ()):
        return False
    if wanted and wanted != have:
        found.append(Conflict(course.pk, field, source, _jsonable(wanted)))
    return True


def record_import(report_dict: dict, course_ids: list[int], conflicts: list[Conflict]) -> ImportEvent:
    """Record the import as one event, with its conflicts (one open conflict per course and field)."""
    event = ImportEvent.objects.create(
        source=report_dict.get("source", ""),
        file=report_dict.get("file", "")[:250],
        format=report_dict.get("format", ""),
        report=report_dict,
        course_ids=sorted(set(course_ids)),
    )
    with transaction.atomic():
        for conflict in conflicts:
            ImportConflict.objects.update_or_create(
                course_id=conflict.course_id,
                field=conflict.field,
                status=ImportConflict.Status.OPEN,
                defaults={"source": conflict.source, "source_value": conflict.source_value, "event": event},
            )
    return event


def resolve(conflict: ImportConflict, accept_source: bool, user: Any) -> None:
    """A coordinator's decision. Accepting the source's value writes it and gives the field back to imports."""
    with transaction.atomic():
        if accept_source:
            course = Course.objects.select_for_update().get(pk=conflict.course_id)
            if conflict.field not in CHILD_FIELDS:
                field = Course._meta.get_field(conflict.field)
                setattr(course, conflict.field, field.to_python(conflict.source_value))
            course.hand_edited_fields = [f for f in course.hand_edited_fields if f != conflict.field]
            course.save()
            # A child table comes back with the next import of the source, which now owns it again.
        conflict.status = conflict.Status.SOURCE_ACCEPTED if accept_source else conflict.Status.PROVIDER_KEPT
        conflict.decided_by = user
        conflict.decided_at = timezone.now()
        conflict.save()
