"""The database itself rejects rows that break the domain's invariants."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from cartolangue.offers import enums
from cartolangue.offers.models import Course, CourseAudience, Place, Session, Structure, TimeSlot
from tests.factories import CourseFactory, ExamSessionFactory, PlaceFactory, SessionFactory, StructureFactory

pytestmark = pytest.mark.django_db


def _rejected(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_valid_rows_are_accepted():
    session = SessionFactory()
    assert session.course.place.commune.code_insee == "95127"
    ExamSessionFactory()


def test_session_starts_before_it_ends():
    course = CourseFactory()
    _rejected(
        lambda: SessionFactory(course=course, starts_on=datetime.date(2027, 2, 1), ends_on=datetime.date(2027, 1, 1))
    )
    SessionFactory(course=course, starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 1, 1))
    SessionFactory(course=course, starts_on=None, ends_on=datetime.date(2027, 1, 1))  # LHEO allows unknown dates


def test_seats_left_within_seats():
    _rejected(lambda: SessionFactory(seats=10, seats_left=11))


def test_entry_level_not_above_target():
    _rejected(lambda: CourseFactory(cecrl_level_target=enums.CecrlLevel.A1, entry_level_oral=enums.CecrlLevel.A2))
    _rejected(lambda: CourseFactory(cecrl_level_target=enums.CecrlLevel.A2, entry_level_written=enums.CecrlLevel.B1))
    CourseFactory(
        cecrl_level_target=enums.CecrlLevel.A2,
        entry_level_oral=enums.CecrlLevel.A2,
        entry_level_written=enums.CecrlLevel.A1_1,
    )


def test_unique_source_and_source_id():
    StructureFactory(source="lheo", source_id="OF_1")
    _rejected(lambda: StructureFactory(source="lheo", source_id="OF_1"))
    StructureFactory(source="reseau-alpha", source_id="OF_1")
    course = CourseFactory(source="lheo", source_id="AF_1")
    _rejected(lambda: CourseFactory(source="lheo", source_id="AF_1", structure=course.structure))


def test_source_is_required():
    _rejected(lambda: StructureFactory(source=""))
    _rejected(lambda: StructureFactory(source_id=""))


def test_manual_records_get_a_unique_source_id():
    a, b = StructureFactory(source="saisie", source_id=Structure._meta.get_field("source_id").default()), None
    b = Structure.objects.create(name="B", kind=enums.StructureKind.ASSOCIATION)
    assert b.source == "saisie" and b.source_id and b.source_id != a.source_id


def test_free_course_has_no_cost():
    _rejected(lambda: CourseFactory(is_free=True, cost_amount=Decimal("20")))
    CourseFactory(is_free=False, cost_amount=Decimal("20"))


def test_siret_has_14_characters():
    _rejected(lambda: StructureFactory(siret="1234"))
    StructureFactory(siret="73282932000074")


def test_post_code_has_5_characters():
    _rejected(lambda: PlaceFactory(post_code="9500"))


def test_coordinates_in_range():
    _rejected(lambda: PlaceFactory(latitude=91))
    _rejected(lambda: PlaceFactory(longitude=-181))


def test_time_slot_starts_before_it_ends():
    course = CourseFactory()
    _rejected(
        lambda: TimeSlot.objects.create(
            course=course, weekday=0, starts_at=datetime.time(10), ends_at=datetime.time(9)
        )
    )
    _rejected(
        lambda: TimeSlot.objects.create(
            course=course, weekday=7, starts_at=datetime.time(9), ends_at=datetime.time(10)
        )
    )
    TimeSlot.objects.create(course=course, weekday=0, starts_at=datetime.time(9), ends_at=datetime.time(10))
    _rejected(
        lambda: TimeSlot.objects.create(
            course=course, weekday=0, starts_at=datetime.time(9), ends_at=datetime.time(11)
        )
    )


def test_one_flag_per_audience():
    course = CourseFactory()
    CourseAudience.objects.create(course=course, audience=enums.Audience.CIR, mode=enums.AudienceMode.EXCLUSIVE)
    _rejected(
        lambda: CourseAudience.objects.create(
            course=course, audience=enums.Audience.CIR, mode=enums.AudienceMode.PRIORITY
        )
    )


def test_exam_registration_deadline_before_exam():
    _rejected(
        lambda: ExamSessionFactory(
            exam_date=datetime.date(2027, 1, 1), registration_deadline=datetime.date(2027, 1, 2)
        )
    )
    _rejected(lambda: ExamSessionFactory(price=Decimal("-1")))


def test_a_place_in_use_cannot_be_deleted():
    course = CourseFactory()
    from django.db.models import RestrictedError

    with pytest.raises(RestrictedError):
        Place.objects.filter(pk=course.place.pk).delete()
    Structure.objects.filter(pk=course.structure.pk).delete()  # the structure takes its offer with it
    assert not Course.objects.filter(pk=course.pk).exists()
    assert not Session.objects.filter(course_id=course.pk).exists()
