"""The loop of issue #18, through the pages as a coordinator and a provider use them: invitation, login, "complet",
the Tuesday slot moved, shown at once by the search, the course page, the API and the flyer's content; the
coordinator sees the diff and reverts it; the public side shows the old values again."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from cartolangue.flyers.content import build_selection, course_item
from cartolangue.flyers.languages import FLYER_LANGUAGES
from cartolangue.offers.models import Course, TimeSlot
from tests.space.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _invite_and_accept(
    django_capture_on_commit_callbacks, client, coordinator_user, structure, email="formatrice@parole-partagee.test"
):
    client.force_login(coordinator_user)
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves once the invitation is stored
        response = client.post("/espace/invitations/", {"email": email, "structure": structure.pk})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [email]
    link = re.search(r"https?://[^/\s]+(/espace/invitation/[^\s]+/)", message.body).group(1)
    client.logout()
    response = client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    return link


def _search_html(client, course):
    return client.get("/", {"q": course.name}).content.decode()


def test_invitation_complet_slot_change_diff_and_revert(
    django_capture_on_commit_callbacks, client, coordinator_user, structure, course
):
    link = _invite_and_accept(django_capture_on_commit_callbacks, client, coordinator_user, structure)
    client.logout()
    # The provider logs in with the address, in any case.
    response = client.post("/espace/connexion/", {"username": "Formatrice@Parole-Partagee.test", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/espace/").content.decode()
    assert "Atelier du mardi" in home

    # "Complet" in one click from the list.
    assert client.post(f"/espace/cours/{course.pk}/places/", {"complet": "1"}).status_code == 302
    # The Tuesday slot moves to 18:00–20:00, through the course form.
    form = client.get(f"/espace/cours/{course.pk}/").context["form"]
    data = {name: value for name, value in _form_data(form).items()}
    slot = course.time_slots.get()
    data.update(
        {
            "creneaux-TOTAL_FORMS": "1",
            "creneaux-INITIAL_FORMS": "1",
            "creneaux-0-id": str(slot.pk),
            "creneaux-0-course": str(course.pk),
            "creneaux-0-weekday": "1",
            "creneaux-0-starts_at": "18:00",
            "creneaux-0-ends_at": "20:00",
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"/espace/cours/{course.pk}/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors

    # Shown at once: search card, course page, API, flyer content.
    assert "Complet" in _search_html(client, course)
    page = client.get(f"/cours/{course.pk}/").content.decode()
    assert "complet" in page and "18:00" in page
    api = client.get(f"/api/v1/courses/{course.pk}").json()
    assert api["places_available"] is False and api["seats_left"] == 0
    assert [s["starts_at"][:5] for s in api["time_slots"]] == ["18:00"]
    assert "18:00" in " ".join(str(line) for line in _flyer_lines(course))

    # The coordinator sees the two edits (two requests: two entries), field by field, by whom; reverts both.
    client.logout()
    client.force_login(coordinator_user)
    feed = client.get("/espace/coordination/")
    slot_entry, seats_entry = feed.context["change_sets"]
    assert {(c.label, c.before, c.after) for item in slot_entry.items for c in item.changes} == {
        ("début", "14:00:00", "18:00:00"),
        ("fin", "16:00:00", "20:00:00"),
    }
    assert {(c.label, c.before, c.after) for item in seats_entry.items for c in item.changes} == {
        ("places disponibles", "oui", "non"),
        ("places restantes", "—", "0"),
    }
    assert {slot_entry.user.email, seats_entry.user.email} == {"formatrice@parole-partagee.test"}
    html = feed.content.decode()
    assert "18:00" in html and "14:00" in html
    for entry in (slot_entry, seats_entry):
        assert client.post(f"/espace/coordination/annuler/{entry.id}/").status_code == 302

    # The feed now shows the two reverts, and the two edits as reverted: none can be reverted again.
    entries = client.get("/espace/coordination/").context["change_sets"]
    assert sorted((bool(e.reverts), e.reverted_by is not None) for e in entries) == [
        (False, True),
        (False, True),
        (True, False),
        (True, False),
    ]
    assert client.post(f"/espace/coordination/annuler/{slot_entry.id}/").status_code == 302
    assert [str(m) for m in client.get("/espace/").context["messages"]] == [
        "Cette modification est déjà annulée, ou c'est elle-même une annulation."
    ]
    course.refresh_from_db()
    assert course.places_available is True and course.seats_left is None
    assert [(s.starts_at.hour, s.ends_at.hour) for s in TimeSlot.objects.filter(course=course)] == [(14, 16)]
    api = client.get(f"/api/v1/courses/{course.pk}").json()
    assert api["places_available"] is True
    assert [s["starts_at"][:5] for s in api["time_slots"]] == ["14:00"]
    assert "Complet" not in _search_html(client, course)
    # The link was single-use.
    client.logout()
    assert client.get(link).status_code == 400


def _form_data(form):
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif hasattr(value, "pk"):
            data[name] = str(value.pk)
        else:
            data[name] = str(value)
    return data


def _flyer_lines(course):
    """The day-and-hours lines the next flyer or selection sheet prints for the course."""
    (shown,) = build_selection([course.pk], today=timezone.localdate()).courses
    return course_item(shown, FLYER_LANGUAGES["fr"]).days


def test_a_new_course_of_a_premoderated_structure_waits_for_a_coordinator(
    client, coordinator_user, structure, course, member
):
    structure.premoderated = True
    structure.save()
    client.force_login(member)
    assert client.post(f"/espace/cours/{course.pk}/dupliquer/").status_code == 302
    copy = Course.objects.exclude(pk=course.pk).get(structure=structure)
    assert copy.status == "en-attente"
    assert client.get("/", {"q": "Atelier du mardi (copie)"}).content.decode().count(f"/cours/{copy.pk}/") == 0
    client.logout()
    assert client.get(f"/cours/{copy.pk}/").status_code == 404  # not public yet
    client.force_login(coordinator_user)
    assert client.post(f"/espace/coordination/cours/{copy.pk}/", {"decision": "publier"}).status_code == 302
    client.logout()
    assert client.get(f"/cours/{copy.pk}/").status_code == 200
    assert f"/cours/{copy.pk}/" in client.get("/", {"q": "copie"}).content.decode()


def test_ids_above_a_thousand_are_written_without_a_thousands_separator(client, structure, member):
    """French formatting writes 12345 as "12 345": ids in attributes and links must not be localised."""
    from tests.factories import CourseFactory, ExamSessionFactory

    course = CourseFactory(pk=12345, structure=structure, name="Grand numéro")
    client.force_login(member)
    assert f'id="cours-{course.pk}"' in client.get("/espace/").content.decode()
    exam = ExamSessionFactory(pk=23456, exam_date="2099-01-15", registration_deadline=None)
    html = client.get("/", {"onglet": "tests", "commune": exam.place.commune.code_insee}).content.decode()
    assert f"/signaler/?examen={exam.pk}" in html
