"""The data-version watch survives schema upgrades (cartolangue/search/watch.py, docs/adr/0013-freshness-watch.md):
a database upgraded from an older schema keeps every write visible to the search, a table rebuilt by a
migration gets its triggers back, and the system check names a watch that is incomplete."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, models
from django.http import QueryDict

from cartolangue.offers.models import Course
from cartolangue.search import watch
from cartolangue.search.checks import check_data_version_watch
from cartolangue.search.engine import course_search
from cartolangue.search.models import DataVersion
from cartolangue.search.params import parse_course_query
from cartolangue.search.version import data_token
from tests.factories import CourseFactory

TODAY = datetime.date(2026, 12, 3)
WORD = "vigilance"  # in the name of the courses of these tests only


@pytest.fixture(autouse=True)
def _token_row():
    """A browser test (transactional) empties every table, this row included: put it back for this test."""
    DataVersion.objects.get_or_create(id=1, defaults={"token": "restored-by-the-test"})


def _found(querystring: str = "") -> dict[int, str]:
    """The courses the search (its in-memory index) finds for the test word: id → name."""
    query = parse_course_query(QueryDict(f"q={WORD}&{querystring}"), strict=True)
    result = course_search(query, today=TODAY, facets=False)
    return {course.pk: course.name for course in result.items}


def _drop_trigger(table: str) -> None:
    """Drop one of the table's watch triggers (its last, by name), as an operator or a migration might."""
    quote = connection.ops.quote_name
    name = max(name for name, (owner, _definition) in watch._installed(connection).items() if owner == table)
    on = "" if connection.vendor == "sqlite" else f" ON {quote(table)}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {quote(name)}{on}")


def _writes_are_seen_by_the_search() -> None:
    """Save, queryset update (bulk), raw SQL, delete: each shows in the next search."""
    kept, edited, deleted = (
        CourseFactory(name=f"Atelier {WORD} {n}", childcare=False) for n in ("un", "deux", "trois")
    )
    assert set(_found()) == {kept.pk, edited.pk, deleted.pk}
    assert _found("garde_enfants=oui") == {}

    edited.name = f"Atelier {WORD} modifié"
    edited.save()
    assert _found()[edited.pk] == f"Atelier {WORD} modifié"

    assert Course.objects.filter(pk__in=[kept.pk, edited.pk]).update(childcare=True) == 2
    assert set(_found("garde_enfants=oui")) == {kept.pk, edited.pk}

    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Course._meta.db_table)
        cursor.execute(f"UPDATE {table} SET childcare = %s WHERE id = %s", [False, kept.pk])
    assert set(_found("garde_enfants=oui")) == {edited.pk}

    deleted.delete()
    assert set(_found()) == {kept.pk, edited.pk}


@pytest.mark.django_db(transaction=True)  # migrations cannot run inside the test's transaction
@pytest.mark.parametrize(
    "older",
    [
        # The upgrade of the issue: offers/0006 and 0007 rebuild nine watched tables on SQLite.
        [("offers", "0005_course_cost_unknown")],
        # A database made before the zonings were watched.
        [("search", "0001_dataversion")],
    ],
    ids=["offers-0005", "search-0001"],
)
def test_a_database_upgraded_from_an_older_schema_keeps_the_search_fresh(older):
    try:
        call_command("migrate", *older[0], verbosity=0, stdout=io.StringIO())
        call_command("migrate", verbosity=0, stdout=io.StringIO())
        _writes_are_seen_by_the_search()
        assert watch.missing_watch(connection) == []
        assert check_data_version_watch() == []
    finally:
        call_command("migrate", verbosity=0, stdout=io.StringIO())  # the next tests get the latest schema


@pytest.mark.django_db(transaction=True)
def test_a_rebuilt_watched_table_is_reported_then_repaired_by_migrate():
    """What a future migration does to a table on SQLite (a field altered: the table is copied and the old one
    dropped, with its triggers): the check says so, and the next `migrate` puts the watch back."""
    old_field = Course._meta.get_field("name")
    new_field = models.CharField(max_length=old_field.max_length + 1, verbose_name=old_field.verbose_name)
    new_field.set_attributes_from_name("name")
    try:
        with connection.schema_editor() as editor:
            editor.alter_field(Course, old_field, new_field)
        if connection.vendor == "sqlite":  # PostgreSQL alters the table in place: its trigger stays
            assert watch.missing_watch(connection) == ["offers_course"]
            [warning] = check_data_version_watch()
            assert warning.id == "search.W001" and "offers_course" in warning.msg
        call_command("migrate", verbosity=0, stdout=io.StringIO())
        assert watch.missing_watch(connection) == []
        _writes_are_seen_by_the_search()
    finally:
        with connection.schema_editor() as editor:
            editor.alter_field(Course, new_field, old_field)
        call_command("migrate", verbosity=0, stdout=io.StringIO())


@pytest.mark.django_db
def test_the_check_names_the_tables_whose_watch_was_removed_by_hand():
    assert check_data_version_watch() == []
    _drop_trigger("offers_session")
    _drop_trigger("geo_zone")
    [warning] = check_data_version_watch()
    assert warning.id == "search.W001"
    assert "geo_zone, offers_session" in warning.msg
    stderr = io.StringIO()
    call_command("check", tags=["search"], stdout=io.StringIO(), stderr=stderr)
    assert "search.W001" in stderr.getvalue() and "offers_session" in stderr.getvalue()


@pytest.mark.django_db
def test_the_check_sees_a_disabled_trigger_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no disabled triggers")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE offers_place DISABLE TRIGGER search_dv_offers_place_upd")
    assert watch.missing_watch(connection) == ["offers_place"]
    assert watch.install_watch(connection) == ["offers_place"]
    assert watch.missing_watch(connection) == []


@pytest.mark.django_db
def test_install_repairs_once_renews_the_token_then_changes_nothing():
    _drop_trigger("offers_timeslot")
    before = data_token()
    assert watch.install_watch(connection) == ["offers_timeslot"]
    repaired = data_token()
    assert repaired not in (None, before)  # a write may have gone unseen while the trigger was missing
    assert watch.install_watch(connection) == []
    assert data_token() == repaired
    assert watch.missing_watch(connection) == []


@pytest.mark.django_db
def test_install_replaces_an_altered_trigger_and_drops_an_undeclared_one():
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Same name, but fires on one column's updates only.
            cursor.execute(f"DROP TRIGGER {quote('search_dv_offers_course_upd')}")
            cursor.execute(
                f"CREATE TRIGGER {quote('search_dv_offers_course_upd')} AFTER UPDATE OF name ON offers_course "
                f"FOR EACH ROW BEGIN {watch.SQLITE_RENEW}; END"
            )
            cursor.execute(
                f"CREATE TRIGGER {quote('search_dv_auth_user_ins')} AFTER INSERT ON auth_user "
                f"FOR EACH ROW BEGIN {watch.SQLITE_RENEW}; END"
            )
        else:
            # Same name, but without its transition table: it would renew the token and log nothing.
            cursor.execute("DROP TRIGGER search_dv_offers_course_upd ON offers_course")
            cursor.execute(
                "CREATE TRIGGER search_dv_offers_course_upd AFTER UPDATE ON offers_course "
                "FOR EACH STATEMENT EXECUTE FUNCTION search_dataversion_renew()"
            )
            cursor.execute(
                "CREATE TRIGGER search_dv_auth_user AFTER INSERT ON auth_user "
                "FOR EACH STATEMENT EXECUTE FUNCTION search_dataversion_renew()"
            )
    assert watch.missing_watch(connection) == ["offers_course"]
    assert watch.install_watch(connection) == ["offers_course"]
    assert watch.missing_watch(connection) == []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'auth_user'")
        else:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'search_dv_auth_user'")
        assert cursor.fetchone()[0] == 0
    course = CourseFactory(name=f"Atelier {WORD}")
    before = data_token()
    Course.objects.filter(pk=course.pk).update(description="Le jeudi")  # not the name: the altered trigger's
    assert data_token() != before


@pytest.mark.django_db
def test_install_puts_back_a_missing_token_row():
    DataVersion.objects.all().delete()
    assert watch.install_watch(connection) == []
    assert data_token() is not None
