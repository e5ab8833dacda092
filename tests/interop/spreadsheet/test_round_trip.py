"""Round trip: an offer exported to the spreadsheet (writer.py), deleted, imported back, is the same offer, field
for field (every concrete field of every model, taken from the models so that a new field is covered)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from cartolangue.interop.spreadsheet.writer import write_offer
from cartolangue.offers import enums
from cartolangue.offers.demo import demo_delete, demo_generate
from cartolangue.offers.models import (
    Certification,
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
from tests.factories import CourseFactory, ExamSessionFactory, PlaceFactory, SessionFactory, StructureFactory, commune
from tests.interop.spreadsheet.helpers import counts, import_report

pytestmark = pytest.mark.django_db
PROVENANCE = {"id", "source", "source_id", "updated_at", "created_at"}


def _fields(model, *exclude):
    return [f for f in model._meta.concrete_fields if f.name not in PROVENANCE | set(exclude)]


def _plain(instance, fields):
    """Field → value; a related row by its natural key (INSEE code, certification code, source id)."""
    values = {}
    for field in fields:
        value = getattr(instance, field.attname)
        if field.is_relation:
            related = getattr(instance, field.name)
            if related is None:  # an empty link (a course that is no other source's copy)
                value = None
            elif field.name == "commune":
                value = related.code_insee
            elif field.name == "certification":
                value = related.code
            else:
                value = related.source_id
        values[field.name] = value
    return values


def _source_id(record):
    return record.source_id


def offer_state(courses, exam_sessions, key=_source_id):
    """{course key: everything about it}, {exam session key: everything about it}."""
    state = {}
    for course in courses.select_related("structure", "place__commune"):
        state[key(course)] = {
            **_plain(course, _fields(Course)),
            "structure_": _plain(course.structure, _fields(Structure)) | {"key": course.structure.source_id},
            "place_": _plain(course.place, _fields(Place)) | {"key": course.place.source_id},
            "audiences": sorted(course.audiences.values_list("audience", "mode")),
            "schooling": sorted(course.schooling.values_list("schooling", flat=True)),
            "funders": sorted(course.funders.values_list("funder", flat=True)),
            "time_slots": sorted(course.time_slots.values_list("weekday", "starts_at", "ends_at")),
            "certifications": sorted(course.certifications.values_list("code", flat=True)),
            "sessions": sorted(
                (s.source_id, *_plain(s, _fields(Session, "course")).values()) for s in course.sessions.all()
            ),
        }
    exams = {
        key(e): _plain(e, _fields(ExamSession))
        | {"structure_": _plain(e.structure, _fields(Structure)), "place_": _plain(e.place, _fields(Place))}
        for e in exam_sessions.select_related("structure", "place__commune", "certification")
    }
    return state, exams


def _import(path, tmp_path):
    return import_report(path, tmp_path)


def _rename(value, mapping):
    """`value` with every string equal to a key of `mapping` replaced, at any depth."""
    if isinstance(value, dict):
        return {k: _rename(v, mapping) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_rename(v, mapping) for v in value)
    return mapping.get(value, value) if isinstance(value, str) else value


def test_demo_offer_round_trip(tmp_path):
    demo_generate(courses=80, seed=11, reference_date=datetime.date(2026, 11, 27))
    courses, exams = Course.objects.filter(source="demo"), ExamSession.objects.filter(source="demo")
    before = offer_state(courses, exams)
    assert len(before[0]) == 80 and len(before[1]) == exams.count() > 0
    # The generator's offer has what the round trip must carry: check it is not trivially empty.
    assert any(c["sessions"] for c in before[0].values()) and any(c["certifications"] for c in before[0].values())
    assert {m for c in before[0].values() for _a, m in c["audiences"]} == {"prioritaire", "exclusif"}
    assert any(c["cost_amount"] for c in before[0].values()) and any(c["verified_on"] for c in before[0].values())

    path = tmp_path / "offre.xlsx"
    assert write_offer(courses, exams, path) == (80, len(before[1]))
    structures, places = Structure.objects.count(), Place.objects.count()
    demo_delete()
    assert Course.objects.count() == ExamSession.objects.count() == Structure.objects.count() == 0

    report = _import(path, tmp_path)
    assert counts(report) == {"created": 80 + len(before[1]), "updated": 0, "unchanged": 0, "rejected": 0}
    assert report["warnings"] == []
    assert (Structure.objects.count(), Place.objects.count()) == (structures, places)
    after = offer_state(Course.objects.filter(source="tableur"), ExamSession.objects.filter(source="tableur"))
    for source_id, course in before[0].items():
        assert after[0][source_id] == course, source_id
    assert after == before

    # Exported again, the imported offer gives the same workbook, cell for cell (the Listes sheet aside).
    again = tmp_path / "offre-2.xlsx"
    write_offer(Course.objects.all(), ExamSession.objects.all(), again)
    first, second = openpyxl.load_workbook(path), openpyxl.load_workbook(again)
    for title in ("Structures", "Lieux", "Cours", "Créneaux", "Sessions", "Sessions d'examen"):
        assert [[c.value for c in row] for row in first[title].iter_rows()] == [
            [c.value for c in row] for row in second[title].iter_rows()
        ], title
    assert counts(_import(again, tmp_path))["unchanged"] == 80 + len(before[1])


@pytest.fixture
def crowded_course(db):
    """A course with more values than the template has columns, key clashes across sources, and texts a
    spreadsheet could mistake for formulas."""
    structure = StructureFactory(
        source_id="s1",
        name='=HYPERLINK("http://example.org")',
        acronym="+33",
        siret="00012345600014",
        networks=[n.value for n in enums.Network],
        description="Première ligne\nDeuxième ligne",
        website="https://asso.example.org/",
        email="asso@example.org",
        phone="01 30 00 00 00",
    )
    approximate = PlaceFactory(
        source_id="p1",
        structure=structure,
        name="Salle des fêtes",
        address="Place de la Mairie",
        address_complement="1er étage",
        post_code="95300",
        commune=commune("95500"),
        latitude=49.05143060909797,
        longitude=2.0946054111190864,
        location_is_approximate=True,
        step_free_access=False,
    )
    course = CourseFactory(
        source_id="c1",
        structure=structure,
        place=approximate,
        name="-10 % pour les adhérents",
        description="@tous : cours ouvert",
        course_type=enums.CourseType.CERTIFICATION_PREP,
        parcours=enums.Parcours.PRO,
        cecrl_level_target=enums.CecrlLevel.C2,
        entry_level_oral=enums.CecrlLevel.B2,
        entry_level_written=enums.CecrlLevel.C1,
        hours_per_week=Decimal("12.5"),
        total_hours=400,
        is_free=False,
        cost_amount=Decimal("1234.56"),
        cost_details="En trois fois",
        childcare=None,
        modality=enums.Modality.REMOTE,
        registration_mode=enums.RegistrationMode.PRESCRIPTION,
        places_available=None,
        formacode="15235",
        rs_code="RS5435",
        rncp_code="RNCP12345",
        contact_name="Élise N’Diaye",
        contact_phone="+33 6 00 00 00 00",
        contact_email="elise@example.org",
        verified_on=datetime.date(2026, 2, 28),
        source_url="https://asso.example.org/cours/c1",
    )
    audiences = list(enums.Audience)[:7]
    CourseAudience.objects.bulk_create(
        CourseAudience(
            course=course,
            audience=a,
            mode=enums.AudienceMode.EXCLUSIVE if i % 3 == 0 else enums.AudienceMode.PRIORITY,
        )
        for i, a in enumerate(audiences)
    )
    CourseSchooling.objects.bulk_create(CourseSchooling(course=course, schooling=s) for s in enums.Schooling)
    CourseFunder.objects.bulk_create(CourseFunder(course=course, funder=f) for f in list(enums.Funder)[:5])
    course.certifications.set(Certification.objects.filter(family="delf"))
    TimeSlot.objects.bulk_create(
        [
            TimeSlot(course=course, weekday=6, starts_at=datetime.time(8), ends_at=datetime.time(8, 45)),
            TimeSlot(course=course, weekday=0, starts_at=datetime.time(19, 15), ends_at=datetime.time(21, 50)),
        ]
    )
    SessionFactory(source_id="sess-1", course=course, starts_on=None, ends_on=None, seats=8, seats_left=8)
    SessionFactory(
        source_id="sess-2",
        course=course,
        recruitment_status=enums.RecruitmentStatus.CLOSED,
        seats=None,
        seats_left=0,
    )
    # Another source uses the same ids: the workbook keys them "source:id".
    other = CourseFactory(source="autre", source_id="c1", structure__source="autre", structure__source_id="s1")
    other.place.source, other.place.source_id = "autre", "p1"
    other.place.save()
    ExamSessionFactory(source_id="e1", structure=structure, place=approximate, price=Decimal("99.90"), seats_left=0)
    return course


def test_overflowing_values_clashing_keys_and_formula_like_texts_round_trip(crowded_course, tmp_path):
    before = offer_state(Course.objects.all(), ExamSession.objects.all(), key=lambda r: f"{r.source}:{r.source_id}")
    path = tmp_path / "offre.xlsx"
    write_offer(Course.objects.all(), ExamSession.objects.all(), path)

    wb = openpyxl.load_workbook(path)
    cours = {row[0].value: row for row in wb["Cours"].iter_rows(min_row=2)}
    assert set(cours) == {"test:c1", "autre:c1"}
    headers = [c.value for c in wb["Cours"][1]]
    row = dict(zip(headers, [c.value for c in cours["test:c1"]], strict=True))
    # 7 audiences for 5 pairs: one pair per access mode; 5 funders and 4 DELF for 3 columns: the rest joined.
    pairs = {row["Accès du public 1"]: row["Public 1"], row["Accès du public 2"]: row["Public 2"]}
    assert {mode: len(publics.split(" ; ")) for mode, publics in pairs.items()} == {"Exclusif": 3, "Prioritaire": 4}
    assert row["Public 3"] is None
    assert row["Financeur 3"].count(" ; ") == 2 and row["Certification préparée 3"] == "DELF B1 ; DELF B2"
    structure_row = next(r for r in wb["Structures"].iter_rows(min_row=2) if r[0].value == "test:s1")
    assert structure_row[1].data_type == "s" and structure_row[1].value.startswith("=HYPERLINK")
    place_row = next(r for r in wb["Lieux"].iter_rows(min_row=2) if r[0].value == "test:p1")
    assert [c.value for c in place_row][7:9] == [None, None]  # approximate: no coordinates exported

    for model in (ExamSession, Session, Course, Place, Structure):
        model.objects.all().delete()
    report = import_report(path, tmp_path)
    assert counts(report) == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    after = offer_state(Course.objects.all(), ExamSession.objects.all())
    # The keys that clashed come back prefixed with their first source; everything else is identical.
    assert sorted(after[0]) == sorted(before[0]) == ["autre:c1", "test:c1"]
    for source in ("test", "autre"):
        renamed = {"s1": f"{source}:s1", "p1": f"{source}:p1"}
        assert after[0][f"{source}:c1"] == _rename(before[0][f"{source}:c1"], renamed)
    assert after[1] == {"e1": _rename(before[1]["test:e1"], {"s1": "test:s1", "p1": "test:p1"})}
    assert Course.objects.get(source_id="test:c1").structure.name == '=HYPERLINK("http://example.org")'
    assert call_command("import_spreadsheet", str(path), stdout=io.StringIO(), verbosity=0) is None
