"""The course tab counts the test tab's sessions without reading them (`exam_search(details=False)`): numpy
columns of every session, kept per data version, and the same distances; the count is the full search's
total, and it follows a write."""

import datetime

import pytest
from django.http import QueryDict

from cartolangue.offers.demo import demo_generate
from cartolangue.search.engine import exam_search
from cartolangue.search.params import parse_exam_query

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)


@pytest.mark.parametrize(
    "querystring",
    [
        "",
        "commune=95585&rayon=10",
        "commune=95585&rayon=3",
        "commune=95585&commune=75056&rayon=8",
        "commune=95127&rayon=0",
        "lat=49.0&lon=2.3&rayon=25&certification=tcf-irn",
        "departement=95&commune=95018&rayon=15",
        "cpf=oui",
        "cpf=oui&commune=75056&rayon=20",
        "apres=2027-01-15&avant=2027-03-31",
        "avant=2026-12-20&certification=delf-a2&certification=tcf-irn",
        "departement=75&departement=93&tri_examens=distance&lat=48.86&lon=2.35&rayon=12",
    ],
)
def test_count_alone_is_the_search_total(querystring):
    demo_generate(courses=400, seed=3, reference_date=TODAY)
    query = parse_exam_query(QueryDict(querystring), strict=True)
    full = exam_search(query, today=TODAY)
    assert exam_search(query, today=TODAY, details=False).total == full.total
    if querystring:
        assert full.total < exam_search(parse_exam_query(QueryDict(""), strict=True), today=TODAY).total


def test_count_follows_a_write():
    demo_generate(courses=200, seed=5, reference_date=TODAY)
    query = parse_exam_query(QueryDict("commune=95585&rayon=10"), strict=True)
    before = exam_search(query, today=TODAY, details=False).total
    session = exam_search(query, today=TODAY).items[0]
    session.exam_date = TODAY - datetime.timedelta(days=1)  # now past: no longer counted
    # The first session is an open one (closed ones come last): its deadline must stay before its date.
    session.registration_deadline = None
    session.save()
    assert exam_search(query, today=TODAY, details=False).total == before - 1
    assert exam_search(query, today=TODAY).total == before - 1
