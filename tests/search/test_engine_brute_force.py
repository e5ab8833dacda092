"""Every filter and every facet count of the engine agrees with a plain Python filter over the same courses,
on both paths: the SQL reference (`course_queryset`, `course_facets`, `course_search_sql`) and the in-memory
index (`course_index`, `course_search`), which must also give the same order, page by page."""

import datetime
import random
import unicodedata
from dataclasses import dataclass

import pytest
from django.http import QueryDict

from cartolangue.geo.distance import haversine_km
from cartolangue.geo.models import ZoneMembership
from cartolangue.offers import enums
from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course
from cartolangue.search.engine import (
    course_facets,
    course_map_rows,
    course_queryset,
    course_search,
    course_search_sql,
)
from cartolangue.search.live import course_index
from cartolangue.search.params import NO_LEVEL, SLOTS, WEEKDAYS, parse_course_query

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)
LEVELS = {lvl.label: int(lvl) for lvl in enums.CecrlLevel}


@dataclass
class Row:
    pk: int
    text: str
    lat: float
    lon: float
    commune_id: int
    departement: str
    zones: set
    course_type: str
    parcours: str
    target: int | None
    oral: int | None
    written: int | None
    schooling: set
    exclusive: set
    slots: list
    childcare: bool | None
    free: bool
    funders: set
    places: bool | None
    sessions: list
    certifications: set


def _rows():
    zones = {}
    for commune_id, code in ZoneMembership.objects.values_list("commune_id", "zone__code"):
        zones.setdefault(commune_id, set()).add(code)
    rows = []
    qs = Course.objects.select_related("place__commune__departement").prefetch_related(
        "time_slots", "audiences", "schooling", "funders", "sessions", "certifications"
    )
    for c in qs:
        rows.append(
            Row(
                pk=c.pk,
                text=c.search_text,
                lat=c.place.latitude,
                lon=c.place.longitude,
                commune_id=c.place.commune_id,
                departement=c.place.commune.departement.code,
                zones=zones.get(c.place.commune_id, set()),
                course_type=c.course_type,
                parcours=c.parcours,
                target=c.cecrl_level_target,
                oral=c.entry_level_oral,
                written=c.entry_level_written,
                schooling={s.schooling for s in c.schooling.all()},
                exclusive={a.audience for a in c.audiences.all() if a.mode == enums.AudienceMode.EXCLUSIVE},
                slots=[(s.weekday, s.starts_at) for s in c.time_slots.all()],
                childcare=c.childcare,
                free=c.is_free,
                funders={f.funder for f in c.funders.all()},
                places=c.places_available,
                sessions=[(s.starts_on, s.ends_on) for s in c.sessions.all()],
                certifications={k.code for k in c.certifications.all()},
            )
        )
    return rows


def _fold(word):
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")


def _slot_ok(weekday, start, days, slots):
    if days and weekday not in days:
        return False
    if not slots:
        return True
    noon, evening = datetime.time(12), datetime.time(18)
    return any(
        (s == "matin" and weekday < 5 and start < noon)
        or (s == "apres-midi" and weekday < 5 and noon <= start < evening)
        or (s == "soir" and weekday < 5 and start >= evening)
        or (s == "week-end" and weekday >= 5)
        for s in slots
    )


def _level_ok(levels, entry, target):
    for level in levels:
        if level == NO_LEVEL:
            if entry is None:
                return True
        else:
            n = LEVELS[level]
            if (entry is None or entry <= n) and (target is None or target > n):
                return True
    return False


def _checks(p, centre):
    """Parameter name → predicate on a Row, mirroring the documented semantics."""
    g = p.getlist
    checks = {}
    if g("q"):
        words = [_fold(w) for v in g("q") for w in v.split()]
        checks["q"] = lambda r: all(w in r.text for w in words)
    if g("departement"):
        checks["departement"] = lambda r: r.departement in g("departement")
    if g("zone"):
        codes = {z.split(":")[1] for z in g("zone")}
        checks["zone"] = lambda r: bool(r.zones & codes)
    if g("type"):
        checks["type"] = lambda r: r.course_type in g("type")
    if g("parcours"):
        checks["parcours"] = lambda r: r.parcours in g("parcours")
    if g("niveau_entree_oral"):
        checks["niveau_entree_oral"] = lambda r: _level_ok(g("niveau_entree_oral"), r.oral, r.target)
    if g("niveau_entree_ecrit"):
        checks["niveau_entree_ecrit"] = lambda r: _level_ok(g("niveau_entree_ecrit"), r.written, r.target)
    if g("niveau_vise"):
        checks["niveau_vise"] = lambda r: r.target in {LEVELS[v] for v in g("niveau_vise")}
    if g("scolarisation"):
        checks["scolarisation"] = lambda r: not r.schooling or bool(r.schooling & set(g("scolarisation")))
    if g("public"):
        checks["public"] = lambda r: not r.exclusive or bool(r.exclusive & set(g("public")))
    if g("jour") or g("creneau"):
        days = {int(WEEKDAYS[d]) for d in g("jour")}
        checks["horaire"] = lambda r: any(_slot_ok(w, s, days, g("creneau")) for w, s in r.slots)
    if g("garde_enfants"):
        checks["garde_enfants"] = lambda r: r.childcare is True
    if g("gratuit"):
        checks["gratuit"] = lambda r: r.free
    if g("financeur"):
        checks["financeur"] = lambda r: bool(r.funders & set(g("financeur")))
    if g("places"):
        checks["places"] = lambda r: r.places is True
    if g("debut_avant"):
        limit = max(datetime.date.fromisoformat(d) for d in g("debut_avant"))
        checks["debut_avant"] = lambda r: any(s and s <= limit and (e is None or e >= TODAY) for s, e in r.sessions)
    if g("certification"):
        checks["certification"] = lambda r: bool(r.certifications & set(g("certification")))
    if centre:
        points, km, communes = centre
        if km == 0 and communes:  # rayon=0: in the communes themselves
            checks["_location"] = lambda r: r.commune_id in communes
        else:
            checks["_location"] = lambda r: min(haversine_km(lat, lon, r.lat, r.lon) for lat, lon in points) <= km
    return checks


def _matching(rows, checks, skip=()):
    return [r for r in rows if all(check(r) for name, check in checks.items() if name not in skip)]


RANDOM_VALUES = {
    "type": enums.CourseType.values,
    "parcours": enums.Parcours.values,
    "niveau_entree_oral": [NO_LEVEL, "A1.1", "A1", "A2", "B1"],
    "niveau_entree_ecrit": [NO_LEVEL, "A1.1", "A1", "A2"],
    "niveau_vise": ["A1.1", "A1", "A2", "B1", "B2"],
    "scolarisation": enums.Schooling.values,
    "public": ["signataires-cir", "parents-eleves", "demandeurs-emploi", "tous-publics"],
    "jour": list(WEEKDAYS),
    "creneau": list(SLOTS),
    "garde_enfants": ["oui"],
    "gratuit": ["oui"],
    "financeur": ["region", "ofii", "cpf", "commune", "fse"],
    "places": ["oui"],
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
            for value in rng.sample(RANDOM_VALUES[name], k=min(len(RANDOM_VALUES[name]), rng.randint(1, 2))):
                parts.append(f"{name}={value}")
        if rng.random() < 0.4:
            parts.append(f"commune={rng.choice(['95585', '95127', '95018', '75056'])}&rayon={rng.choice([3, 8, 15])}")
        queries.append("&".join(parts))
    return queries


@pytest.fixture(scope="module")
def demo_rows(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_generate(courses=800, seed=11, reference_date=TODAY)
        rows = _rows()
        yield rows
        from cartolangue.offers.demo import demo_delete

        demo_delete()


def _centre(query):
    if query.location is None:
        return None
    location = query.location
    points = [(c.latitude, c.longitude) for c in location.centres]
    return points, location.radius_km, {c.commune.pk for c in location.centres if c.commune}


FACET_FILTER = {"jour": "horaire", "creneau": "horaire"}


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
    "commune=95585&rayon=0",
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
def test_filters_and_facets_agree_with_brute_force(demo_rows, querystring):
    params = QueryDict(querystring)
    query = parse_course_query(params, strict=True)
    checks = _checks(params, _centre(query))
    expected = {r.pk for r in _matching(demo_rows, checks)}
    ordered = list(course_queryset(query, today=TODAY).values_list("pk", flat=True))
    got = set(ordered)
    assert got == expected
    assert len(ordered) == len(got)
    if querystring in EXTRA_QUERIES:
        assert bool(expected) != (querystring in EMPTY_ON_PURPOSE), "a query meant to find courses"

    # The index: the same courses in the same order, the same total, the same first page, the same facets.
    index_ordered = course_index().ordered_ids(query, today=TODAY)
    assert set(index_ordered) == expected
    assert index_ordered == ordered
    # The map: the same courses in the same order, from the same index as the list.
    assert [row[0] for row in course_map_rows(query, limit=len(ordered) + 1, today=TODAY)] == ordered
    result = course_search(query, today=TODAY)
    assert result.total == len(expected)
    assert result.page == 1
    assert [c.pk for c in result.items] == ordered[: query.page_size]

    facets = course_facets(query, today=TODAY)
    for name, values in facets.items():
        others = _matching(demo_rows, checks, skip={FACET_FILTER.get(name, name)})
        for facet in values:
            probe = QueryDict(mutable=True)
            probe.setlist(name, [facet.value])
            if name in ("jour", "creneau"):
                # The facet keeps the other half of the slot condition.
                other = "creneau" if name == "jour" else "jour"
                probe.setlist(other, params.getlist(other))
            check = _checks(probe, None)
            count = sum(1 for r in others if all(c(r) for c in check.values()))
            assert facet.count == count, (name, facet.value)
    assert result.facets == facets


def test_sorting_by_distance_and_pagination(demo_rows):
    query = parse_course_query(QueryDict("commune=95585&rayon=15&taille=7"), strict=True)
    ordered = list(course_queryset(query, today=TODAY))
    distances = [c.distance for c in ordered]
    assert distances == sorted(distances)
    for course in ordered[:20]:
        assert course.distance == pytest.approx(
            haversine_km(
                query.location.latitude, query.location.longitude, course.place.latitude, course.place.longitude
            ),
            abs=1e-6,
        )


def test_full_text_is_accent_and_case_insensitive(demo_rows):
    for text in ("sarcelles", "SARCELLES", "Écrire", "ecrire", "lire écrire"):
        query = parse_course_query(QueryDict(f"q={text}"), strict=True)
        found = list(course_queryset(query, today=TODAY))
        assert found, text
        for course in found:
            for word in text.split():
                assert _fold(word) in course.search_text
    assert not course_queryset(parse_course_query(QueryDict("q=zzzzqqq"), strict=True), today=TODAY).exists()


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
def test_index_pages_agree_with_sql(demo_rows, querystring):
    query = parse_course_query(QueryDict(querystring), strict=True)
    sql = course_search_sql(query, today=TODAY)
    found = course_search(query, today=TODAY)
    assert sql.total > 2 * query.page_size, "the query should reach a third page"
    assert found.total == sql.total
    assert found.page == sql.page
    assert [c.pk for c in found.items] == [c.pk for c in sql.items]
    assert len(found.items) == min(query.page_size, sql.total - (sql.page - 1) * query.page_size)
    assert found.facets == sql.facets
    for mine, theirs in zip(found.items, sql.items, strict=True):
        assert mine.next_session_on == theirs.next_session_on
        if query.location:
            assert mine.distance == pytest.approx(theirs.distance, abs=1e-6)
        else:
            assert not hasattr(mine, "distance")
