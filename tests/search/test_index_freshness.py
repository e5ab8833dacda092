"""The in-memory search index follows the data: every write the search can see (ORM saves, queryset updates
and deletes, children added, a rolled-back savepoint) shows in the next search, and a search without writes
in between reuses the index. Also: the text filter keeps `contains` semantics. The reference is the plain
Python reading of tests/search/oracle.py."""

import datetime

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone, translation

from cartolangue.offers import enums
from cartolangue.offers.models import Course, Place, Structure, TimeSlot
from cartolangue.search.engine import course_search
from cartolangue.search.live import LiveIndex, course_index
from cartolangue.search.models import DataVersion
from cartolangue.search.params import SLOTS, parse_course_query
from cartolangue.search.version import data_token
from tests.factories import CourseFactory, PlaceFactory, SessionFactory, commune
from tests.search import oracle

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)
WORD = "zorglub"  # in the name of every course of these tests, and nowhere else


@pytest.fixture(autouse=True)
def _token_row():
    """A browser test (transactional) empties every table, this row included: put it back for this test."""
    DataVersion.objects.get_or_create(id=1, defaults={"token": "restored-by-the-test"})


def course(name="", place=None, **kwargs):
    """A course whose search text is known: no random structure name or address from the factories."""
    if place is None:
        place = PlaceFactory(structure__name="Structure", name="", address="1 rue du port", post_code="95700")
    return CourseFactory(name=f"Atelier {WORD} {name}".strip(), place=place, structure=place.structure, **kwargs)


def place_in(code_insee, **kwargs):
    """A place in that commune, at its centre unless told otherwise."""
    where = commune(code_insee)
    kwargs = {"latitude": where.latitude, "longitude": where.longitude, **kwargs}
    return PlaceFactory(
        structure__name="Structure", name="", address="1 rue du port", post_code="95700", commune=where, **kwargs
    )


def search(querystring="", **kwargs):
    query = parse_course_query(QueryDict(f"q={WORD}&{querystring}"), strict=True)
    return course_search(query, today=TODAY, **kwargs)


def reference(querystring=""):
    """The plain reading's answer (tests/search/oracle.py) for the test's courses."""
    return oracle.expected(oracle.load_rows(), f"q={WORD}&{querystring}", TODAY)


def pks(result):
    return [c.pk for c in result.items]


def facet(result, name, value):
    (found,) = [f for f in result.facets[name] if f.value == value]
    return found.count


def ordered_ids(querystring):
    query = parse_course_query(QueryDict(f"q={WORD}&{querystring}"), strict=True)
    return course_index().ordered_ids(query, today=TODAY)


# --- the index is rebuilt after a write, and only then ---------------------------------------------------


def test_a_course_created_after_a_search_is_found():
    first = course("premier")
    assert pks(search()) == [first.pk]
    before = course_index()

    second = course("second")
    result = search()
    after = course_index()
    assert after is not before
    assert after.token != before.token
    assert after.token == data_token()
    assert result.total == 2
    assert sorted(pks(result)) == sorted([first.pk, second.pk])
    assert facet(result, "type", enums.CourseType.ASL) == 2


def test_searches_without_writes_reuse_the_index():
    course()
    index = course_index()
    first = search()
    Course.objects.filter(name__contains=WORD).exists()  # a read is no write
    second = search(facets=False)
    assert course_index() is index
    assert isinstance(index, LiveIndex)
    assert index.token == data_token()
    assert first.total == second.total == 1


def test_course_type_changed_by_save_moves_between_facets():
    target = course()
    result = search("type=asl")
    assert pks(result) == [target.pk]
    assert (facet(result, "type", "asl"), facet(result, "type", "fle")) == (1, 0)

    target.course_type = enums.CourseType.FLE
    target.save()
    result = search("type=asl")
    assert (result.total, result.items) == (0, [])
    assert (facet(result, "type", "asl"), facet(result, "type", "fle")) == (0, 1)
    assert pks(search("type=fle")) == [target.pk]


def test_time_slot_added_makes_the_course_match_a_slot():
    monday_evening = "jour=lundi&creneau=soir"
    target = course()
    result = search(monday_evening)
    assert result.total == 0
    assert facet(result, "jour", "lundi") == 0
    assert facet(result, "creneau", "soir") == 0

    TimeSlot.objects.create(
        course=target, weekday=enums.Weekday.MONDAY, starts_at=datetime.time(18, 30), ends_at=datetime.time(20, 30)
    )
    result = search(monday_evening)
    assert pks(result) == [target.pk]
    assert facet(result, "jour", "lundi") == 1
    assert facet(result, "jour", "mardi") == 0
    assert facet(result, "creneau", "soir") == 1
    assert facet(result, "creneau", "matin") == 0


def test_session_added_changes_the_next_session_order():
    first, second = course("un"), course("deux")
    SessionFactory(course=first, starts_on=datetime.date(2027, 2, 1), ends_on=datetime.date(2027, 6, 30))
    SessionFactory(course=second, starts_on=datetime.date(2026, 9, 1))  # already started: no next session
    assert pks(search("tri=prochaine-session")) == [first.pk, second.pk]

    SessionFactory(course=second, starts_on=datetime.date(2027, 1, 11), ends_on=datetime.date(2027, 6, 30))
    result = search("tri=prochaine-session")
    assert pks(result) == [second.pk, first.pk]
    assert [c.next_session_on for c in result.items] == [datetime.date(2027, 1, 11), datetime.date(2027, 2, 1)]
    assert ordered_ids("tri=prochaine-session") == [second.pk, first.pk]
    assert pks(result) == reference("tri=prochaine-session").ids


def test_queryset_update_without_signal_is_seen():
    full, other = course("complet", places_available=False), course("ouvert", places_available=True)
    result = search("places=oui")
    assert pks(result) == [other.pk]
    assert facet(result, "places", "oui") == 1

    assert Course.objects.filter(pk=full.pk).update(places_available=True) == 1
    result = search("places=oui")
    assert sorted(pks(result)) == sorted([full.pk, other.pk])
    assert facet(result, "places", "oui") == 2

    assert Course.objects.filter(name__contains=WORD).update(places_available=None) == 2
    result = search("places=oui")
    assert result.total == 0
    assert facet(result, "places", "oui") == 0
    assert search("places=non").total == 2


def test_queryset_update_of_updated_at_changes_the_default_order():
    old = course("ancien", updated_at=timezone.now() - datetime.timedelta(days=30))
    recent = course("recent", updated_at=timezone.now() - datetime.timedelta(days=1))
    assert pks(search()) == [recent.pk, old.pk]

    Course.objects.filter(pk=old.pk).update(updated_at=timezone.now())
    assert pks(search()) == [old.pk, recent.pk]
    assert ordered_ids("tri=mise-a-jour") == [old.pk, recent.pk]


def test_deleted_courses_disappear_from_results_and_total():
    kept, gone, also_gone = course("garde"), course("supprime"), course("aussi")
    assert search().total == 3

    gone.delete()
    result = search()
    assert result.total == 2
    assert gone.pk not in pks(result)
    assert sorted(pks(result)) == sorted([kept.pk, also_gone.pk])

    Course.objects.filter(pk=also_gone.pk).delete()  # a queryset delete: no instance signal for the course
    result = search()
    assert (result.total, pks(result)) == (1, [kept.pk])
    assert facet(result, "type", "asl") == 1


def test_place_moved_by_queryset_update_changes_distance_results():
    sarcelles = commune("95585")
    place = place_in("95585")
    target = course(place=place)
    result = search("commune=95585&rayon=5")
    assert pks(result) == [target.pk]
    assert result.items[0].distance == pytest.approx(0, abs=1e-6)

    # About 55 km north: out of a 5 km radius.
    Place.objects.filter(pk=place.pk).update(latitude=sarcelles.latitude + 0.5)
    assert search("commune=95585&rayon=5").total == 0
    result = search("commune=95585&rayon=60")
    assert pks(result) == [target.pk]
    want = reference("commune=95585&rayon=60")
    assert result.items[0].distance == pytest.approx(oracle.distance_km(want.rows[0], want.centre), abs=1e-6)
    assert result.items[0].distance > 50


def test_rolled_back_savepoint_leaves_no_trace():
    course()
    assert search().total == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        course("fantome")
        assert search().total == 2
        raise RuntimeError
    result = search()
    assert result.total == 1
    assert course_index().token == data_token()


def test_missing_token_row_gives_fresh_uncached_indexes():
    target = course()
    DataVersion.objects.all().delete()
    first = course_index()
    assert first.token is None
    assert course_index() is not first
    assert pks(search()) == [target.pk]
    target.delete()
    assert search().total == 0


def test_shown_courses_are_fresh_and_keep_their_own_distance():
    """The page's course objects may come from the index's cache of shown courses: they follow writes too,
    and a search's distance is not another search's."""
    target = course("ancien nom", place=place_in("95585"))
    other_centre = commune("95127")
    near = search("commune=95585&rayon=30")
    far = search("commune=95127&rayon=30")
    assert pks(near) == pks(far) == [target.pk]
    assert near.items[0].distance < 5 < far.items[0].distance
    want = reference(f"lat={other_centre.latitude}&lon={other_centre.longitude}&rayon=30")
    assert far.items[0].distance == pytest.approx(oracle.distance_km(want.rows[0], want.centre), abs=1e-6)
    assert search("commune=95585&rayon=30").items[0].distance == pytest.approx(near.items[0].distance)
    assert not hasattr(search().items[0], "distance")

    Course.objects.filter(pk=target.pk).update(name=f"Atelier {WORD} nouveau nom")
    assert search().items[0].name == f"Atelier {WORD} nouveau nom"
    Structure.objects.filter(pk=target.structure_id).update(name="Association renommée")
    assert search().items[0].structure.name == "Association renommée"
    SessionFactory(course=target, starts_on=datetime.date(2027, 1, 4))
    assert search().items[0].next_session_on == datetime.date(2027, 1, 4)
    assert search().items[0].next_session_on == oracle.next_session(reference().rows[0], TODAY)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_facet_labels_follow_the_language(language):
    first = course(place=place_in("95585"))
    TimeSlot.objects.create(course=first, weekday=5, starts_at=datetime.time(10), ends_at=datetime.time(12))
    with translation.override(language):
        for querystring in (f"q={WORD}", f"q={WORD}&type=asl&creneau=week-end&commune=95585&rayon=5"):
            query = parse_course_query(QueryDict(querystring), strict=True)
            facets = course_search(query, today=TODAY).facets
            assert (
                oracle.facet_errors(
                    oracle.load_rows(), oracle.expected(oracle.load_rows(), querystring, TODAY), facets, TODAY
                )
                == []
            )
            types = dict(enums.CourseType.choices)
            assert {f.label for f in facets["type"]} == {str(types[f.value]) for f in facets["type"]}
            assert {f.label for f in facets["creneau"]} == {str(label) for label in SLOTS.values()}


def test_a_write_committed_during_the_build_does_not_break_the_search():
    """Another process may commit between two of the build's SELECTs (each sees the latest commit, on SQLite
    as on PostgreSQL in READ COMMITTED): simulated here by writing on the test's own connection."""
    course("premier")
    late = []

    def another_writer(execute, sql, params, many, context):
        # Before the build's first read of the time slots, another writer adds a course with a time slot.
        if not late and "offers_timeslot" in sql and sql.lstrip().upper().startswith("SELECT"):
            late.append(None)  # once
            late[0] = course("tardif")
            TimeSlot.objects.create(course=late[0], weekday=0, starts_at=datetime.time(9), ends_at=datetime.time(11))
        return execute(sql, params, many, context)

    Course.objects.filter(name__contains=WORD).update(description="")  # a new token: the next search rebuilds
    with connection.execute_wrapper(another_writer):
        first = search()
    assert late, "the build did not read the time slots"
    assert first.total in (1, 2)
    assert search().total == 2


# --- text semantics -----------------------------------------------------------------------------------------


def _both(querystring):
    """(index result ids, the plain reading's ids, the total) of a full query string, without the test word."""
    query = parse_course_query(QueryDict(querystring), strict=True)
    plain = oracle.expected(oracle.load_rows(), querystring, TODAY).ids
    return course_index().ordered_ids(query, today=TODAY), plain, course_search(query, today=TODAY).total


def test_text_filter_matches_inside_a_token():
    inside = course("sociolinguistique", place=place_in("95585"))
    elsewhere = course("autre")  # in Conflans-Sainte-Honorine (95127)
    assert "sarcelles" in Course.objects.get(pk=inside.pk).search_text
    assert "sarcelles" not in Course.objects.get(pk=elsewhere.pk).search_text

    for querystring, expected in [
        ("q=celles", [inside.pk]),  # the end of Sarcelles
        ("q=ARCEL", [inside.pk]),  # its middle, in capitals
        (f"q=celles {WORD}", [inside.pk]),
        ("q=ociolinguis", [inside.pk]),
        ("q=rglu&q=sarcelles", [inside.pk]),
        (f"q={WORD[2:]}", sorted([inside.pk, elsewhere.pk])),
        ("q=celles conflans", []),
    ]:
        index_ids, plain_ids, total = _both(querystring)
        assert sorted(index_ids) == expected, querystring
        assert index_ids == plain_ids, querystring
        assert total == len(expected), querystring


def test_a_word_that_folding_splits_is_matched_as_one_string():
    # U+00A8 DIAERESIS folds (NFKD) to a space and a combining mark: "a¨b" → "a b", one word with a space.
    assert parse_course_query(QueryDict("q=a¨b"), strict=True).q == ["a b"]
    assert parse_course_query(QueryDict("q=¨"), strict=True).q == [" "]
    assert parse_course_query(QueryDict(f"q=x´y {WORD}"), strict=True).q == ["x y", WORD]

    spanning = course("de a b c")  # "... de a b c": "a b" spans two tokens
    split = course("a puis b")
    glued = course("ab")
    for querystring, expected in [
        ("q=a¨b", [spanning.pk]),
        (f"q=a¨b {WORD}", [spanning.pk]),
        ("q=b¨c", [spanning.pk]),
        ("q=a¨", [spanning.pk, split.pk]),  # "a " : a token ending in a, then a space
        ("q=¨", sorted([spanning.pk, split.pk, glued.pk])),  # a space: every text of several words
        ("q=ab¨c", []),
    ]:
        index_ids, plain_ids, total = _both(f"{querystring}&q={WORD}")
        assert sorted(index_ids) == expected, querystring
        assert index_ids == plain_ids, querystring
        assert total == len(expected), querystring


# --- edge cases, index against the plain reading ----------------------------------------------------------


def _agree(querystring):
    """The index gives the plain reading's ids in its order, its total, its page and its facet counts."""
    query = parse_course_query(QueryDict(querystring), strict=True)
    rows = oracle.load_rows()
    want = oracle.expected(rows, querystring, TODAY)
    assert course_index().ordered_ids(query, today=TODAY) == want.ids, querystring
    found = course_search(query, today=TODAY)
    page = min(query.page, max(1, -(-len(want.ids) // query.page_size)))
    start = (page - 1) * query.page_size
    assert (found.total, found.page, pks(found)) == (
        len(want.ids),
        page,
        want.ids[start : start + query.page_size],
    ), querystring
    assert oracle.facet_errors(rows, want, found.facets, TODAY) == [], querystring
    return want.ids


def test_an_empty_offer():
    Course.objects.all().delete()
    for querystring in ["", "q=celles&tri=prochaine-session", "commune=95585&rayon=0", "jour=lundi&page=3"]:
        assert _agree(querystring) == []


def test_sessions_without_dates_agree_with_the_plain_reading():
    no_end, no_start, over = course("sans fin"), course("sans debut"), course("finie")
    SessionFactory(course=no_end, starts_on=datetime.date(2026, 10, 1), ends_on=None)
    SessionFactory(course=no_start, starts_on=None, ends_on=datetime.date(2027, 3, 1))
    SessionFactory(course=over, starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 6, 30))
    SessionFactory(course=over, starts_on=datetime.date(2027, 1, 4), ends_on=None)
    assert _agree(f"q={WORD}&debut_avant=2026-12-31") == [no_end.pk]
    assert sorted(_agree(f"q={WORD}&debut_avant=2027-01-31")) == [no_end.pk, over.pk]
    assert _agree(f"q={WORD}&tri=prochaine-session") == [over.pk, no_end.pk, no_start.pk]


def test_real_offers_come_before_demo_ones_in_the_default_order():
    now = timezone.now()
    demo = course("demo", source="demo", updated_at=now)
    real_old = course("ancien", updated_at=now - datetime.timedelta(days=300))
    real_new = course("recent", updated_at=now - datetime.timedelta(days=1))
    assert _agree(f"q={WORD}") == [real_new.pk, real_old.pk, demo.pk]
    assert _agree(f"q={WORD}&tri=mise-a-jour&taille=1&page=2") == [real_new.pk, real_old.pk, demo.pk]


def test_courses_at_one_place_tie_on_distance_by_primary_key():
    place = place_in("95585")
    same = [course(str(i), place=place) for i in range(4)]
    nearer = course("ailleurs", place=place_in("95585", latitude=place.latitude + 0.001, longitude=place.longitude))
    ids = _agree(f"q={WORD}&lat={place.latitude + 0.002}&lon={place.longitude}&rayon=5&taille=2&page=2")
    assert ids == [nearer.pk, *sorted(c.pk for c in same)]


def test_words_with_like_and_regex_metacharacters_are_plain_text():
    odd = course(r"100% oral_b c.e. a\b (x)")
    plain = course("100 oral b ce")
    for word, expected in [
        ("%", [odd.pk]),
        ("_b", [odd.pk]),
        ("c.e", [odd.pk]),
        ("c*e", []),
        ("a\\b", [odd.pk]),
        ("(x)", [odd.pk]),
        ("[a-z]", []),
        ("100", sorted([odd.pk, plain.pk])),
    ]:
        params = QueryDict(mutable=True)
        params.setlist("q", [word, WORD])
        assert sorted(_agree(params.urlencode())) == expected, word


class _Log:
    def __init__(self):
        self.lines = []

    def info(self, message, *args):
        self.lines.append(("info", message % args))

    def warning(self, message, *args):
        self.lines.append(("warning", message % args))


@pytest.mark.django_db(transaction=True)
def test_the_gunicorn_master_builds_the_whole_index_before_forking():
    """config/gunicorn.py's `when_ready`: the index of the current data, its text index, facet columns and
    default order are built in the master, and its database connection is closed before the workers fork."""
    import importlib

    from django.urls import clear_url_caches, get_resolver
    from django.utils.translation import trans_real

    gunicorn_config = importlib.import_module("config.gunicorn")
    assert gunicorn_config.preload_app is True
    DataVersion.objects.get_or_create(id=1, defaults={"token": "restored-by-the-test"})
    course("au démarrage")
    server = type("Server", (), {"log": _Log()})()
    clear_url_caches()  # as in a new process: URL modules not read yet
    assert "url_patterns" not in vars(get_resolver())
    trans_real._translations.pop("ar", None)
    gunicorn_config.when_ready(server)
    # What Django loads at a process's first request is loaded before the fork: no worker's first request waits.
    assert "url_patterns" in vars(get_resolver())
    assert "ar" in trans_real._translations
    assert "ar" in get_resolver()._reverse_dict
    if not getattr(connection, "is_in_memory_db", lambda: False)():  # Django keeps a test's memory database
        assert connection.connection is None  # closed: no socket or file handle shared with the workers
    index = course_index()
    assert index.token == data_token()  # the one built by when_ready: no rebuild at the first search
    assert index.base.text._postings is not None and index.base._packed
    assert server.log.lines == [("info", server.log.lines[0][1])]
    assert server.log.lines[0][1].startswith(f"Search index ready: {index.size} courses in ")
    result = course_search(parse_course_query(QueryDict(f"q={WORD}")))
    assert result.version == index.token and result.total == 1


@pytest.mark.django_db(transaction=True)
def test_an_unmigrated_database_does_not_stop_the_server(monkeypatch):
    import importlib

    from django.db import DatabaseError

    import cartolangue.search.live

    def broken(today=None):
        raise DatabaseError("no such table: search_dataversion")

    monkeypatch.setattr(cartolangue.search.live, "warm_up", broken)
    server = type("Server", (), {"log": _Log()})()
    importlib.import_module("config.gunicorn").when_ready(server)
    assert server.log.lines == [
        (
            "warning",
            "Search index not built at start-up (no such table: search_dataversion): the first searches will build it",
        )
    ]


def test_a_zone_search_follows_the_zone_and_its_communes():
    """The zone (by its code) and its communes are memoised per data version: a zone created, a commune
    added to it or taken out shows at the next search."""
    from cartolangue.geo.models import Zone, ZoneMembership, Zoning

    in_zone = course("dans la zone", place=place_in("95127"))
    course("ailleurs", place=place_in("95585"))
    assert "zone" in {e.param for e in parse_course_query(QueryDict("zone=bassins:B1")).errors}  # unknown yet
    zoning = Zoning.objects.create(slug="bassins", name="Bassins")
    zone = Zone.objects.create(zoning=zoning, code="B1", name="Bassin 1")
    assert search("zone=bassins:B1").total == 0
    ZoneMembership.objects.create(zoning=zoning, zone=zone, commune=in_zone.place.commune, resolution="table")
    assert pks(search("zone=bassins:B1")) == [in_zone.pk] == reference("zone=bassins:B1").ids
    ZoneMembership.objects.filter(zone=zone).delete()
    assert search("zone=bassins:B1").total == 0
