"""Is this still true? A course's information was confirmed on a date (`Course.verified_on`, else the date its
source last changed it) by someone (`verified_by`); past STALE_AFTER_MONTHS it is "information à vérifier":
said on its card, page, API and flyer line, and ranked after fresh courses at equal sort key (ADR 0006)."""

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone


def confirmed_on(verified_on: datetime.date | None, updated_at: datetime.datetime | None) -> datetime.date:
    """The confirmation date: the explicit one, else the day the source last changed the record."""
    if verified_on is not None:
        return verified_on
    if updated_at is None:
        return timezone.localdate()
    return timezone.localtime(updated_at).date() if timezone.is_aware(updated_at) else updated_at.date()


def stale_before(today: datetime.date) -> datetime.date:
    """The first date still fresh: the same day STALE_AFTER_MONTHS months before `today` (clamped to the end of a
    shorter month)."""
    months = today.year * 12 + today.month - 1 - settings.STALE_AFTER_MONTHS
    year, month = divmod(months, 12)
    month += 1
    next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(today.day, last_day))


def is_stale(confirmed: datetime.date, today: datetime.date) -> bool:
    return confirmed < stale_before(today)


def stale_q(today: datetime.date) -> Q:
    """The courses "à vérifier" on `today`, as a database condition (the same rule as `is_stale`)."""
    cutoff = stale_before(today)
    midnight = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time()))
    return Q(verified_on__lt=cutoff) | Q(verified_on__isnull=True, updated_at__lt=midnight)


def confirm(course: Any, by: str, day: datetime.date | None = None) -> None:
    """Record that `by` (enums.ConfirmedBy) says the course is true today; saved by the caller."""
    course.verified_on = day or timezone.localdate()
    course.verified_by = by
