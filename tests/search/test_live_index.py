"""The live index (search/live.py): after small writes, a process applies the logged changes to its index
(a small index of the changed courses beside the full one) instead of rebuilding it, and answers exactly what a
full rebuild answers: the same totals, pages, orders, distances and facets, for every sort. Changes it cannot
trust (a referential, an import, a rolled-back write, too many courses) rebuild it."""

import datetime

import pytest
from django.db import connection, transaction
from django.http import QueryDict

from cartolangue.offers import enums
from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Certification, Course, CourseAudience, Place, Session, Structure, TimeSlot
from cartolangue.search import live
from cartolangue.search.engine import course_search, structure_search
from cartolangue.search.index import CourseIndex
from cartolangue.search.live import course_index
from cartolangue.search.models import Change, DataVersion
from cartolangue.search.params import parse_course_query
from cartolangue.search.version import data_token
from tests.factories import CourseFactory, PlaceFactory, SessionFactory, commune
from tests.search import oracle

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)
QUERIES = [
    "",
    "taille=7&page=3",
    "commune=95585&rayon=15",
    "commune=95585&rayon=15&tri=prochaine-session&taille=5&page=2",
    "commune=95127&commune=95585&rayon=0",
    "lat=48.99&lon=2.3&rayon=25&tri=mise-a-jour&taille=4&page=3",
    "departement=95&type=asl&type=fle",
    "jour=lundi&creneau=soir",
    "certification=delf-a2",
    "public=signataires-cir&garde_enfants=oui",
    "q=atelier&tri=prochaine-session",
    "niveau_entree_oral=aucun&scolarisation=jamais-ou-peu&places=oui",
]


@pytest.fixture(autouse=True)
def _token_row():
    """A browser test (transactional) empties every table, this row included: put it back for this test."""
    DataVersion.objects.get_or_create(id=1, defaults={"token": "restored-by-the-test"})


@pytest.fixture
def demo():
    demo_generate(courses=300, seed=5, reference_date=TODAY)


def _query(querystring):
    return parse_course_query(QueryDict(querystring), strict=True)


def _assert_same_as_a_full_build():
    index = course_index()
    fresh = CourseIndex(data_token())
    rows = oracle.load_rows()
    for querystring in QUERIES:
        query = _query(querystring)
        mine, theirs = index.search(query, today=TODAY), fresh.search(query, today=TODAY)
        assert (mine.total, mine.page, mine.ids) == (theirs.total, theirs.page, theirs.ids), querystring
        if theirs.distances is not None:
            assert mine.distances == pytest.approx(theirs.distances, abs=1e-9), querystring
        assert mine.facets == theirs.facets, querystring
        assert index.ordered_ids(query, today=TODAY) == fresh.ordered_ids(query, today=TODAY), querystring
        # The plain reading of the database, from another path (tests/search/oracle.py).
        want = oracle.expected(rows, querystring, TODAY)
        start = (mine.page - 1) * query.page_size
        assert mine.ids == want.ids[start : start + query.page_size], querystring
        assert [c.pk for c in course_search(query, today=TODAY).items] == mine.ids, querystring


def _some(n=1, **filters):
    return list(Course.objects.filter(**filters).order_by("pk")[:n])


def _change_type():
    course = _some(1, course_type=enums.CourseType.FLE)[0]
    course.course_type = enums.CourseType.ASL
    course.save()


def _bulk_update():
    ids = [c.pk for c in _some(5, childcare=False)]
    Course.objects.filter(pk__in=ids).update(childcare=True, places_available=True)


def _delete():
    Course.objects.filter(childcare=True).order_by("-pk").first().delete()


def _create():
    place = PlaceFactory(commune=commune("95585"), latitude=48.997, longitude=2.378)
    course = CourseFactory(place=place, structure=place.structure, name="Atelier du soir", childcare=True)
    TimeSlot.objects.create(course=course, weekday=0, starts_at=datetime.time(18, 30), ends_at=datetime.time(20))
    SessionFactory(course=course, starts_on=datetime.date(2026, 12, 7), ends_on=datetime.date(2027, 3, 1))


def _time_slot():
    course = _some(1)[0]
    TimeSlot.objects.create(course=course, weekday=0, starts_at=datetime.time(19), ends_at=datetime.time(21))


def _sessions():
    course = _some(1, sessions__isnull=False)[0]
    Session.objects.filter(course=course).delete()
    SessionFactory(course=course, starts_on=datetime.date(2026, 11, 30), ends_on=datetime.date(2027, 1, 30))


def _move_course():
    course = (_some(1, place__commune__code_insee="95585") or _some(1))[0]
    course.place = Place.objects.exclude(pk=course.place_id).order_by("-pk").first()
    course.structure = course.place.structure
    course.save()


def _move_place():
    place = Place.objects.filter(courses__isnull=False).order_by("pk").first()
    Place.objects.filter(pk=place.pk).update(latitude=49.0, longitude=2.38)  # near Sarcelles now


def _audience():
    course = _some(1)[0]
    CourseAudience.objects.create(course=course, audience=enums.Audience.CIR, mode=enums.AudienceMode.EXCLUSIVE)


def _certification():
    _some(1)[0].certifications.add(Certification.objects.get(code="delf-a2"))


def _raw_sql():
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE offers_course SET updated_at = %s WHERE id = %s", ["2030-01-01 00:00:00", _some(1)[0].pk]
        )


WRITES = [
    _change_type,
    _bulk_update,
    _delete,
    _create,
    _time_slot,
    _sessions,
    _move_course,
    _move_place,
    _audience,
    _certification,
    _raw_sql,
]


def test_small_writes_are_applied_without_a_rebuild(demo):
    base = course_index().base
    seen = set()
    for write in WRITES:
        write()
        index = course_index()
        assert index.base is base, write.__name__  # the full index was not rebuilt
        assert index.delta is not None and index.changed >= seen, write.__name__
        seen = set(index.changed)
        _assert_same_as_a_full_build()


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__ for w in WRITES])
def test_each_write_path_is_logged(demo, write):
    course_index()
    before = Change.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    write()
    logged = set(Change.objects.filter(pk__gt=before).values_list("kind", flat=True))
    assert logged and logged <= {"course", "place", "structure"}


def test_a_referential_change_rebuilds_the_index(demo):
    base = course_index().base
    _change_type()
    assert course_index().base is base
    Certification.objects.filter(code="delf-a2").update(name="DELF A2 (tous publics)")
    assert course_index().base is not base
    _assert_same_as_a_full_build()


def test_past_the_delta_limit_the_index_is_rebuilt(demo, monkeypatch):
    monkeypatch.setattr(live, "DELTA_LIMIT", 4)
    base = course_index().base
    _bulk_update()  # five courses
    assert course_index().base is not base
    assert course_index().delta is None
    _assert_same_as_a_full_build()


def test_a_rolled_back_write_is_forgotten(demo):
    course_index()
    target = _some(1, childcare=False)[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        Course.objects.filter(pk=target.pk).update(childcare=True)
        assert target.pk in course_index().changed  # this connection sees its own write
        raise RuntimeError
    _change_type()  # a new write: on SQLite, its log entry takes the rolled-back one's id
    _assert_same_as_a_full_build()
    assert target.pk not in course_index().ordered_ids(_query("garde_enfants=oui"), today=TODAY)


def test_an_import_rebuilds_the_index_and_prunes_the_log(demo, tmp_path):
    from tests.interop.lheo.test_lheo_import import formation, lheo_file, run

    base = course_index().base
    _change_type()
    assert Change.objects.count() > 1
    run(lheo_file(tmp_path, formation()))
    assert list(Change.objects.values_list("kind", flat=True)) == ["all"]
    assert course_index().base is not base
    assert course_index().delta is None
    _assert_same_as_a_full_build()


def test_structure_search_sees_a_changed_course(demo):
    course = _some(1)[0]
    structure_search(QueryDict("q=zigomar"))
    assert structure_search(QueryDict("q=zigomar")).total == 0
    course.name = "Atelier Zigomar"
    course.save()
    assert [s.pk for s in structure_search(QueryDict("q=zigomar")).items] == [course.structure_id]


def test_a_page_after_a_write_reads_again_only_the_changed_courses(demo, django_assert_num_queries):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    query = _query("taille=20")
    first = course_search(query, today=TODAY)
    shown = [c.pk for c in first.items]
    Course.objects.filter(pk=shown[3]).update(name="Atelier renommé")
    with CaptureQueriesContext(db) as queries:
        again = course_search(query, today=TODAY)
    reads = [q["sql"] for q in queries if 'FROM "offers_course"' in q["sql"] and "next_session_on" in q["sql"]]
    assert len(reads) == 1 and str(shown[3]) in reads[0] and str(shown[4]) not in reads[0]
    assert [c.name for c in again.items if c.pk == shown[3]] == ["Atelier renommé"]


def test_a_structure_renamed_without_signals_shows_on_the_cards_of_its_courses(demo):
    query = _query("taille=20")
    course = course_search(query, today=TODAY).items[0]
    Structure.objects.filter(pk=course.structure_id).update(name="Association Zéphyr")  # no signal
    again = {c.pk: c for c in course_search(query, today=TODAY).items}
    assert again[course.pk].structure.name == "Association Zéphyr"
    _assert_same_as_a_full_build()


def test_cached_course_dicts_and_cards_outlive_a_write_but_for_the_changed_course(client, demo, monkeypatch):
    from cartolangue.api import serializers

    calls = []
    original = serializers.course
    monkeypatch.setattr(serializers, "course", lambda course: calls.append(course.pk) or original(course))
    first = client.get("/api/v1/courses?taille=20").json()["results"]
    assert len(calls) == 20
    changed = first[5]["id"]
    Course.objects.filter(pk=changed).update(name="Atelier au nouveau nom")  # no signal: the log says it
    calls.clear()
    again = client.get("/api/v1/courses?taille=20").json()["results"]
    assert calls == [changed]  # the 19 others kept their dict
    assert [r["name"] for r in again if r["id"] == changed] == ["Atelier au nouveau nom"]
    page = client.get("/?taille=20").content.decode()
    assert "Atelier au nouveau nom" in page
