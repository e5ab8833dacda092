import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from lxml import etree

from cartolangue.interop.lheo.conventions import XSD_PATH
from cartolangue.interop.lheo.writer import write_lheo
from cartolangue.offers import enums
from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Certification, Course, ExamSession, Place, Structure
from tests.factories import CourseFactory, PlaceFactory, SessionFactory, StructureFactory
from tests.interop.snapshot import offer_snapshot

SCHEMA = etree.XMLSchema(etree.parse(str(XSD_PATH)))


def edge_cases():
    """Courses that stress the conventions: long texts cut by LHEO, no SIRET, approximate place, paying course,
    a waiting list LHEO cannot say, no session at all, funders without an LHEO code, text with < and &."""
    structure = StructureFactory(
        name=("Association des habitants du quartier de la Gare et des Bords de l'Oise " * 3).strip(),
        siret="",
        acronym="AHQG",
        networks=["reseau-alpha", "ofii"],
        description="Présentation sur\ndeux lignes",
        website="https://ahqg.example.org",
        email="contact@ahqg.example.org",
        phone="+33 1 39 00 00 00 poste 1234",
    )
    place = PlaceFactory(
        structure=structure,
        name="Maison de quartier",
        address="Résidence les Marronniers, bâtiment C, escalier 4, 12 allée des Tilleuls",
        address_complement="Au fond de la cour, deuxième porte à gauche après le local vélos",
        post_code="95300",
        commune=Place.commune.field.related_model.objects.get(code_insee="95500"),
        latitude=49.0424,
        longitude=2.0833,
        location_is_approximate=True,
        step_free_access=True,
    )
    paying = CourseFactory(
        structure=structure,
        place=place,
        name="Français & emploi <niveau B1>",
        description="Lire & écrire <vite>\nDeuxième ligne",
        course_type=enums.CourseType.WORK,
        parcours=enums.Parcours.PRO,
        cecrl_level_target=enums.CecrlLevel.B1,
        entry_level_oral=enums.CecrlLevel.A2,
        entry_level_written=enums.CecrlLevel.A1,
        hours_per_week=Decimal("4.5"),
        total_hours=90,
        is_free=False,
        cost_amount=Decimal("120.50"),
        cost_details="Tarif réduit sur justificatif de ressources, payable en trois fois, adhésion annuelle comprise"
        * 2
        + " (voir le règlement intérieur)",
        childcare=True,
        modality=enums.Modality.HYBRID,
        registration_mode=enums.RegistrationMode.PLACEMENT_TEST,
        places_available=False,
        formacode="15235",
        rs_code="RS5176",
        contact_name="Marie-Christine Bernard-Lefebvre de la Tour d'Auvergne",
        contact_phone="01 34 00 00 00",
        contact_email="marie@ahqg.example.org",
        verified_on=datetime.date(2026, 10, 1),
        source_url="https://ahqg.example.org/cours/b1",
    )
    paying.audiences.create(audience=enums.Audience.JOB_SEEKERS, mode=enums.AudienceMode.EXCLUSIVE)
    paying.audiences.create(audience=enums.Audience.QPV, mode=enums.AudienceMode.PRIORITY)
    paying.schooling.create(schooling=enums.Schooling.FRENCH)
    paying.funders.create(funder=enums.Funder.CPF)
    paying.funders.create(funder=enums.Funder.COMMUNE)
    paying.time_slots.create(weekday=5, starts_at=datetime.time(9, 30), ends_at=datetime.time(11, 45))
    paying.certifications.set(Certification.objects.filter(code__in=["delf-b1", "dcl-fle"]))
    SessionFactory(
        course=paying,
        starts_on=datetime.date(2027, 1, 4),
        ends_on=None,
        recruitment_status=enums.RecruitmentStatus.WAITING_LIST,
        seats=12,
        seats_left=0,
    )
    CourseFactory(
        structure=structure,
        place=place,
        name="Alphabétisation sans date",
        course_type=enums.CourseType.ALPHA,
        formacode="",
    )


def lheo_bytes(queryset=None):
    out = io.BytesIO()
    write_lheo(out, queryset)
    return out.getvalue()


def assert_valid(document):
    tree = etree.fromstring(document)
    assert SCHEMA.validate(tree), [f"{e.line}: {e.message}" for e in SCHEMA.error_log][:5]
    return tree


@pytest.mark.django_db
def test_export_is_valid_against_the_official_xsd():
    demo_generate(courses=120, seed=5, reference_date=datetime.date(2026, 11, 1))
    edge_cases()
    tree = assert_valid(lheo_bytes())
    ns = {"l": "http://lheo.gouv.fr/2.3"}
    assert len(tree.findall("l:offres/l:formation", ns)) == Course.objects.count() == 122
    # A course with no session still gives the one session LHEO requires, flagged, with unknown dates.
    formation = tree.xpath("//l:formation[l:intitule-formation='Alphabétisation sans date']", namespaces=ns)[0]
    assert formation.xpath("string(.//l:session/l:periode/l:debut)", namespaces=ns) == "00000000"
    assert formation.xpath("string(.//l:session/l:periode/l:fin)", namespaces=ns) == "99999999"
    assert formation.xpath("string(.//l:code-FORMACODE)", namespaces=ns) == "15043"


@pytest.mark.django_db
def test_the_xsd_check_catches_a_broken_export():
    """The validity test above can fail: the same check refuses a document with a required element removed."""
    edge_cases()
    tree = etree.fromstring(lheo_bytes())
    title = tree.find(".//{http://lheo.gouv.fr/2.3}intitule-formation")
    title.getparent().remove(title)
    assert not SCHEMA.validate(tree)


@pytest.mark.django_db
def test_round_trip_through_lheo_gives_the_same_courses_field_for_field(tmp_path):
    demo_generate(courses=150, seed=11, reference_date=datetime.date(2026, 11, 1))
    edge_cases()
    before = offer_snapshot(Course.objects.all())
    path = tmp_path / "export.xml"
    call_command("export_lheo", str(path), "--include-demo", stdout=io.StringIO())
    assert_valid(path.read_bytes())

    ExamSession.objects.all().delete()
    Course.objects.all().delete()
    Place.objects.all().delete()
    Structure.objects.all().delete()
    call_command("import_lheo", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    after = offer_snapshot(Course.objects.all())
    assert len(after) == len(before) == 152
    for old, new in zip(before, after, strict=True):
        assert new == old
    assert set(Course.objects.values_list("source", flat=True)) == {"lheo"}


@pytest.mark.django_db
def test_export_leaves_demo_data_out_unless_asked(tmp_path):
    demo_generate(courses=20, seed=1, reference_date=datetime.date(2026, 11, 1))
    edge_cases()
    path = tmp_path / "real.xml"
    output = io.StringIO()
    call_command("export_lheo", str(path), stdout=output)
    assert output.getvalue().strip() == f"2 cours écrits dans {path}"
    tree = assert_valid(path.read_bytes())
    assert len(tree.findall(".//{http://lheo.gouv.fr/2.3}formation")) == 2
