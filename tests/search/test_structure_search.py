"""Structure search, inside the engine: the same answers as a plain reading of its rule (every word in the
structure's name or acronym, or in the search text of one of its courses; département of one of its places),
and a cost that does not grow with the number of words (it used to add one join on courses per word)."""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course, Place, Structure
from cartolangue.search.engine import course_search, structure_search
from cartolangue.search.params import parse_course_query
from cartolangue.text import fold

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def demo():
    demo_generate(courses=400, seed=3, reference_date=TODAY)
    # A structure without any course, found by its acronym only, with accents folded.
    Structure.objects.create(name="Maison des Femmes", acronym="MDFÉ", source="test", source_id="sans-cours")


def _plain_reading(words: list[str], departements: list[str]) -> list[int]:
    found = []
    for structure in Structure.objects.order_by("name", "pk"):
        own = fold(f"{structure.name} {structure.acronym or ''}")
        texts = list(Course.objects.filter(structure=structure).values_list("search_text", flat=True))
        if not all(word in own or any(word in t for t in texts) for word in words):
            continue
        codes = set(Place.objects.filter(structure=structure).values_list("commune__departement__code", flat=True))
        if departements and not codes & set(departements):
            continue
        found.append(structure.pk)
    return found


@pytest.mark.parametrize(
    "querystring",
    [
        "",
        "q=association",
        "q=ASSOCIATION lire",
        "q=mdfe",
        "q=femmes",
        "q=sarcelles français",
        "q=a e i o u",
        "q=zzzqqq",
        "departement=95",
        "departement=95&departement=93&q=asl",
        "q=cours&q=atelier&departement=75",
    ],
)
def test_structure_search_equals_a_plain_reading(demo, querystring):
    params = QueryDict(querystring)
    words = [fold(w) for value in params.getlist("q") for w in value.split()]
    expected = _plain_reading(words, params.getlist("departement"))
    found = []
    page = 1
    while True:
        result = structure_search(QueryDict(f"{querystring}&page={page}&taille=100"))
        found.extend(s.pk for s in result.items)
        if not result.has_next:
            break
        page += 1
    assert result.total == len(expected)
    assert found == expected


def test_each_text_parameter_costs_the_same_for_1_to_20_words(demo):
    """The queries of a course search and a structure search do not grow with the words (the text filter
    reads at most 10 of them, on the in-memory index)."""
    course_search(parse_course_query(QueryDict("")), today=TODAY)  # the index, built once
    structure_search(QueryDict(""))  # the structure columns, read once
    counts = {"courses": set(), "structures": set()}
    for n in range(1, 21):
        words = " ".join(["e"] * n)
        with CaptureQueriesContext(connection) as queries:
            course_search(parse_course_query(QueryDict(f"q={words}")), today=TODAY)
        counts["courses"].add(len(queries))
        with CaptureQueriesContext(connection) as queries:
            result = structure_search(QueryDict(f"q={words}"))
        counts["structures"].add(len(queries))
        assert all(" join " not in q["sql"].lower() for q in queries), "the page is read by id, no join"
        assert result.total > 0
    assert counts == {"courses": {min(counts["courses"])}, "structures": {min(counts["structures"])}}
    # The data version (read twice outside a request: by the memo and by the index), then the page.
    assert max(counts["structures"]) <= 3


def test_a_new_structure_is_found_at_once(demo):
    assert structure_search(QueryDict("q=zebulon")).total == 0
    Structure.objects.create(name="Zébulon formation", source="test", source_id="z")
    assert [s.name for s in structure_search(QueryDict("q=zebulon")).items] == ["Zébulon formation"]
