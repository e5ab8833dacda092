"""`cartolangue.db`: plain-row inserts hold what the ORM would store; foreign keys
checked as rows are written during a bulk write."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from cartolangue.db import _preparer, constraints_checked_at_once, insert_rows
from cartolangue.offers.models import Course, CourseFunder, Session, TimeSlot
from tests.factories import CourseFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
STAMPS = [
    datetime.datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=PARIS),  # just before the change to summer time
    datetime.datetime(2026, 3, 29, 3, 0, tzinfo=PARIS),
    datetime.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS),  # the repeated hour, second time
    datetime.datetime(2026, 6, 23, 9, 17, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
    datetime.datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=datetime.UTC),
    datetime.datetime(1999, 12, 31, 23, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=-9, minutes=-30))),
]


@pytest.mark.django_db
def test_datetimes_are_prepared_as_the_orm_prepares_them():
    field = Course._meta.get_field("updated_at")
    prepare = _preparer(field)
    for stamp in STAMPS:
        assert prepare(stamp) == field.get_db_prep_save(stamp, connection), stamp


def _instant(prepared):
    """SQLite gets text in UTC, PostgreSQL the aware datetime itself: compare instants."""
    return prepared.astimezone(datetime.UTC) if isinstance(prepared, datetime.datetime) else prepared


@pytest.mark.django_db
def test_the_repeated_hour_of_the_change_to_winter_time_is_not_taken_for_the_first_one():
    first = datetime.datetime(2026, 10, 25, 2, 30, tzinfo=PARIS)
    second = first.replace(fold=1)
    assert first == second  # same zone: fold is ignored by ==, and by a dict (PEP 495)
    prepare = _preparer(Course._meta.get_field("updated_at"))
    assert _instant(prepare(first)) != _instant(prepare(second))
    assert prepare(second) == Course._meta.get_field("updated_at").get_db_prep_save(second, connection)


@pytest.mark.django_db
def test_plain_rows_read_back_as_the_values_given():
    course = CourseFactory()
    stamp = STAMPS[2]
    insert_rows(
        Session,
        ["course", "source", "source_id", "source_url", "starts_on", "ends_on", "recruitment_status", "seats"]
        + ["seats_left", "updated_at", "created_at"],
        [
            (course, "t", "s1", "", datetime.date(2026, 9, 1), None, "ouvert", 12, 3, stamp, STAMPS[4]),
            (
                course.pk,
                "t",
                "s2",
                "",
                datetime.date(2026, 9, 1),
                datetime.date(2027, 6, 30),
                "",
                None,
                None,
                stamp,
                stamp,
            ),
        ],
    )
    insert_rows(TimeSlot, ["course", "weekday", "starts_at", "ends_at"], [(course, 2, datetime.time(18), "20:30")])
    first, second = Session.objects.filter(source="t").order_by("source_id")
    assert (first.course_id, first.starts_on, first.ends_on, first.seats, first.seats_left) == (
        course.pk,
        datetime.date(2026, 9, 1),
        None,
        12,
        3,
    )
    # (a time in the repeated hour never equals one in another zone: compare in UTC, PEP 495)
    assert first.updated_at == stamp.astimezone(datetime.UTC) and first.created_at == STAMPS[4]
    assert (second.course_id, second.ends_on, second.seats) == (course.pk, datetime.date(2027, 6, 30), None)
    slot = TimeSlot.objects.get(course=course, weekday=2)
    assert (slot.starts_at, slot.ends_at) == (datetime.time(18), datetime.time(20, 30))


@pytest.mark.django_db
def test_decimals_go_through_the_field():
    field = Course._meta.get_field("cost_amount")
    assert _preparer(field)(Decimal("12.50")) == field.get_db_prep_save(Decimal("12.50"), connection)


@pytest.mark.django_db
def test_during_a_bulk_write_foreign_keys_are_checked_as_rows_are_written_then_at_commit_again():
    if connection.vendor != "postgresql":
        pytest.skip("SET CONSTRAINTS is PostgreSQL's; SQLite counts foreign-key violations as rows are written")

    def orphan():
        CourseFunder.objects.create(course_id=2_000_000_000, funder="ofii")

    with constraints_checked_at_once():
        with pytest.raises(IntegrityError), transaction.atomic():
            orphan()  # refused by the statement itself
    with transaction.atomic():
        orphan()  # deferred again: checked at commit, which this savepoint never reaches
        transaction.set_rollback(True)
