"""Every role × object × verb, asked of the one rule (`can`) and through the URLs a client can call with any id
(no IDOR): a member of another structure, a coordinator of another département and a visitor are refused."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from cartolangue.accounts.models import AccessRequest, Coordinator, Membership
from cartolangue.accounts.permissions import Verb, can
from cartolangue.geo.models import Departement
from cartolangue.moderation import changes
from cartolangue.offers import enums
from cartolangue.offers.history import change_set
from cartolangue.offers.models import TimeSlot
from tests.factories import CourseFactory, ExamSessionFactory, PlaceFactory, SessionFactory, StructureFactory, commune

pytestmark = pytest.mark.django_db
ROLES = ("visitor", "member", "admin", "other_member", "coordinator", "other_coordinator", "staff")
OBJECTS = (
    "structure",
    "place",
    "course",
    "pending_course",
    "archived_course",
    "session",
    "slot",
    "exam",
    "request",
    "change_set",
)

# A plain reading of the rules of issue #18: who may do what. ✓ = allowed.
EXPECTED = {
    # view: public objects by everyone; a course not published, a request and a change set by their people only.
    Verb.VIEW: {
        "visitor": {"structure", "place", "course", "session", "slot", "exam"},
        "member": set(OBJECTS) - {"request"},
        "admin": set(OBJECTS) - {"request"},
        "other_member": {"structure", "place", "course", "session", "slot", "exam"},
        "coordinator": set(OBJECTS),
        "other_coordinator": {"structure", "place", "course", "session", "slot", "exam"},
        "staff": set(OBJECTS),
    },
    # create/edit/delete: a structure's members, on its offer (an archived course is only brought back: edit).
    Verb.CREATE: {
        "member": {"structure", "place", "course", "pending_course", "session", "slot", "exam"},
        "admin": {"structure", "place", "course", "pending_course", "session", "slot", "exam"},
        "staff": set(OBJECTS),
    },
    Verb.EDIT: {
        "member": {"structure", "place", "course", "pending_course", "archived_course", "session", "slot", "exam"},
        "admin": {"structure", "place", "course", "pending_course", "archived_course", "session", "slot", "exam"},
        "staff": set(OBJECTS),
    },
    Verb.DELETE: {
        "member": {"place", "course", "pending_course", "session", "slot", "exam"},
        "admin": {"place", "course", "pending_course", "session", "slot", "exam"},
        "staff": set(OBJECTS),
    },
    # approve and revert: the coordinators whose scope holds the structure.
    Verb.APPROVE: {"coordinator": set(OBJECTS), "staff": set(OBJECTS)},
    Verb.REVERT: {"coordinator": set(OBJECTS), "staff": set(OBJECTS)},
    # invite: the structure's admins and its coordinators.
    Verb.INVITE: {"admin": set(OBJECTS), "coordinator": set(OBJECTS), "staff": set(OBJECTS)},
}


def _person(email, **extra):
    return get_user_model().objects.create_user(username=email, email=email, password="x-Mot-de-passe-2026", **extra)


@pytest.fixture
def world():
    structure = StructureFactory(name="Asso A")
    other = StructureFactory(name="Asso B")
    place = PlaceFactory(structure=structure)  # Cergy (95)
    PlaceFactory(structure=other, commune=commune("75056"), post_code="75001", latitude=48.86, longitude=2.35)
    course = CourseFactory(structure=structure, place=place)
    pending = CourseFactory(structure=structure, place=place, status=enums.PublicationStatus.PENDING)
    archived = CourseFactory(structure=structure, place=place, status=enums.PublicationStatus.ARCHIVED)
    slot = TimeSlot.objects.create(course=course, weekday=1, starts_at=datetime.time(9), ends_at=datetime.time(11))
    people = {"visitor": AnonymousUser()}
    for role in ("member", "admin", "other_member", "coordinator", "other_coordinator"):
        people[role] = _person(f"{role}@test.test")
    people["staff"] = _person("staff@test.test", is_staff=True)
    Membership.objects.create(user=people["member"], structure=structure)
    Membership.objects.create(user=people["admin"], structure=structure, is_admin=True)
    Membership.objects.create(user=people["other_member"], structure=other)
    for role, code in (("coordinator", "95"), ("other_coordinator", "75")):
        coordinator = Coordinator.objects.create(user=people[role], organisation="Test")
        coordinator.departements.add(Departement.objects.get(code=code))
    request = AccessRequest.objects.create(user=_person("asks@test.test"), structure=structure)
    with change_set():
        course.name = "Renamed"
        course.save()
    people_change = people["member"]
    course.history.filter(history_type="~").update(history_user=people_change)
    (entry,) = changes.review_feed([structure.pk])
    objects = {
        "structure": structure,
        "place": place,
        "course": course,
        "pending_course": pending,
        "archived_course": archived,
        "session": SessionFactory(course=course),
        "slot": slot,
        "exam": ExamSessionFactory(structure=structure, place=place),
        "request": request,
        "change_set": entry,
    }
    return people, objects


def test_the_permission_matrix_of_the_one_rule(world):
    people, objects = world
    wrong = []
    for verb, allowed_by_role in EXPECTED.items():
        for role in ROLES:
            for name in OBJECTS:
                expected = name in allowed_by_role.get(role, set())
                if verb in (Verb.CREATE, Verb.EDIT, Verb.DELETE) and name in ("request", "change_set"):
                    expected = role == "staff"
                if verb == Verb.DELETE and name == "structure":
                    expected = role == "staff"
                if can(people[role], verb, objects[name]) != expected:
                    wrong.append((role, str(verb), name, expected))
    assert wrong == []


def test_an_inactive_member_may_do_nothing_but_view_the_public(world):
    people, objects = world
    people["member"].is_active = False
    people["member"].save()
    assert not can(people["member"], Verb.EDIT, objects["course"])
    assert not can(people["member"], Verb.VIEW, objects["pending_course"])
    assert can(people["member"], Verb.VIEW, objects["course"])


def _urls(objects):
    """(label, method, url, data) of every URL of the spaces that acts on one object of structure A."""
    s, course, place = objects["structure"], objects["course"], objects["place"]
    return [
        ("structure page", "get", f"/espace/structure/{s.pk}/", {}),
        ("new course", "get", f"/espace/structure/{s.pk}/cours/nouveau/", {}),
        ("new place", "get", f"/espace/structure/{s.pk}/lieux/nouveau/", {}),
        ("exam sessions", "get", f"/espace/structure/{s.pk}/examens/", {}),
        ("edit course", "get", f"/espace/cours/{course.pk}/", {}),
        ("seats", "post", f"/espace/cours/{course.pk}/places/", {"complet": "1"}),
        ("duplicate", "post", f"/espace/cours/{course.pk}/dupliquer/", {}),
        ("archive", "post", f"/espace/cours/{course.pk}/archiver/", {}),
        ("edit place", "get", f"/espace/lieux/{place.pk}/", {}),
        (
            "approve course",
            "post",
            f"/espace/coordination/cours/{objects['pending_course'].pk}/",
            {"decision": "publier"},
        ),
        ("decide request", "post", f"/espace/coordination/demandes/{objects['request'].pk}/", {"decision": "refuser"}),
        ("premoderation", "post", f"/espace/coordination/structures/{s.pk}/pre-moderation/", {"premoderated": "oui"}),
        ("revert", "post", f"/espace/coordination/annuler/{objects['change_set'].id}/", {}),
        ("invite", "post", "/espace/invitations/", {"email": "new@test.test", "structure": s.pk}),
    ]


PROVIDER_URLS = {
    "structure page",
    "new course",
    "new place",
    "exam sessions",
    "edit course",
    "seats",
    "duplicate",
    "archive",
    "edit place",
}
COORDINATOR_URLS = {"approve course", "decide request", "premoderation", "revert", "invite"}
URL_EXPECTED = {
    "visitor": set(),
    "member": PROVIDER_URLS,
    "admin": PROVIDER_URLS | {"invite"},
    "other_member": set(),
    "coordinator": COORDINATOR_URLS,
    "other_coordinator": set(),
    "staff": PROVIDER_URLS | COORDINATOR_URLS,
}


@pytest.mark.parametrize("role", ROLES)
def test_the_urls_check_the_rule_for_the_object_they_are_given(client, world, role):
    people, objects = world
    if role != "visitor":
        client.force_login(people[role])
    outcomes = {}
    for label, method, url, data in _urls(objects):
        response = getattr(client, method)(url, data)
        if response.status_code in (200, 302) and "/espace/connexion/" not in response.get("Location", ""):
            outcomes[label] = "allowed"
        else:
            assert response.status_code in (302, 403, 404), (label, response.status_code)
            outcomes[label] = "refused"
    allowed = {label for label, outcome in outcomes.items() if outcome == "allowed"}
    assert allowed == URL_EXPECTED[role]


def test_a_coordinator_scoped_by_zone_or_by_network(world):
    from cartolangue.geo.models import ZoneMembership

    people, objects = world
    structure = objects["structure"]  # its place is in Cergy
    coordinator = people["other_coordinator"].coordinator  # Paris only so far (the instance `can` reads)
    assert not can(people["other_coordinator"], Verb.REVERT, objects["change_set"])
    cergy_zone = ZoneMembership.objects.filter(commune=objects["place"].commune).first().zone
    coordinator.zones.add(cergy_zone)
    assert can(people["other_coordinator"], Verb.REVERT, objects["change_set"])
    coordinator.zones.clear()
    structure.networks = [enums.Network.RESEAU_ALPHA]
    structure.save()
    coordinator.networks = [enums.Network.RESEAU_ALPHA]
    coordinator.save()
    assert can(people["other_coordinator"], Verb.APPROVE, objects["pending_course"])
    coordinator.networks = [enums.Network.OFII]
    coordinator.save()
    assert not can(people["other_coordinator"], Verb.APPROVE, objects["pending_course"])


# The write API's column: a key acts with its owner's rights on the structures it is scoped to. Only members
# make keys (coordinators and staff edit nothing through the API); without a key, 401.
API_EXPECTED = {"member": 200, "admin": 200, "other_member": 404}


@pytest.mark.parametrize("role", ROLES)
def test_the_write_api_column_of_the_matrix(client, world, role):
    from cartolangue.accounts.tokens import create_token
    from cartolangue.offers.models import Structure

    people, objects = world
    structure = objects["structure"]
    headers = {}
    if role in API_EXPECTED:
        own = Structure.objects.filter(memberships__user=people[role])
        _token, key = create_token(people[role], "test", own)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    place = {"address": "1 place de la Mairie", "post_code": "95000", "commune": "95127"}
    put = client.put(
        f"/api/v1/structures/{structure.pk}/places/mairie", place, content_type="application/json", **headers
    )
    assert put.status_code == API_EXPECTED.get(role, 401)
    delete = client.delete(f"/api/v1/structures/{structure.pk}/places/mairie", **headers)
    assert delete.status_code == API_EXPECTED.get(role, 401)
