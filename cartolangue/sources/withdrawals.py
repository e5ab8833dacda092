"""Courses that a complete feed stops listing: counted version after version, withdrawn (archived) only when K
successive successful versions confirm it (setting SOURCES_WITHDRAW_AFTER_RUNS), never on one failed or
truncated download (those runs never get here); restored by hand or when the feed lists them again."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cartolangue.offers import enums
from cartolangue.offers.history import change_set
from cartolangue.offers.models import Course
from cartolangue.sources.models import Absence, Source, SyncRun, Withdrawal


@dataclass
class Counted:
    missing: int = 0  # courses this version does not list (counted, not yet withdrawn)
    withdrawn: int = 0
    restored: int = 0
    not_counted: str = ""  # why this version counted no absence


def _listed(source_id: str, listed_ids: set[str], rejected_ids: set[str]) -> bool:
    """Listed by the version: its own id, or a rejected record's id as its prefix (Réseau Alpha's courses are
    `<formation>-<address>`; a formation rejected whole still lists its courses)."""
    if source_id in listed_ids or source_id in rejected_ids:
        return True
    parts = source_id.split("-")
    return any("-".join(parts[:i]) in rejected_ids for i in range(1, len(parts)))


def count_absences(
    source: Source, run: SyncRun, listed_ids: set[str], rejected_ids: frozenset[str] | set[str] = frozenset()
) -> Counted:
    """After a successful import of a new version of `source`'s complete feed, listing `listed_ids` (and the
    rejected records `rejected_ids`). The sets are compared in Python: a feed's ids do not fit in one SQL `IN`
    (SQLite takes 32,766 parameters at most)."""
    counted = Counted()
    rows = Course.objects.filter(source=source.name).values_list("pk", "source_id", "status")
    listed, absent = set(), []
    for pk, source_id, status in rows.iterator(chunk_size=5_000):
        if _listed(source_id, listed_ids, rejected_ids):
            listed.add(pk)
        elif status != enums.PublicationStatus.ARCHIVED:
            absent.append(pk)
    shown = len(absent) + len(listed)
    if not listed_ids or len(listed) < settings.SOURCES_MIN_LISTED_SHARE * shown:
        # A version that lists none, or far fewer, of the courses on show is much more likely an export broken
        # upstream than an offer emptied: it counts nothing, and the run says so.
        counted.not_counted = f"{len(listed)} / {shown}"
        return counted
    after = settings.SOURCES_WITHDRAW_AFTER_RUNS
    absences = {a.course_id: a for a in Absence.objects.filter(source=source)}  # a few: those still counting
    back = [absences[pk].pk for pk in absences if pk in listed]
    for start in range(0, len(back), 500):
        Absence.objects.filter(pk__in=back[start : start + 500]).delete()
    for withdrawal in Withdrawal.objects.filter(source=source, restored_at__isnull=True):
        if withdrawal.course_id in listed:  # the feed lists it again
            restore(withdrawal, user=None)
            counted.restored += 1
    with change_set(f"retrait-{run.pk}"):
        for pk in absent:
            absence = absences.get(pk)
            if absence is None:
                absence = Absence.objects.create(course_id=pk, source=source, runs=1, first_missing_run=run)
            else:
                absence.runs += 1
                absence.save(update_fields=["runs"])
            if absence.runs >= after:
                _withdraw(pk, source, run)
                absence.delete()
                counted.withdrawn += 1
            else:
                counted.missing += 1
    return counted


def _withdraw(course_pk: int, source: Source, run: SyncRun) -> None:
    course = Course.objects.get(pk=course_pk)  # the whole row: its save writes a whole history row
    Withdrawal.objects.create(course=course, source=source, run=run, previous_status=course.status)
    course.status = enums.PublicationStatus.ARCHIVED
    course.save()


def restore(withdrawal: Withdrawal, *, user=None) -> None:
    """Put a withdrawn course back as it was (its status before), and close the withdrawal."""
    with transaction.atomic(), change_set(f"retabli-{withdrawal.pk}"):
        course = Course.objects.select_for_update().get(pk=withdrawal.course_id)
        if course.status == enums.PublicationStatus.ARCHIVED:
            course.status = withdrawal.previous_status
            course.save()
        withdrawal.restored_at = timezone.now()
        withdrawal.restored_by = user
        withdrawal.save(update_fields=["restored_at", "restored_by"])
