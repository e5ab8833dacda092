import datetime
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max
from django.utils import timezone

from cartolangue.geo.lookup import commune_at
from cartolangue.geo.models import PostCode
from cartolangue.offers import enums
from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import (
    DEMO_SOURCE,
    Course,
    CourseAudience,
    CourseFunder,
    CourseSchooling,
    ExamSession,
    Place,
    Session,
    Structure,
    TimeSlot,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 27)


def _digest():
    """A fingerprint of the whole demo offer, by natural keys (source ids), without database ids."""
    h = hashlib.sha256()
    rows = [
        Structure.objects.order_by("source_id").values_list("source_id", "name", "siret", "kind", "updated_at"),
        Place.objects.order_by("source_id").values_list(
            "source_id", "structure__source_id", "address", "post_code", "commune__code_insee", "latitude", "longitude"
        ),
        Course.objects.order_by("source_id").values_list(
            "source_id",
            "place__source_id",
            "name",
            "course_type",
            "cecrl_level_target",
            "entry_level_oral",
            "entry_level_written",
            "hours_per_week",
            "is_free",
            "cost_amount",
            "childcare",
            "updated_at",
        ),
        TimeSlot.objects.order_by("course__source_id", "weekday").values_list(
            "course__source_id", "weekday", "starts_at", "ends_at"
        ),
        CourseAudience.objects.order_by("course__source_id", "audience").values_list(
            "course__source_id", "audience", "mode"
        ),
        CourseSchooling.objects.order_by("course__source_id", "schooling").values_list(
            "course__source_id", "schooling"
        ),
        CourseFunder.objects.order_by("course__source_id", "funder").values_list("course__source_id", "funder"),
        Session.objects.order_by("source_id").values_list(
            "source_id", "course__source_id", "starts_on", "ends_on", "seats", "seats_left"
        ),
        ExamSession.objects.order_by("source_id").values_list(
            "source_id", "certification__code", "exam_date", "registration_deadline", "price"
        ),
        Course.certifications.through.objects.order_by("course__source_id", "certification__code").values_list(
            "course__source_id", "certification__code"
        ),
    ]
    for queryset in rows:
        for row in queryset:
            h.update(repr(row).encode())
    return h.hexdigest()


def test_generator_is_deterministic():
    first = demo_generate(courses=300, seed=7, reference_date=DAY)
    digest = _digest()
    again = demo_generate(courses=300, seed=7, reference_date=DAY)
    assert again == first
    assert _digest() == digest
    demo_generate(courses=300, seed=8, reference_date=DAY)
    assert _digest() != digest


def test_counts_and_flag():
    summary = demo_generate(courses=500, seed=3, reference_date=DAY)
    assert summary.courses == Course.objects.count() == 500
    assert summary.sessions == Session.objects.count() >= 500
    assert summary.exam_sessions == ExamSession.objects.count() > 0
    for model in (Structure, Place, Course, Session, ExamSession):
        assert set(model.objects.values_list("source", flat=True)) == {DEMO_SOURCE}


def test_demo_is_plausible():
    demo_generate(courses=600, seed=5, reference_date=DAY)
    # Every type of course appears, each with levels that make sense for it.
    assert set(Course.objects.values_list("course_type", flat=True)) == set(enums.CourseType.values)
    assert set(
        Course.objects.filter(course_type=enums.CourseType.ALPHA).values_list("cecrl_level_target", flat=True)
    ) == {enums.CecrlLevel.A1_1}
    assert (
        not CourseSchooling.objects.filter(course__course_type=enums.CourseType.ALPHA)
        .exclude(schooling=enums.Schooling.NONE_OR_LITTLE)
        .exists()
    )
    oepre = Course.objects.filter(course_type=enums.CourseType.OEPRE)
    assert oepre.exists()
    assert (
        oepre.filter(audiences__audience=enums.Audience.PARENTS, audiences__mode="exclusif").count() == oepre.count()
    )
    assert (
        not Course.objects.filter(course_type=enums.CourseType.CIR).exclude(funders__funder=enums.Funder.OFII).exists()
    )
    # Every course has a timetable, a schooling criterion and an audience.
    for related in ("time_slots", "schooling", "audiences"):
        assert not Course.objects.filter(**{f"{related}__isnull": True}).exists(), related
    # Val-d'Oise is the densest département per inhabitant.
    in_95 = Course.objects.filter(place__commune__departement__code="95").count()
    assert in_95 > 0.15 * 600
    # Places lie in their commune, with one of its post codes.
    for place in Place.objects.select_related("commune")[:60]:
        assert commune_at(place.latitude, place.longitude).pk == place.commune_id
        assert PostCode.objects.filter(code=place.post_code, commune=place.commune).exists()
    # Exam sessions are in the future, with a registration deadline before the test.
    assert not ExamSession.objects.filter(exam_date__lte=DAY).exists()


def test_regenerating_keeps_real_records():
    real = CourseFactory(source="lheo", source_id="AF_1")
    demo_generate(courses=50, seed=1, reference_date=DAY)
    demo_generate(courses=20, seed=1, reference_date=DAY)
    assert Course.objects.demo().count() == 20
    assert Course.objects.real().get() == real


def test_command(capsys):
    out = io.StringIO()
    call_command("generate_demo", "--courses", "40", "--seed", "2", "--date", "2026-11-27", stdout=out)
    assert "Démonstration : 40 cours" in out.getvalue()
    with pytest.raises(CommandError, match="Date invalide « 27/11/2026 »"):
        call_command("generate_demo", "--date", "27/11/2026", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--courses"):
        call_command("generate_demo", "--courses", "-1", stdout=io.StringIO())


def _latest_stamps():
    return [
        Structure.objects.aggregate(m=Max("updated_at"))["m"],
        Course.objects.aggregate(m=Max("updated_at"))["m"],
        Session.objects.aggregate(m=Max("updated_at"))["m"],
        Session.objects.aggregate(m=Max("created_at"))["m"],
        ExamSession.objects.aggregate(m=Max("updated_at"))["m"],
    ]


def test_demo_records_were_last_changed_before_their_reference_date():
    demo_generate(courses=200, seed=3, reference_date=DAY)
    start_of_day = datetime.datetime(2026, 11, 27, tzinfo=datetime.UTC)
    assert all(stamp <= start_of_day for stamp in _latest_stamps())


def test_demo_dates_are_never_in_the_future_even_for_a_reference_date_to_come():
    demo_generate(courses=200, seed=3, reference_date=timezone.localdate() + datetime.timedelta(days=30))
    now = timezone.now()
    assert all(stamp <= now for stamp in _latest_stamps())
