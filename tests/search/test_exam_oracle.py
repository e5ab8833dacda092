"""Every exam-session filter, order, page, distance, facet count and map marker of the engine agrees with a
plain Python reading of the documented semantics over the same sessions: from the chosen day (today by
default) to the last one, the certifications, départements and CPF eligibility asked, within the radius; open
registrations first, then by distance when asked with a place, then by date, then by id."""

import datetime
import random

import pytest
from django.http import QueryDict

from cartolangue.geo.distance import haversine_km
from cartolangue.offers.demo import demo_delete, demo_generate
from cartolangue.offers.models import ExamSession
from cartolangue.search.engine import exam_map_rows, exam_search, upcoming_exam_sessions
from cartolangue.search.params import parse_exam_query

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(scope="module")
def sessions(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_generate(courses=600, seed=4, reference_date=TODAY)
        # Some sessions with no deadline, some whose registration closed yesterday, some in the past.
        ids = list(ExamSession.objects.order_by("pk").values_list("pk", flat=True))
        ExamSession.objects.filter(pk__in=ids[::6]).update(registration_deadline=None)
        ExamSession.objects.filter(pk__in=ids[2::5]).update(registration_deadline=TODAY - datetime.timedelta(days=1))
        past = TODAY - datetime.timedelta(days=3)
        ExamSession.objects.filter(pk__in=ids[1::11]).update(exam_date=past, registration_deadline=past)
        yield list(ExamSession.objects.select_related("certification", "place__commune__departement"))
        demo_delete()


def _plain(sessions, querystring):
    """(the matching sessions in order, their distances by id, certification counts without that filter)."""
    params = QueryDict(querystring)
    g = params.getlist
    query = parse_exam_query(params, strict=True)
    points = [(c.latitude, c.longitude) for c in query.location.centres] if query.location else []
    communes = {c.commune.pk for c in query.location.centres if c.commune} if query.location else set()
    after = min((datetime.date.fromisoformat(d) for d in g("apres")), default=TODAY)
    before = max((datetime.date.fromisoformat(d) for d in g("avant")), default=None)

    def distance(s):
        return min(haversine_km(lat, lon, s.place.latitude, s.place.longitude) for lat, lon in points)

    def keep(s, *, certification=True):
        if s.exam_date < after or (before and s.exam_date > before):
            return False
        if certification and g("certification") and s.certification.code not in g("certification"):
            return False
        if g("departement") and s.place.commune.departement.code not in g("departement"):
            return False
        if g("cpf") and s.certification.cpf_eligible != (g("cpf")[0] == "oui"):
            return False
        if points:
            radius = query.location.radius_km
            if radius == 0 and communes:
                return s.place.commune_id in communes
            return distance(s) <= radius
        return True

    def closed(s):
        return s.registration_deadline is not None and s.registration_deadline < TODAY

    found = [s for s in sessions if keep(s)]
    by_distance = query.sort == "distance" and points
    found.sort(key=lambda s: (closed(s), distance(s) if by_distance else 0, s.exam_date, s.pk))
    counts = {}
    for s in sessions:
        if keep(s, certification=False):
            counts[s.certification.code] = counts.get(s.certification.code, 0) + 1
    return found, ({s.pk: distance(s) for s in found} if points else None), counts, closed


def _random_queries(n, seed):
    rng = random.Random(seed)
    values = {
        "certification": ["tcf-irn", "delf-a2", "delf-b1", "tef-irn", "dcl-fle"],
        "departement": ["95", "93", "75", "78", "92"],
        "cpf": ["oui", "non"],
        "apres": ["2026-12-15", "2027-02-01"],
        "avant": ["2027-01-31", "2027-04-30"],
        "tri_examens": ["date", "distance"],
    }
    queries = []
    for _ in range(n):
        parts = []
        for name in rng.sample(sorted(values), k=rng.randint(1, 3)):
            k = 1 if name in ("cpf", "tri_examens", "apres", "avant") else rng.randint(1, 2)
            parts += [f"{name}={v}" for v in rng.sample(values[name], k=k)]
        if rng.random() < 0.6:
            parts.append(f"commune={rng.choice(['95585', '95127', '95018', '75056'])}&rayon={rng.choice([0, 8, 25])}")
        queries.append("&".join(parts))
    return queries


QUERIES = [
    "",
    "commune=95585&rayon=15&tri_examens=distance",
    "commune=95585&commune=75056&rayon=8&tri_examens=distance&taille=5&page=2",
    "commune=95127&rayon=0",
    "lat=48.86&lon=2.35&rayon=12&certification=tcf-irn",
    "taille=7&page=3",
    "taille=7&page=999&tri_examens=distance&commune=75056&rayon=30",
] + _random_queries(30, seed=12)


@pytest.mark.parametrize("querystring", QUERIES)
def test_exam_search_agrees_with_a_plain_reading(sessions, querystring):
    query = parse_exam_query(QueryDict(querystring), strict=True)
    found, distances, counts, closed = _plain(sessions, querystring)
    ids = [s.pk for s in found]

    result = exam_search(query, today=TODAY)
    assert result.total == len(ids)
    page = min(query.page, max(1, -(-len(ids) // query.page_size)))
    assert result.page == page
    start = (page - 1) * query.page_size
    assert [s.pk for s in result.items] == ids[start : start + query.page_size]
    for item in result.items:
        assert item.registration_closed == closed(item)
        if distances is not None:
            assert item.distance == pytest.approx(distances[item.pk], abs=1e-6)
    assert {f.value: f.count for f in result.facets["certification"]} == counts
    assert exam_search(query, today=TODAY, details=False).total == len(ids)
    # The map and the flyer's list: the same sessions in the same order.
    assert [row[0] for row in exam_map_rows(query, limit=len(ids) + 1, today=TODAY)] == ids
    assert [s.pk for s in upcoming_exam_sessions(query, today=TODAY, limit=3)] == ids[:3]


def test_the_plain_reading_finds_sessions(sessions):
    """The queries above are not all empty: the oracle has something to compare."""
    assert sum(1 for q in QUERIES if q and exam_search(parse_exam_query(QueryDict(q)), today=TODAY).total) >= 10
