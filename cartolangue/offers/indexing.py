"""The denormalised search text of courses: lower-case, without accents, so that the full-text filter is
accent- and case-insensitive on SQLite and PostgreSQL alike (no `unaccent` extension needed).

Whoever writes courses in bulk (imports, the demo generator) sets `search_text` with `course_search_text`;
single saves and edits of a structure or place refresh it through the signals below.
"""

from django.db.models import QuerySet
from django.db.models.signals import post_save
from django.dispatch import receiver

from cartolangue.offers.models import Course, Place, Structure
from cartolangue.text import fold

normalise = fold


def search_text_parts(course: Course, structure: Structure, place: Place, commune_name: str) -> list[str]:
    """What the search text of a course is made of, in order (the blank parts left out)."""
    parts = (
        course.name,
        course.description,
        structure.name,
        structure.acronym,
        place.name,
        place.address,
        place.post_code,
        commune_name,
    )
    return [p for p in parts if p]


def course_search_text(course: Course, structure: Structure, place: Place, commune_name: str) -> str:
    return normalise(" ".join(search_text_parts(course, structure, place, commune_name)))


def courses_reindex(queryset: QuerySet[Course]) -> int:
    """Recompute `search_text` for the given courses."""
    courses = list(queryset.select_related("structure", "place__commune"))
    for course in courses:
        course.search_text = course_search_text(course, course.structure, course.place, course.place.commune.name)
    Course.objects.bulk_update(courses, ["search_text"], batch_size=2000)
    return len(courses)


@receiver(post_save, sender=Course)
def _course_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    text = course_search_text(instance, instance.structure, instance.place, instance.place.commune.name)
    if text != instance.search_text:
        instance.search_text = text
        Course.objects.filter(pk=instance.pk).update(search_text=text)


@receiver(post_save, sender=Structure)
def _structure_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        courses_reindex(Course.objects.filter(structure=instance))


@receiver(post_save, sender=Place)
def _place_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        courses_reindex(Course.objects.filter(place=instance))
