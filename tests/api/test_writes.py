"""The write API (issue #20): keys made and revoked in the provider space, stored hashed; idempotent upserts by
the partner's identifiers; the same rules, permission and history as the provider space; every refusal a 4xx
naming the field; a push of 1,000 courses, then the same push: 1,000 created, then 1,000 unchanged."""

import re
import time

import pytest

from cartolangue.accounts.models import ApiToken, Membership
from cartolangue.offers.models import Course
from tests.factories import PlaceFactory, StructureFactory
from tests.space.conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(client):
    """A member of structure A makes a key in their space; a member of structure B makes one for B."""
    keys = {}
    for name in ("A", "B"):
        structure = StructureFactory(name=f"Asso {name}")
        PlaceFactory(structure=structure)
        user = person(f"membre@{name.lower()}.test")
        Membership.objects.create(user=user, structure=structure)
        client.force_login(user)
        page = client.post("/espace/cles/", {"name": "logiciel", "structures": [structure.pk]}).content.decode()
        keys[name] = (structure, re.search(r'<code id="nouvelle-cle">(cl_[\w-]+)</code>', page).group(1))
        client.logout()
    return keys


def _h(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _place(client, structure, key, source_id="lieu-1"):
    return client.put(
        f"/api/v1/structures/{structure.pk}/places/{source_id}",
        {"address": "3 rue de la Gare", "post_code": "95000", "commune": "95127"},
        content_type="application/json",
        **_h(key),
    )


def _course(**changes):
    data = {
        "name": "FLE A2 du soir",
        "place_source_id": "lieu-1",
        "course_type": "fle",
        "cecrl_level_target": "A2",
        "entry_level_oral": "A1",
        "is_free": True,
        "time_slots": [{"weekday": 1, "starts_at": "18:00", "ends_at": "20:00"}],
        "sessions": [{"source_id": "2027", "starts_on": "2027-01-04", "ends_on": "2027-06-30"}],
        "audiences": [{"audience": "signataires-cir", "mode": "prioritaire"}],
        "funders": ["ofii"],
    }
    return {**data, **changes}


def test_a_key_is_shown_once_and_stored_hashed(partner):
    structure, key = partner["A"]
    token = ApiToken.objects.get(structures=structure)
    assert key not in {token.digest, token.prefix} and token.prefix == key[:10]
    assert not ApiToken.objects.filter(digest__contains=key).exists()


def test_upsert_by_the_partner_identifier_with_history_and_search(client, partner):
    structure, key = partner["A"]
    assert _place(client, structure, key).json()["outcome"] == "created"
    url = f"/api/v1/structures/{structure.pk}/courses/fle-soir"
    first = client.put(url, _course(), content_type="application/json", **_h(key))
    assert first.status_code == 200 and first.json()["outcome"] == "created"
    course = Course.objects.get(pk=first.json()["id"])
    assert (course.source, course.source_id, course.structure) == (f"api-{structure.pk}", "fle-soir", structure)
    assert [(s.weekday, s.starts_at.hour) for s in course.time_slots.all()] == [(1, 18)]
    assert course.history.first().history_user.email == "membre@a.test"
    assert client.put(url, _course(), content_type="application/json", **_h(key)).json()["outcome"] == "unchanged"
    history_rows = course.history.count()
    changed = client.put(url, _course(seats_left=3, places_available=True), content_type="application/json", **_h(key))
    assert changed.json()["outcome"] == "updated" and course.history.count() == history_rows + 1
    assert client.get(f"/api/v1/courses/{course.pk}").json()["seats_left"] == 3
    assert str(course.pk) in client.get("/api/v1/courses", {"q": "FLE A2 du soir"}).content.decode()
    assert client.delete(url, **_h(key)).json()["outcome"] == "deleted"
    assert not Course.objects.filter(pk=course.pk).exists()


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"entry_level_oral": "B1"}, ["body", "data", "entry_level_oral"]),
        ({"is_free": True, "cost_amount": "12.00"}, ["body", "data", "cost_amount"]),
        ({"course_type": "cuisine"}, ["body", "data", "course_type"]),
        ({"place_source_id": None, "place_id": None}, ["body", "data"]),
        ({"place_source_id": "inconnu"}, ["body", "data", "place_source_id"]),
        (
            {"time_slots": [{"weekday": 9, "starts_at": "18:00", "ends_at": "20:00"}]},
            ["body", "data", "time_slots", 0, "weekday"],
        ),
        ({"seats_left": 0, "places_available": True}, ["body", "data", "seats_left"]),
    ],
)
def test_every_refusal_is_a_422_naming_the_field(client, partner, changes, loc):
    structure, key = partner["A"]
    _place(client, structure, key)
    data = {k: v for k, v in _course(**changes).items() if v is not None}
    response = client.put(
        f"/api/v1/structures/{structure.pk}/courses/x", data, content_type="application/json", **_h(key)
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][: len(loc)] == loc
    assert not Course.objects.exists()


def test_a_place_of_another_structure_is_refused(client, partner):
    structure, key = partner["A"]
    other, _other_key = partner["B"]
    response = client.put(
        f"/api/v1/structures/{structure.pk}/courses/x",
        _course(place_source_id=None, place_id=other.places.get().pk),
        content_type="application/json",
        **_h(key),
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "data", "place_id"]


def test_keys_cannot_reach_another_structure_nor_outlive_revocation_or_membership(client, partner):
    structure, key = partner["A"]
    _other, other_key = partner["B"]
    _place(client, structure, key)
    url = f"/api/v1/structures/{structure.pk}/courses/x"
    assert client.put(url, _course(), content_type="application/json").status_code == 401
    assert client.put(url, _course(), content_type="application/json", **_h("cl_faux")).status_code == 401
    assert client.put(url, _course(), content_type="application/json", **_h(other_key)).status_code == 404
    assert _place(client, structure, other_key, "lieu-2").status_code == 404
    assert client.put(url, _course(), content_type="application/json", **_h(key)).status_code == 200
    assert client.delete(url, **_h(other_key)).status_code == 404
    Membership.objects.filter(structure=structure).delete()  # the owner leaves the structure
    assert client.put(url, _course(name="Autre"), content_type="application/json", **_h(key)).status_code == 403
    Membership.objects.create(user=ApiToken.objects.get(structures=structure).owner, structure=structure)
    client.force_login(ApiToken.objects.get(structures=structure).owner)
    client.post(f"/espace/cles/{ApiToken.objects.get(structures=structure).pk}/revoquer/")
    client.logout()
    assert client.put(url, _course(name="Autre"), content_type="application/json", **_h(key)).status_code == 401
    assert Course.objects.get().name == "FLE A2 du soir"


def test_a_key_only_covers_the_structures_its_owner_keeps(client, partner):
    _structure, _key = partner["A"]
    other, _other_key = partner["B"]
    client.force_login(Membership.objects.get(structure__name="Asso A").user)
    response = client.post("/espace/cles/", {"name": "vol", "structures": [other.pk]})
    assert response.status_code == 200 and response.context["form"].errors["structures"]
    assert not ApiToken.objects.filter(name="vol").exists()


def test_a_push_of_1000_courses_then_the_same_push(client, partner, capsys):
    structure, key = partner["A"]
    _place(client, structure, key)
    offer = [_course(source_id=f"cours-{i}", name=f"FLE A2 groupe {i}") for i in range(1000)]
    url = f"/api/v1/structures/{structure.pk}/courses"
    started = time.perf_counter()
    first = client.put(url, offer, content_type="application/json", **_h(key)).json()
    middle = time.perf_counter()
    second = client.put(url, offer, content_type="application/json", **_h(key)).json()
    ended = time.perf_counter()
    assert (first["created"], first["updated"], first["unchanged"]) == (1000, 0, 0)
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 1000)
    assert Course.objects.filter(structure=structure).count() == 1000
    with capsys.disabled():
        print(
            f"\n[write API] push of 1,000 courses: {middle - started:.1f} s; "
            f"the same push again: {ended - middle:.1f} s"
        )


def test_a_refused_course_in_a_push_stores_nothing_and_names_its_index(client, partner):
    structure, key = partner["A"]
    _place(client, structure, key)
    offer = [_course(source_id="a"), _course(source_id="b", entry_level_oral="C1")]
    response = client.put(
        f"/api/v1/structures/{structure.pk}/courses", offer, content_type="application/json", **_h(key)
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "body",
        "data",
        1,
        "entry_level_oral",
    ]
    assert not Course.objects.exists()
