"""Is this still true? The stale threshold as every output shows it (card, page, API, flyer and sheet PDFs), the
ranking rule at equal distance, the reminders and their one-purpose link."""

import datetime
import io
import re
import time

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.utils import timezone

from cartolangue.accounts.models import Coordinator, Membership
from cartolangue.geo.models import Departement
from cartolangue.offers.freshness import stale_before
from cartolangue.offers.models import Course
from cartolangue.upkeep import reminders
from cartolangue.upkeep.models import Reminder
from tests.factories import CourseFactory, PlaceFactory, StructureFactory
from tests.flyers import pdf
from tests.space.conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_courses():
    """At one place (equal distance): an older course, stale by one day; a newer one, fresh by one day."""
    today = timezone.localdate()
    place = PlaceFactory(structure=StructureFactory(name="Maison des langues"))
    stale = CourseFactory(
        structure=place.structure,
        place=place,
        name="Atelier ancien",
        verified_on=stale_before(today) - datetime.timedelta(days=1),
    )
    fresh = CourseFactory(
        structure=place.structure, place=place, name="Atelier récent", verified_on=stale_before(today)
    )
    return stale, fresh


def test_the_threshold_is_the_same_day_six_months_ago(two_courses):
    stale, fresh = two_courses
    assert stale.is_stale and not fresh.is_stale
    assert stale_before(datetime.date(2026, 8, 31)) == datetime.date(2026, 2, 28)


def test_stale_is_said_on_the_card_the_page_and_the_api(client, two_courses):
    stale, fresh = two_courses
    html = client.get("/", {"q": "Atelier"}).content.decode()
    assert html.count("Information à vérifier") == 1
    assert "Information à vérifier" in client.get(f"/cours/{stale.pk}/").content.decode()
    assert "Information à vérifier" not in client.get(f"/cours/{fresh.pk}/").content.decode()
    assert client.get(f"/api/v1/courses/{stale.pk}").json()["stale"] is True
    assert client.get(f"/api/v1/courses/{fresh.pk}").json()["stale"] is False
    listed = {c["id"]: c["stale"] for c in client.get("/api/v1/courses", {"q": "Atelier"}).json()["results"]}
    assert listed == {stale.pk: True, fresh.pk: False}


def test_stale_is_printed_on_the_flyer_and_the_sheet(client, two_courses, tmp_path):
    pdf.require_tools()
    stale, fresh = two_courses
    for name, url in (
        ("sheet", f"/imprimer/selection.pdf?cours={stale.pk}&cours={fresh.pk}"),
        ("flyer", f"/imprimer/flyer.pdf?commune={stale.place.commune.code_insee}"),
    ):
        response = client.get(url)
        assert (response.status_code, response["Content-Type"]) == (200, "application/pdf"), name
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(response.content)
        text = " ".join(pdf.text(path).split())
        assert text.count("Information à vérifier") == 1, name
        # The mark follows the stale course's title, not the fresh one's.
        assert text.index("Information à vérifier") > text.index("Atelier ancien"), name


def test_at_equal_distance_fresh_courses_come_first(client, two_courses):
    stale, fresh = two_courses
    assert stale.pk < fresh.pk  # without the rule, the older id would come first
    items = client.get("/api/v1/courses", {"commune": stale.place.commune.code_insee, "tri": "distance"}).json()[
        "results"
    ]
    assert [c["id"] for c in items] == [fresh.pk, stale.pk]


@pytest.fixture
def reminded(two_courses, django_capture_on_commit_callbacks):
    stale, _fresh = two_courses
    Membership.objects.create(user=person("benevole@maison.test"), structure=stale.structure)
    with django_capture_on_commit_callbacks(execute=True):
        out = io.StringIO()
        call_command("send_update_reminders", "--site-url", "https://carto.test", stdout=out)
    assert "1 rappel(s) envoyé(s)" in out.getvalue()
    (message,) = mail.outbox
    assert message.to == ["benevole@maison.test"] and "Atelier ancien" in message.body
    assert "Atelier récent" not in message.body
    link = re.search(r"https://carto\.test(/toujours-a-jour/\S+/)", message.body).group(1)
    return stale, link


def test_the_reminder_link_confirms_once_and_only_its_courses(client, reminded):
    stale, link = reminded
    page = client.get(link)
    assert page.status_code == 200 and "Atelier ancien" in page.content.decode()
    stale.refresh_from_db()
    assert stale.is_stale  # showing the page confirms nothing (mail scanners open links)
    assert client.post(link).status_code == 200
    stale.refresh_from_db()
    assert not stale.is_stale and stale.verified_by == "structure" and stale.verified_on == timezone.localdate()
    again = client.post(link)
    assert again.status_code == 400 and "déjà servi" in again.content.decode()


def test_a_tampered_or_expired_reminder_link_is_refused(client, reminded, monkeypatch, settings):
    stale, link = reminded
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/toujours-a-jour/{token[:-3]}xyz/").status_code == 400
    later = time.time() + (settings.REMINDER_LINK_DAYS + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(link)
    assert response.status_code == 400 and "expiré" in response.content.decode()
    stale.refresh_from_db()
    assert stale.is_stale


def test_no_second_reminder_within_the_period_and_structures_without_member_go_to_coordinators(reminded, client):
    stale, _link = reminded
    alone = CourseFactory(name="Cours orphelin", verified_on=datetime.date(2020, 1, 1))
    run = reminders.send_reminders("https://carto.test")
    assert run.sent == [] and run.skipped_recent == [stale.structure] and run.without_member == [alone.structure]
    assert Reminder.objects.count() == 1 and len(mail.outbox) == 1
    Reminder.objects.update(sent_at=timezone.now() - datetime.timedelta(days=31))
    assert len(reminders.send_reminders("https://carto.test").sent) == 1
    coordinator = person("coord@val-d-oise.test")
    Coordinator.objects.create(user=coordinator, organisation="Ofii").departements.add(
        Departement.objects.get(code="95")
    )
    client.force_login(coordinator)
    feed = client.get("/espace/coordination/")
    assert list(feed.context["without_member"]) == [alone.structure]
    (row,) = feed.context["freshness"]
    assert (row["code"], row["total"], row["stale"]) == ("95", 3, 2)
    assert Course.objects.count() == 3
