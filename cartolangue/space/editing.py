"""What a provider's edit does besides saving the form: the course becomes theirs field by field
(`hand_edited_fields`, the import rule of moderation/conflicts.py), its update date moves, and a new course of a
structure under pre-moderation waits for a coordinator."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from cartolangue.offers import enums, freshness
from cartolangue.offers.models import Course, CourseAudience, CourseFunder, CourseSchooling, Structure


def status_for_new_course(structure: Structure) -> str:
    return enums.PublicationStatus.PENDING if structure.premoderated else enums.PublicationStatus.PUBLISHED


def mark_hand_edited(course: Course, fields: Iterable[str]) -> None:
    """Record the fields as the provider's, the course as updated now and confirmed by its structure today
    (saved by the caller)."""
    course.hand_edited_fields = sorted(set(course.hand_edited_fields or ()) | set(fields))
    course.updated_at = timezone.now()
    freshness.confirm(course, enums.ConfirmedBy.STRUCTURE)


def replace_children(course: Course, audiences: dict[str, str], schooling: list[str], funders: list[str]) -> None:
    """Write the course's audiences, schooling criteria and funders as the form gives them."""
    with transaction.atomic():
        if dict(course.audiences.values_list("audience", "mode")) != audiences:
            course.audiences.all().delete()
            CourseAudience.objects.bulk_create(
                CourseAudience(course=course, audience=value, mode=mode) for value, mode in audiences.items()
            )
        if set(course.schooling.values_list("schooling", flat=True)) != set(schooling):
            course.schooling.all().delete()
            CourseSchooling.objects.bulk_create(CourseSchooling(course=course, schooling=v) for v in schooling)
        if set(course.funders.values_list("funder", flat=True)) != set(funders):
            course.funders.all().delete()
            CourseFunder.objects.bulk_create(CourseFunder(course=course, funder=v) for v in funders)


def duplicate(course: Course) -> Course:
    """A copy of the course (a new record of the provider's, with its slots and children, no sessions)."""
    with transaction.atomic():
        slots = list(course.time_slots.all())
        audiences = dict(course.audiences.values_list("audience", "mode"))
        schooling = list(course.schooling.values_list("schooling", flat=True))
        funders = list(course.funders.values_list("funder", flat=True))
        certifications = list(course.certifications.all())
        copy = Course.objects.get(pk=course.pk)
        copy.pk = copy.id = None
        copy._state.adding = True
        copy.source = Course._meta.get_field("source").default
        copy.source_id = Course._meta.get_field("source_id").default()
        copy.source_url = ""
        copy.name = f"{course.name} (copie)"[:250]
        copy.status = status_for_new_course(course.structure)
        copy.hand_edited_fields = []
        # A record of its own: not a copy of another source's course, no field taken from one (cartolangue/dedup).
        copy.duplicate_of = None
        copy.fused_fields = {}
        copy.updated_at = timezone.now()
        copy.save()
        for slot in slots:
            slot.pk = None
            slot._state.adding = True
            slot.course = copy
            slot.save()
        replace_children(copy, audiences, schooling, funders)
        copy.certifications.set(certifications)
    return copy
