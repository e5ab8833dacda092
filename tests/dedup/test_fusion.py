"""Field by field authority in a group of linked courses (dedup/fusion.py): the record shown takes a field from a
copy whose source has more authority over it, keeps a field its provider edited, and gets its own values back
when the courses are unlinked or before an import."""

from decimal import Decimal

import pytest

from cartolangue.dedup.fusion import restore
from cartolangue.dedup.models import CourseLink, Verdict
from cartolangue.dedup.store import decide, match_courses
from cartolangue.offers.models import Course
from tests.factories import CourseFactory, PlaceFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins():
    """One FLE course of a Val-d'Oise association, from DOKELIO (LHEO) and from Réseau Alpha."""
    structure = StructureFactory(name="Association Lire et Dire")
    place = PlaceFactory(structure=structure)
    common = {"structure": structure, "place": place, "name": "FLE niveau A2", "course_type": "fle"}
    lheo = CourseFactory(
        source="lheo", hours_per_week=Decimal("6.0"), total_hours=120, formacode="15235", childcare=None, **common
    )
    alpha = CourseFactory(
        source="reseau-alpha", hours_per_week=Decimal("4.5"), total_hours=90, formacode="", childcare=True, **common
    )
    for course in (lheo, alpha):
        course.time_slots.create(weekday=1, starts_at="14:00", ends_at="16:00")
    return lheo, alpha


def test_each_field_comes_from_the_source_with_authority_over_it(client, twins):
    lheo, alpha = twins
    report = match_courses()
    lheo.refresh_from_db()
    alpha.refresh_from_db()
    # LHEO's record is shown (ADR 0024) and Réseau Alpha's is its copy.
    assert alpha.duplicate_of_id == lheo.pk and lheo.duplicate_of_id is None
    # Weekly and total hours (one unit) and childcare: Réseau Alpha has authority; Formacode: DOKELIO keeps its own.
    assert (lheo.hours_per_week, lheo.total_hours, lheo.childcare, lheo.formacode) == (
        Decimal("4.5"),
        90,
        True,
        "15235",
    )
    assert set(lheo.fused_fields) == {"hours_per_week", "total_hours", "childcare"}
    assert lheo.fused_fields["hours_per_week"] == {"own": "6.0", "value": "4.5", "from": alpha.pk}
    assert report.fused_fields == 3
    shown = client.get(f"/api/v1/courses/{lheo.pk}").json()
    assert (Decimal(shown["hours_per_week"]), shown["childcare"]) == (Decimal("4.5"), True)
    # Matching again changes nothing.
    assert match_courses().fused_fields == 3
    lheo.refresh_from_db()
    assert lheo.hours_per_week == Decimal("4.5")


def test_unlinking_gives_back_the_own_values(twins):
    lheo, alpha = twins
    match_courses()
    decide(CourseLink.objects.get(), Verdict.DIFFERENT, None)
    lheo.refresh_from_db()
    assert (lheo.hours_per_week, lheo.total_hours, lheo.childcare) == (Decimal("6.0"), 120, None)
    assert lheo.fused_fields == {}
    assert Course.objects.public().filter(pk__in=[lheo.pk, alpha.pk]).count() == 2


def test_a_field_the_provider_edited_is_never_replaced(twins):
    lheo, _alpha = twins
    Course.objects.filter(pk=lheo.pk).update(hand_edited_fields=["hours_per_week"])
    match_courses()
    lheo.refresh_from_db()
    assert (lheo.hours_per_week, lheo.total_hours) == (Decimal("6.0"), 120)
    assert set(lheo.fused_fields) == {"childcare"}


def test_before_an_import_the_source_values_come_back_and_a_changed_value_stays(twins):
    lheo, _alpha = twins
    match_courses()
    Course.objects.filter(pk=lheo.pk).update(childcare=False)  # since changed, by an import or its provider
    assert restore() == 1
    lheo.refresh_from_db()
    assert (lheo.hours_per_week, lheo.childcare, lheo.fused_fields) == (Decimal("6.0"), False, {})


def test_fields_that_hold_together_come_from_one_record(twins):
    """Free or not and the cost are one unit: DOKELIO says free, Réseau Alpha gives a cost: the record shown does
    not become "free, 30 €" (which the database refuses)."""
    lheo, alpha = twins
    Course.objects.filter(pk=lheo.pk).update(is_free=True, cost_amount=None)
    Course.objects.filter(pk=alpha.pk).update(is_free=False, cost_amount=Decimal("30"), cost_details="par an")
    match_courses()
    lheo.refresh_from_db()
    assert (lheo.is_free, lheo.cost_amount, lheo.cost_details) == (True, None, "")
    # Without a word on the cost from DOKELIO, the whole unit comes from Réseau Alpha.
    Course.objects.filter(pk=lheo.pk).update(is_free=None)
    restore()
    match_courses()
    lheo.refresh_from_db()
    assert (lheo.is_free, lheo.cost_amount, lheo.cost_details) == (False, Decimal("30"), "par an")


def test_a_unit_changed_since_it_was_fused_stays_whole(twins):
    """Réseau Alpha gives the oral entry level A1 to DOKELIO's A2 record; its provider then lowers the target to
    A1 by hand. Putting back DOKELIO's own oral entry (A2) alone would break "entry not above target": the unit
    changed since, it stays as it is."""
    lheo, alpha = twins
    a1, a2 = 3, 4
    Course.objects.filter(pk=lheo.pk).update(cecrl_level_target=a2, entry_level_oral=a2)
    Course.objects.filter(pk=alpha.pk).update(cecrl_level_target=a2, entry_level_oral=a1)
    match_courses()
    lheo.refresh_from_db()
    assert (lheo.cecrl_level_target, lheo.entry_level_oral) == (a2, a1)
    Course.objects.filter(pk=lheo.pk).update(cecrl_level_target=a1, hand_edited_fields=["cecrl_level_target"])
    restore()
    lheo.refresh_from_db()
    assert (lheo.cecrl_level_target, lheo.entry_level_oral, lheo.fused_fields) == (a1, a1, {})


def test_a_duplicated_course_is_a_record_of_its_own(twins):
    from cartolangue.space.editing import duplicate

    lheo, _alpha = twins
    match_courses()
    lheo.refresh_from_db()
    copy = duplicate(lheo)
    assert (copy.fused_fields, copy.duplicate_of_id, copy.hours_per_week) == ({}, None, Decimal("4.5"))
    restore()
    copy.refresh_from_db()
    assert copy.hours_per_week == Decimal("4.5")  # what the provider saw and copied is now its own


def test_a_course_pushed_through_the_write_api_is_the_providers_own_entry(twins):
    lheo, alpha = twins
    Course.objects.filter(pk=alpha.pk).update(source="api-12")
    match_courses()
    lheo.refresh_from_db()
    alpha.refresh_from_db()
    # The provider's record is shown and keeps its own hours; DOKELIO's is the copy.
    assert (lheo.duplicate_of_id, alpha.duplicate_of_id) == (alpha.pk, None)
    assert (alpha.hours_per_week, alpha.total_hours) == (Decimal("4.5"), 90)
