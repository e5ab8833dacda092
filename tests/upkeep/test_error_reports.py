""" "Signaler une erreur": stored with its status, sent to the structure's members and its coordinators, closed
by them; the reporter is told and their address erased; robots (honeypot) and bad targets store nothing."""

import pytest
from django.core import mail
from django.db import IntegrityError

from cartolangue.accounts.models import Coordinator, Membership
from cartolangue.geo.models import Departement
from cartolangue.upkeep.models import ErrorReport
from tests.factories import CourseFactory, ExamSessionFactory
from tests.space.conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(name="FLE du jeudi")
    Membership.objects.create(user=person("accueil@asso.test"), structure=course.structure)
    coordinator = person("coord@ofii.test")
    Coordinator.objects.create(user=coordinator, organisation="Ofii").departements.add(
        Departement.objects.get(code="95")
    )
    return course


def _report(client, capture, target, **data):
    with capture(execute=True):
        return client.post(f"/signaler/?{target}", {"message": "Le cours n'a plus lieu le jeudi.", **data})


def test_a_report_is_stored_forwarded_then_closed_and_the_address_erased(
    client, course, django_capture_on_commit_callbacks
):
    assert "/signaler/?cours=" in client.get(f"/cours/{course.pk}/").content.decode()
    response = _report(client, django_capture_on_commit_callbacks, f"cours={course.pk}", email="lea@exemple.test")
    assert response.status_code == 200 and "Merci" in response.content.decode()
    report = ErrorReport.objects.get()
    assert (report.status, report.course, report.reporter_email) == ("transmis", course, "lea@exemple.test")
    (notice,) = mail.outbox
    assert sorted(notice.to) == ["accueil@asso.test", "coord@ofii.test"] and "plus lieu le jeudi" in notice.body

    # The provider sees it in their space and closes it as fixed.
    client.force_login(course.structure.memberships.get().user)
    assert report in client.get(f"/espace/structure/{course.structure_id}/").context["reports"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/espace/signalements/{report.pk}/", {"decision": "corrige"}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.reporter_email, report.closed_by.email) == ("corrige", "", "accueil@asso.test")
    assert mail.outbox[-1].to == ["lea@exemple.test"] and "effacée" in mail.outbox[-1].body
    # A closed report cannot keep an address, even written directly.
    report.reporter_email = "lea@exemple.test"
    with pytest.raises(IntegrityError):
        report.save()


def test_a_report_without_address_on_a_structure_with_no_member_goes_to_the_coordinators(
    client, django_capture_on_commit_callbacks
):
    exam = ExamSessionFactory()
    coordinator = person("coord@defi.test")
    Coordinator.objects.create(user=coordinator, organisation="Défi métiers").departements.add(
        Departement.objects.get(code="95")
    )
    _report(client, django_capture_on_commit_callbacks, f"examen={exam.pk}")
    report = ErrorReport.objects.get()
    assert (report.status, report.exam_session, report.structure) == ("nouveau", exam, exam.structure)
    assert mail.outbox[0].to == ["coord@defi.test"]
    client.force_login(coordinator)
    assert list(client.get("/espace/coordination/").context["reports"]) == [report]
    client.post(f"/espace/signalements/{report.pk}/", {"decision": "rejete"})
    report.refresh_from_db()
    assert report.status == "rejete" and len(mail.outbox) == 1  # no address: nobody else to tell


def test_a_filled_honeypot_or_a_hidden_course_stores_nothing(client, course, django_capture_on_commit_callbacks):
    response = _report(client, django_capture_on_commit_callbacks, f"cours={course.pk}", site_web="http://spam.test")
    assert response.status_code == 200
    course.status = "en-attente"
    course.save()
    assert client.get(f"/signaler/?cours={course.pk}").status_code == 404
    assert client.get("/signaler/?cours=abc").status_code == 404
    assert client.get("/signaler/").status_code == 404
    assert not ErrorReport.objects.exists() and not mail.outbox


def test_someone_else_cannot_close_a_report(client, course, django_capture_on_commit_callbacks):
    _report(client, django_capture_on_commit_callbacks, f"cours={course.pk}")
    report = ErrorReport.objects.get()
    other = person("autre@asso.test")
    Membership.objects.create(user=other, structure=CourseFactory().structure)
    client.force_login(other)
    assert client.post(f"/espace/signalements/{report.pk}/", {"decision": "rejete"}).status_code == 404
    report.refresh_from_db()
    assert report.is_open
