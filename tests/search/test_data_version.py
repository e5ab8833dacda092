"""The data-version token changes on every write path to the data the search reads, and only then."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from cartolangue.db import insert_rows
from cartolangue.geo.models import Epci, Zone, ZoneMembership, Zoning
from cartolangue.offers import enums
from cartolangue.offers.models import Certification, Course, CourseAudience, Place, TimeSlot
from cartolangue.search import watch
from cartolangue.search.models import DataVersion
from cartolangue.search.version import data_token, memo_by_version, renewed_once
from tests.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _token_row():
    """A browser test (transactional) empties every table, this row included: put it back for this test."""
    DataVersion.objects.get_or_create(id=1, defaults={"token": "restored-by-the-test"})


@pytest.fixture
def course():
    course = CourseFactory()
    TimeSlot.objects.create(course=course, weekday=0, starts_at=datetime.time(9), ends_at=datetime.time(11))
    return course


def _save(course):
    course.name = "Français à visée professionnelle"
    course.save()


def _queryset_update(course):
    assert Course.objects.filter(pk=course.pk).update(description="Le mardi soir") == 1


def _course_delete(course):
    course.delete()


def _queryset_delete_of_children(course):
    assert TimeSlot.objects.filter(course=course).delete()[0] == 1


def _bulk_create_time_slots(course):
    TimeSlot.objects.bulk_create(
        TimeSlot(course=course, weekday=day, starts_at=datetime.time(14), ends_at=datetime.time(16))
        for day in range(5)
    )


def _add_certification(course):
    course.certifications.add(Certification.objects.get(code="delf-a2"))


def _insert_rows(course):
    # COPY on PostgreSQL, executemany on SQLite.
    insert_rows(TimeSlot, ["course", "weekday", "starts_at", "ends_at"], [(course, 2, "18:00", "20:00")])


def _insert_audience(course):
    CourseAudience.objects.create(course=course, audience=enums.Audience.EVERYONE, mode=enums.AudienceMode.PRIORITY)


def _place_update(course):
    assert Place.objects.filter(pk=course.place_id).update(address="12 rue de la Gare") == 1


def _place_save(course):
    course.place.latitude = 48.9
    course.place.save()


def _session_create(course):
    SessionFactory(course=course)


def _raw_sql(course):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Course._meta.db_table} SET total_hours = 120 WHERE id = %s", [course.pk])


def _zone_create(course):
    Zone.objects.create(zoning=Zoning.objects.create(slug="bassins", name="Bassins"), code="1", name="Un")


def _zone_membership_delete(course):
    zone = Zone.objects.create(zoning=Zoning.objects.create(slug="bassins", name="Bassins"), code="1", name="Un")
    ZoneMembership.objects.create(
        zoning=zone.zoning, zone=zone, commune=course.place.commune, resolution=ZoneMembership.Resolution.choices[0][0]
    )
    token = data_token()
    ZoneMembership.objects.filter(zone=zone).delete()
    assert data_token() != token


@pytest.mark.parametrize(
    "write",
    [
        _save,
        _queryset_update,
        _course_delete,
        _queryset_delete_of_children,
        _bulk_create_time_slots,
        _add_certification,
        _insert_rows,
        _insert_audience,
        _place_update,
        _place_save,
        _session_create,
        _raw_sql,
        _zone_create,
        _zone_membership_delete,
    ],
)
def test_token_changes_on_every_write_path(course, write):
    before = data_token()
    write(course)
    after = data_token()
    assert before is not None
    assert after is not None
    assert after != before


def test_each_write_gives_a_new_token(course):
    tokens = [data_token()]
    for name in ["A", "B", "C"]:
        Course.objects.filter(pk=course.pk).update(name=name)
        tokens.append(data_token())
    assert len(set(tokens)) == 4


@pytest.mark.parametrize(
    "write",
    [
        lambda: get_user_model().objects.create_user("moderatrice", password="x"),
        lambda: Epci.objects.create(code="200000000", name="CA Exemple", kind="CA"),
        lambda: Course.objects.filter(pk=-1).exists(),
    ],
    ids=["user", "epci", "read"],
)
def test_token_unchanged_by_other_tables_and_reads(course, write):
    before = data_token()
    write()
    assert data_token() == before


def test_rolled_back_write_leaves_the_token_it_found(course):
    before = data_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        _save(course)
        assert data_token() != before
        raise RuntimeError
    assert data_token() == before


def test_missing_row_gives_none():
    DataVersion.objects.all().delete()
    assert data_token() is None


def test_every_watched_table_has_its_triggers():
    """Read from the database's catalog, independently of `watch.missing_watch` (tests/search/test_watch.py)."""
    _assert_every_trigger_is_there()


def _assert_every_trigger_is_there():
    watched = dict(watch.watched_tables(apps))
    assert "offers_course_certifications" in watched and "geo_zonemembership" in watched
    assert "actors_actor" in watched and "actors_actor_covered_communes" in watched  # the directory's search
    assert "geo_qpv" in watched  # the QPV filter
    assert len(watched) == 19
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_dv_%'")
            expected = sorted(t for t in watched for _ in range(3))  # insert, update, delete
        else:
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgname LIKE 'search_dv_%%'"
            )
            # A logged table has one trigger per event (each with its transition tables), the others one.
            logged = (watch.COURSE, watch.PLACE, watch.STRUCTURE)
            expected = sorted(t for t, w in watched.items() for _ in range(4 if w.logs in logged else 1))
        assert sorted(row[0] for row in cursor.fetchall()) == expected


def test_memo_by_version_recomputes_after_a_write():
    calls = []

    def compute():
        calls.append(None)
        return sorted(Certification.objects.values_list("code", flat=True))

    first = memo_by_version("test-codes", compute)
    assert memo_by_version("test-codes", compute) == first and len(calls) == 1
    Certification.objects.create(code="zz-test", name="Test", family=Certification.objects.first().family)
    again = memo_by_version("test-codes", compute)
    assert len(calls) == 2 and again == sorted([*first, "zz-test"])


@pytest.mark.parametrize(("method", "same"), [("get", True), ("head", True), ("post", False)])
def test_a_read_only_request_reads_the_token_once(rf, course, method, same):
    """DataVersionMiddleware: within a GET or HEAD request the token is read once (one version for the whole
    response); a POST, which may write then read its own writes, reads it every time."""
    from django.test.utils import CaptureQueriesContext

    from cartolangue.search.version import DataVersionMiddleware

    seen = []

    def view(request):
        with CaptureQueriesContext(connection) as queries:
            seen.append(data_token())
            _save(course)  # a write in between (another process, in real life)
            seen.append(data_token())
        seen.append(sum("search_dataversion" in q["sql"] and q["sql"].startswith("SELECT") for q in queries))
        return "response"

    assert DataVersionMiddleware(view)(getattr(rf, method)("/")) == "response"
    first, second, reads = seen
    assert (first == second) is same
    assert reads == (1 if same else 2)
    assert data_token() == second if not same else data_token() != first  # after the request: read again


def test_a_bulk_write_renews_the_token_once_and_keeps_the_triggers(course):
    """`renewed_once` (imports): on SQLite the row triggers are dropped for the transaction, then re-created
    and the token renewed once; a reader never sees the new data under the old token."""
    before = data_token()
    with transaction.atomic(), renewed_once():
        _save(course)
        _bulk_create_time_slots(course)
        if connection.vendor == "sqlite":
            assert data_token() == before  # no trigger fired inside
    assert data_token() not in (None, before)
    _assert_every_trigger_is_there()
    after = data_token()
    _save(course)  # the triggers work again
    assert data_token() != after


def test_a_failed_bulk_write_restores_everything(course):
    before = data_token()
    with pytest.raises(ZeroDivisionError), transaction.atomic(), renewed_once():
        _save(course)
        1 / 0  # noqa: B018
    assert data_token() == before
    _assert_every_trigger_is_there()
    course.refresh_from_db()
    assert course.name != "Français à visée professionnelle"


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_renewed_once_refuses_to_run_outside_a_transaction():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's statement triggers stay: nothing to check there")
    with pytest.raises(RuntimeError, match="inside a transaction"), renewed_once():
        pass
    _assert_every_trigger_is_there()


def test_an_import_changes_the_token_and_leaves_the_triggers(tmp_path):
    """Through a real import (the writer's transaction), also when it is a dry run."""
    from tests.interop.lheo.test_lheo_import import formation, lheo_file, run

    path = lheo_file(tmp_path, formation())
    before = data_token()
    run(path, dry_run=True)
    assert data_token() == before
    _assert_every_trigger_is_there()
    run(path)
    assert Course.objects.filter(source="lheo").exists()
    assert data_token() != before
    _assert_every_trigger_is_there()
