"""A course's contact person is published only when a public contact point (ADR 0019): everywhere else, the role
with the structure's own phone and e-mail. Course page, API, exports, printed sheets and importers agree."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from cartolangue.flyers.content import course_item
from cartolangue.interop.lheo.writer import write_lheo
from cartolangue.offers import enums
from cartolangue.offers.models import Course
from tests.factories import CourseFactory, PlaceFactory, StructureFactory
from tests.interop.lheo.test_lheo_import import formation, lheo_file, run

pytestmark = pytest.mark.django_db

PERSON = ("Awa Diallo", "06 11 22 33 44", "awa.diallo@example.org")
STRUCTURE_PHONE, STRUCTURE_EMAIL = "01 34 12 34 56", "accueil@lire-ensemble.example.org"


def _course(**fields):
    structure = StructureFactory(name="Lire Ensemble", phone=STRUCTURE_PHONE, email=STRUCTURE_EMAIL)
    # A fixed address: Faker's random street names include "Diallo", which the checks below look for.
    place = PlaceFactory(structure=structure, address="12 rue de la Gare")
    name, phone, email = PERSON
    return CourseFactory(
        structure=structure, place=place, contact_name=name, contact_phone=phone, contact_email=email, **fields
    )


def _assert_no_person(text):
    for value in (*PERSON, "0611223344", "Diallo"):
        assert value not in text, value


def test_course_page_shows_the_role_and_the_structure_contact_not_the_person(client):
    course = _course()
    page = client.get(f"/cours/{course.pk}/").content.decode()
    _assert_no_person(page)
    assert "Accueil" in page
    assert "tel:0134123456" in page and f"mailto:{STRUCTURE_EMAIL}" in page


def test_course_page_shows_a_referent_by_role_and_in_english(client):
    course = _course(contact_role=enums.ContactRole.REFERENT)
    page = client.get(f"/en/cours/{course.pk}/").content.decode()
    _assert_no_person(page)
    assert "Referent" in page


def test_course_page_shows_a_public_contact_point(client):
    course = _course(contact_public=True)
    page = client.get(f"/cours/{course.pk}/").content.decode()
    assert "Awa Diallo" in page and "tel:0611223344" in page and "mailto:awa.diallo@example.org" in page


def test_api_detail_and_list_never_carry_a_private_contact(client):
    course = _course()
    detail = client.get(f"/api/v1/courses/{course.pk}")
    assert detail.json()["contact"] == {
        "name": "Accueil",
        "phone": STRUCTURE_PHONE,
        "email": STRUCTURE_EMAIL,
        "is_person": False,
        "role": None,
    }
    _assert_no_person(detail.content.decode())
    _assert_no_person(client.get("/api/v1/courses").content.decode())
    _assert_no_person(client.get(f"/api/v1/structures/{course.structure_id}").content.decode())


def test_api_detail_carries_a_public_contact(client):
    course = _course(contact_public=True, contact_role=enums.ContactRole.REFERENT)
    contact = client.get(f"/api/v1/courses/{course.pk}").json()["contact"]
    assert contact == {
        "name": "Awa Diallo",
        "phone": "06 11 22 33 44",
        "email": "awa.diallo@example.org",
        "is_person": True,
        "role": {"code": "referent", "label": "Référent"},
    }


def test_exports_carry_the_structure_contact_not_the_person(tmp_path):
    _course()
    call_command("export_opendata", str(tmp_path / "od"), stdout=io.StringIO())
    call_command("export_data_inclusion", str(tmp_path / "di"), stdout=io.StringIO(), stderr=io.StringIO())
    lheo = io.BytesIO()
    write_lheo(lheo)
    for text in (
        (tmp_path / "od" / "cours.csv").read_text(encoding="utf-8"),
        (tmp_path / "od" / "cours.geojson").read_text(encoding="utf-8"),
        (tmp_path / "di" / "services.json").read_text(encoding="utf-8"),
        lheo.getvalue().decode(),
    ):
        _assert_no_person(text)
    row = next(csv.DictReader(io.StringIO((tmp_path / "od" / "cours.csv").read_text(encoding="utf-8-sig"))))
    assert (row["contact_telephone"], row["contact_courriel"]) == (STRUCTURE_PHONE, STRUCTURE_EMAIL)
    service = json.loads((tmp_path / "di" / "services.json").read_text(encoding="utf-8"))[0]
    assert (service["telephone"], service["courriel"]) == ("+33134123456", STRUCTURE_EMAIL)
    assert "<type-contact>4</type-contact>" in lheo.getvalue().decode()


def test_exports_carry_a_public_contact_point(tmp_path):
    _course(contact_public=True)
    call_command("export_opendata", str(tmp_path), stdout=io.StringIO())
    row = next(csv.DictReader(io.StringIO((tmp_path / "cours.csv").read_text(encoding="utf-8-sig"))))
    assert (row["contact_telephone"], row["contact_courriel"]) == ("06 11 22 33 44", "awa.diallo@example.org")


def test_printed_sheets_give_the_structure_phone():
    course = Course.objects.select_related("structure").get(pk=_course().pk)
    assert course_item(course, "fr").phone == STRUCTURE_PHONE


def _lheo_contact(tmp_path, type_contact):
    tag = f"<type-contact>{type_contact}</type-contact>" if type_contact else ""
    path = lheo_file(tmp_path, formation().replace("<contact-formation>", f"<contact-formation>{tag}"))
    run(path)
    return Course.objects.get(source="lheo")


@pytest.mark.parametrize(
    ("type_contact", "public", "role"),
    [("4", True, ""), ("", False, ""), ("3", False, "referent"), ("1", False, "referent"), ("5", False, "")],
)
def test_lheo_import_takes_only_the_reception_desk_as_a_public_contact(tmp_path, type_contact, public, role):
    course = _lheo_contact(tmp_path, type_contact)
    assert (course.contact_public, course.contact_role) == (public, role)
    assert course.contact_name == "Awa Diallo"  # kept for the structure and the coordinators, not published


@pytest.mark.parametrize(
    ("prefix", "title", "retention"),
    [
        ("", "Données personnelles et confidentialité", "Gardées 30 jours"),
        ("/en", "Personal data and privacy", "Kept 30 days"),
        ("/ar", "البيانات الشخصية والخصوصية", "تُحفظ 30 يومًا"),
    ],
)
def test_privacy_page_renders_in_each_language_and_every_page_links_to_it(client, prefix, title, retention):
    page = client.get(f"{prefix}/confidentialite/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<h1>{title}</h1>" in html and retention in html
    assert "mailto:signalement@" in html
    for path in ("/", "/donnees/", "/territoires/"):
        assert f'href="{prefix}/confidentialite/"' in client.get(f"{prefix}{path}").content.decode(), path
