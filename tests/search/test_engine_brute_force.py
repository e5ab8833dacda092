"""Every filter, facet count, order and page of the engine (the list, the map, deep pages, distances and next
sessions) agrees with a plain Python reading of the documented semantics over the same courses
(tests/search/oracle.py)."""

import datetime
import random

import pytest
from django.http import QueryDict

from cartolangue.offers import enums
from cartolangue.offers.demo import demo_delete, demo_generate
from cartolangue.offers.models import Course
from cartolangue.search.engine import course_map_rows, course_search
from cartolangue.search.filters import COURSE_FILTERS
from cartolangue.search.live import course_index
from cartolangue.search.params import NO_LEVEL, SLOTS, WEEKDAYS, parse_course_query
from tests.search.oracle import distance_km, expected, facet_errors, fold, load_rows, matching, next_session

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)


RANDOM_VALUES = {
    "type": enums.CourseType.values,
    "parcours": enums.Parcours.values,
    "modalite": enums.Modality.values,
    "niveau_entree_oral": [NO_LEVEL, "A1.1", "A1", "A2", "B1"],
    "niveau_entree_ecrit": [NO_LEVEL, "A1.1", "A1", "A2"],
    "niveau_vise": ["A1.1", "A1", "A2", "B1", "B2"],
    "scolarisation": enums.Schooling.values,
    "public": ["signataires-cir", "parents-eleves", "demandeurs-emploi", "tous-publics"],
    "jour": list(WEEKDAYS),
    "creneau": list(SLOTS),
    "garde_enfants": ["oui", "non"],
    "gratuit": ["oui", "non"],
    "financeur": ["region", "ofii", "cpf", "commune", "fse"],
    "places": ["oui", "non"],
    "tri": ["distance", "prochaine-session", "mise-a-jour"],
    "departement": ["95", "93", "75", "78"],
    "zone": ["insee-ze2020:1101", "insee-ze2020:1112", "insee-ze2020:1109"],
    "debut_avant": ["2026-09-15", "2027-01-31"],
    "certification": ["delf-a2", "delf-b1", "tcf-irn"],
    "q": ["alphabetisation", "ASL", "français emploi", "sarcelles", "Écrire"],
}


def _random_queries(n, seed):
    rng = random.Random(seed)
    queries = [
        "",
        "commune=95585&rayon=10",
        "commune=95127&rayon=0&type=fle&type=asl",
        "commune=95585&commune=95127&rayon=4",
        "lat=49.0&lon=2.2&rayon=12&tri=prochaine-session",
    ]
    for _ in range(n):
        parts = []
        for name in rng.sample(sorted(RANDOM_VALUES), k=rng.randint(1, 4)):
            single = name in ("garde_enfants", "gratuit", "places", "tri")  # one value, or they cancel out
            k = 1 if single else min(len(RANDOM_VALUES[name]), rng.randint(1, 2))
            for value in rng.sample(RANDOM_VALUES[name], k=k):
                parts.append(f"{name}={value}")
        if rng.random() < 0.4:
            parts.append(f"commune={rng.choice(['95585', '95127', '95018', '75056'])}&rayon={rng.choice([3, 8, 15])}")
        queries.append("&".join(parts))
    return queries


@pytest.fixture(scope="module")
def demo_rows(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_generate(courses=800, seed=11, reference_date=TODAY)
        # Unknown yes/no values, which "non" treats differently per filter (the generator states them all).
        ids = list(Course.objects.order_by("pk").values_list("pk", flat=True))
        Course.objects.filter(pk__in=ids[::7]).update(is_free=None)
        Course.objects.filter(pk__in=ids[3::9]).update(childcare=None, places_available=None)
        yield load_rows()
        demo_delete()


# Each sort with filters, radius 0, several communes, accented and two-word text, substrings of a word.
EXTRA_QUERIES = [
    "tri=distance&commune=95585&rayon=8&type=fle&type=asl",
    "tri=distance&lat=48.95&lon=2.35&rayon=20&gratuit=oui&niveau_entree_oral=A1",
    "tri=distance&departement=95",  # no location: the default order
    "tri=prochaine-session&departement=95&gratuit=oui",
    "tri=prochaine-session&commune=95127&rayon=15&jour=lundi&jour=mardi&creneau=soir",
    "tri=prochaine-session&debut_avant=2027-01-31&financeur=region",
    "tri=mise-a-jour&commune=95585&rayon=12&places=oui",
    "tri=mise-a-jour&niveau_entree_ecrit=aucun&scolarisation=jamais-ou-peu",
    "garde_enfants=non&gratuit=non&places=non",
    "commune=95585&rayon=0",
    "modalite=distanciel&modalite=hybride",
    "commune=95585&commune=95127&rayon=0&tri=prochaine-session",
    "commune=95127&rayon=0&tri=mise-a-jour&public=signataires-cir",
    "commune=95585&commune=95127&commune=95018&rayon=5&creneau=matin",
    "commune=95585&commune=93066&rayon=6&tri=prochaine-session&certification=delf-a2",
    "commune=95585&commune=95127&rayon=7&tri=mise-a-jour",
    "q=Médiathèque",
    "q=MÉDIATHÈQUE&tri=prochaine-session&departement=95&departement=93",
    "q=général gaulle",
    "q=allée&commune=95585&rayon=15&tri=distance",
    "q=rue écoles",
    "q=lire écrire&tri=prochaine-session",
    "q=celles",
    "q=arcel&commune=95585&rayon=10&tri=mise-a-jour",
    "q=zzzzqqq&tri=prochaine-session",
]
EMPTY_ON_PURPOSE = {"q=zzzzqqq&tri=prochaine-session"}


@pytest.mark.parametrize("querystring", _random_queries(40, seed=2026) + EXTRA_QUERIES)
def test_list_map_and_facets_agree_with_a_plain_reading(demo_rows, querystring):
    want = expected(demo_rows, querystring, TODAY)
    query = parse_course_query(QueryDict(querystring), strict=True)
    if querystring in EXTRA_QUERIES:
        assert bool(want.ids) != (querystring in EMPTY_ON_PURPOSE), "a query meant to find courses"

    # Every matching course, in the documented order; the map the same, from the same index as the list.
    assert course_index().ordered_ids(query, today=TODAY) == want.ids
    assert [row[0] for row in course_map_rows(query, limit=len(want.ids) + 1, today=TODAY)] == want.ids
    # The first page: the same courses, their distance and next session.
    result = course_search(query, today=TODAY)
    assert result.total == len(want.ids)
    assert result.page == 1
    assert [c.pk for c in result.items] == want.ids[: query.page_size]
    for course, row in zip(result.items, want.rows, strict=False):
        assert course.next_session_on == next_session(row, TODAY)
        if want.centre:
            assert course.distance == pytest.approx(distance_km(row, want.centre), abs=1e-6)
    # Every facet count; the facets that list only values with courses list all of those.
    assert facet_errors(demo_rows, want, result.facets, TODAY) == []
    for declared in COURSE_FILTERS:
        if declared.hides_empty:
            others = matching(demo_rows, want.found, skip={declared.name})
            values = {
                "departement": lambda r: {r.departement},
                "certification": lambda r: r.certifications,
            }[declared.name]
            present = set().union(*(values(r) for r in others)) if others else set()
            assert {f.value for f in result.facets[declared.name]} == present, declared.name


def test_sorting_by_distance_and_pagination(demo_rows):
    query = parse_course_query(QueryDict("commune=95585&rayon=15&taille=7"), strict=True)
    ordered = []
    for page in range(1, 4):
        ordered += course_search(query.replace(page=page), today=TODAY).items
    distances = [c.distance for c in ordered]
    assert len(ordered) == 21
    assert distances == sorted(distances)
    for course in ordered:
        assert course.distance == pytest.approx(
            distance_km(
                next(r for r in demo_rows if r.pk == course.pk),
                ([(query.location.latitude, query.location.longitude)], 15, set()),
            ),
            abs=1e-6,
        )


def test_full_text_is_accent_and_case_insensitive(demo_rows):
    for text in ("sarcelles", "SARCELLES", "Écrire", "ecrire", "lire écrire"):
        query = parse_course_query(QueryDict(f"q={text}&taille=100"), strict=True)
        found = course_search(query, today=TODAY).items
        assert found, text
        for course in found:
            for word in text.split():
                assert fold(word) in course.search_text
    assert course_search(parse_course_query(QueryDict("q=zzzzqqq"), strict=True), today=TODAY).total == 0


DEEP_PAGE_QUERIES = [
    "taille=7&page=3",
    "taille=7&page=3&tri=prochaine-session&departement=95",
    "taille=7&page=3&tri=prochaine-session&commune=95585&rayon=12",
    "taille=7&page=3&commune=95585&rayon=15",
    "taille=7&page=3&commune=95585&commune=95127&rayon=0&tri=distance",
    "taille=7&page=3&lat=48.95&lon=2.35&rayon=20&tri=mise-a-jour",
    "taille=7&page=3&q=écoles&tri=distance&commune=95127&rayon=25",
    "taille=7&page=3&type=asl&type=fle&tri=mise-a-jour",
    "taille=7&page=9999&commune=95585&rayon=10",  # past the end: the last page
]


@pytest.mark.parametrize("querystring", DEEP_PAGE_QUERIES)
def test_deep_pages_agree_with_a_plain_reading(demo_rows, querystring):
    want = expected(demo_rows, querystring, TODAY)
    query = parse_course_query(QueryDict(querystring), strict=True)
    found = course_search(query, today=TODAY)
    total = len(want.ids)
    assert total > 2 * query.page_size, "the query should reach a third page"
    last = -(-total // query.page_size)
    page = min(query.page, last)
    assert (found.total, found.page) == (total, page)
    start = (page - 1) * query.page_size
    assert [c.pk for c in found.items] == want.ids[start : start + query.page_size]
    for course, row in zip(found.items, want.rows[start:], strict=False):
        assert course.next_session_on == next_session(row, TODAY)
        if query.location:
            assert course.distance == pytest.approx(distance_km(row, want.centre), abs=1e-6)
        else:
            assert not hasattr(course, "distance")
