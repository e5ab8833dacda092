"""The coordinators' review of pairs, as a permission matrix: who sees the page, who may decide on a pair (a
coordinator of both courses, or staff), and what a decision does to what the public sees."""

import pytest
from django.contrib.auth import get_user_model

from cartolangue.accounts.models import Coordinator, Membership
from cartolangue.dedup.models import CourseLink, Verdict
from cartolangue.dedup.store import match_courses
from cartolangue.geo.models import Departement
from cartolangue.offers.models import Course
from tests.factories import CourseFactory, PlaceFactory, StructureFactory

pytestmark = pytest.mark.django_db
PASSWORD = "cours-de-francais-2026"


def person(email, **extra):
    return get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, **extra)


@pytest.fixture
def pair():
    """One workshop of a Val-d'Oise structure, from DOKELIO and from data·inclusion, which the matcher cannot
    settle: data·inclusion's copy lost its timetable and the structure runs it on two days."""
    structure = StructureFactory(name="Association Parole Partagée")
    place = PlaceFactory(structure=structure)
    monday = CourseFactory(structure=structure, place=place, source="lheo", name="Atelier ASL – niveau A1")
    monday.time_slots.create(weekday=0, starts_at="09:00", ends_at="11:00")
    thursday = CourseFactory(structure=structure, place=place, source="lheo", name="Atelier ASL – niveau A1")
    thursday.time_slots.create(weekday=3, starts_at="09:00", ends_at="11:00")
    CourseFactory(structure=structure, place=place, source="data-inclusion", name="ASL - niv. A1")
    match_courses()
    return CourseLink.objects.filter(verdict=Verdict.MAYBE).order_by("pk").first()


def users():
    val_doise, seine_saint_denis = Departement.objects.get(code="95"), Departement.objects.get(code="93")
    here = person("coordination@defi-metiers.test")
    Coordinator.objects.create(user=here, organisation="Défi métiers").departements.add(val_doise)
    elsewhere = person("coordination@ofii-93.test")
    Coordinator.objects.create(user=elsewhere, organisation="Ofii").departements.add(seine_saint_denis)
    member = person("benevole@parole-partagee.test")
    return {
        "coordinator": here,
        "coordinator-elsewhere": elsewhere,
        "member": member,
        "staff": person("a@b.test", is_staff=True),
    }


# role → (status of the page, pair listed, status of a decision)
MATRIX = {
    "anonymous": (302, False, 302),
    "member": (403, False, 403),
    "coordinator-elsewhere": (200, False, 403),
    "coordinator": (200, True, 302),
    "staff": (200, True, 302),
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_who_sees_and_decides(client, pair, role):
    people = users()
    if role == "member":
        Membership.objects.create(user=people["member"], structure=pair.first.structure)
    if role != "anonymous":
        client.force_login(people[role])
    page_status, listed, decision_status = MATRIX[role]
    page = client.get("/espace/coordination/doublons/")
    assert page.status_code == page_status
    if page_status == 200:
        assert (f"/cours/{pair.first_id}/" in page.content.decode()) == listed
    shown = Course.objects.public().count()
    response = client.post(f"/espace/coordination/doublons/{pair.pk}/", {"decision": "same"})
    assert response.status_code == decision_status
    pair.refresh_from_db()
    if decision_status == 302 and role != "anonymous":
        assert pair.decision == Verdict.SAME and pair.decided_by == people[role]
        assert Course.objects.public().count() == shown - 1
    else:
        assert pair.decision == "" and Course.objects.public().count() == shown


def test_a_decision_needs_a_known_verdict_and_a_post(client, pair):
    client.force_login(users()["coordinator"])
    assert client.get(f"/espace/coordination/doublons/{pair.pk}/").status_code == 405
    client.post(f"/espace/coordination/doublons/{pair.pk}/", {"decision": "peut-etre"})
    pair.refresh_from_db()
    assert pair.decision == ""
