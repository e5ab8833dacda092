"""THE search engine's entry points: a validated query → a page of courses, exam sessions or structures, with
the total, the facet counts and the distances; the map's markers from the same searches.

Pages, API, flyers and statistics all call these; no other code filters the offer. Courses are searched on the
in-memory index (search/index.py), exam sessions and structures on columns kept per data version
(search/exams.py, `structure_search`); what each filter means is declared once (search/filters.py). Semantics
(docs/adr/0006-search-semantics.md):
- values of one parameter are OR-ed, parameters AND-ed;
- facets are "disjunctive": each filter's counts apply every *other* filter, so they say how many results
  picking that value would give;
- a location filters on an exact great-circle distance, after a bounding-box pre-filter.
"""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.http import QueryDict
from django.utils import timezone

from cartolangue.geo.models import Commune
from cartolangue.offers.models import Course, ExamSession, Place, Session, Structure
from cartolangue.search.exams import certification_facet, exam_matches, exam_sessions
from cartolangue.search.live import course_index
from cartolangue.search.params import CourseQuery, ExamQuery
from cartolangue.search.reading import MAX_RADIUS_KM, Location
from cartolangue.search.version import memo_by_version
from cartolangue.text import fold, fold_name

# --- results -----------------------------------------------------------------------------------------


@dataclass
class SearchResult:
    query: object
    total: int
    items: list
    page: int
    page_size: int
    facets: dict = field(default_factory=dict)
    version: str | None = None  # the data version the results come from (None: unknown)
    last_modified: object = None  # the latest update of any course, when known

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def course_search(query: CourseQuery, *, facets: bool = True, today: datetime.date | None = None) -> SearchResult:
    """One page of results, the total and the facets, from the in-memory index (search/index.py); the
    page's courses themselves come from the database, or from the index's cache of recently shown ones."""
    today = today or timezone.localdate()
    index = course_index()
    hits = index.search(query, today=today, facets=facets)
    shown = index.shown_courses(today)
    missing = [pk for pk in hits.ids if pk not in shown]
    if missing:
        shown.update(courses_by_id(missing, today=today))
    items = []
    for position, pk in enumerate(hits.ids):
        course = shown.get(pk)
        if course is None:  # deleted since the index was read: the next search rebuilds it
            continue
        course = _display_copy(course)  # the cached object is shared: its copy gets this search's distance
        if hits.distances is not None:
            course.distance = hits.distances[position]
        items.append(course)
    return SearchResult(
        query=query,
        total=hits.total,
        items=items,
        page=hits.page,
        page_size=query.page_size,
        facets=hits.facets,
        version=index.token,
        last_modified=index.last_modified,
    )


def course_map_rows(query: CourseQuery, *, limit: int, today: datetime.date | None = None) -> list[tuple]:
    """The first `limit` courses of the search, in its order, as (id, name, course type, latitude, longitude,
    places available): the map's markers, from the same index as the list, so that both always agree."""
    today = today or timezone.localdate()
    ids = course_index().ordered_ids(query, today=today, limit=limit)
    by_id = {row[0]: row for row in _map_rows(ids)}
    return [by_id[pk] for pk in ids if pk in by_id]  # a course deleted since the index was read: left out


def _map_rows(ids):
    """The map's columns of these courses, the ids passed as one parameter (a JSON array on SQLite, an array
    on PostgreSQL): thousands of placeholders cost more to bind and parse than the query itself."""
    if not ids:
        return []
    course, place = Course._meta.db_table, Place._meta.db_table
    columns = f"c.id, c.name, c.course_type, p.latitude, p.longitude, c.places_available FROM {course} c " + (
        f"JOIN {place} p ON p.id = c.place_id"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT {columns} WHERE c.id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)])
        else:
            cursor.execute(f"SELECT {columns} WHERE c.id = ANY(%s)", [ids])
        rows = cursor.fetchall()
    # SQLite gives booleans as 0/1 (NULL stays None).
    return [
        (pk, name, kind, lat, lon, None if places is None else bool(places))
        for pk, name, kind, lat, lon, places in rows
    ]


def nearest_course(query: CourseQuery, *, today: datetime.date | None = None) -> Course | None:
    """For a search with a place that finds nothing within its radius: the nearest course that matches every
    other filter, within the largest radius the engine accepts, with its distance as `.distance`; None."""
    if query.location is None:
        return None
    wider = query.replace(
        location=Location(query.location.centres, MAX_RADIUS_KM), sort="distance", page=1, page_size=1
    )
    items = course_search(wider, facets=False, today=today).items
    return items[0] if items else None


def nearest_exam_session(query: ExamQuery, *, today: datetime.date | None = None) -> ExamSession | None:
    """The same for exam sessions: the nearest upcoming session that matches every other filter; None."""
    if query.location is None:
        return None
    wider = query.replace(
        location=Location(query.location.centres, MAX_RADIUS_KM), sort="distance", page=1, page_size=1
    )
    items = exam_search(wider, today=today).items
    return items[0] if items else None


def _display_copy(course):
    """A shallow copy of a cached course, for display: its own attributes (distance, selection link), the
    same loaded related objects. Eight times cheaper than `copy.copy`, which goes through pickling's
    `__reduce_ex__` and copies the model state; nothing here saves these objects."""
    clone = Course.__new__(Course)
    clone.__dict__.update(course.__dict__)
    return clone


def courses_by_id(ids: Iterable[int], *, today: datetime.date) -> dict[int, Course]:
    """The given courses with what a result shows, by id."""
    next_start = Session.objects.filter(course=OuterRef("pk"), starts_on__gte=today).order_by("starts_on")
    qs = Course.objects.filter(pk__in=ids).annotate(next_session_on=Subquery(next_start.values("starts_on")[:1]))
    return {c.pk: c for c in qs.for_display()}


def exam_search(query: ExamQuery, *, today: datetime.date | None = None, details: bool = True) -> SearchResult:
    """Exam sessions: total, page and certification facet; without `details`, the total alone (the course
    tab shows only how many sessions the test tab holds)."""
    today = today or timezone.localdate()
    if not details:
        total = exam_matches(query, today=today, limit=0).total
        return SearchResult(query=query, total=total, items=[], page=1, page_size=query.page_size)
    size = query.page_size
    matches = exam_matches(query, today=today, start=(query.page - 1) * size, limit=size)
    page = min(query.page, max(1, -(-matches.total // size)))
    if page != query.page:  # past the end: the last page
        matches = exam_matches(query, today=today, start=(page - 1) * size, limit=size)
    return SearchResult(
        query=query,
        total=matches.total,
        items=exam_sessions(matches),
        page=page,
        page_size=query.page_size,
        facets={"certification": certification_facet(query, matches)},
    )


def upcoming_exam_sessions(query: ExamQuery, *, today: datetime.date, limit: int) -> list[ExamSession]:
    """The first `limit` sessions of the query, with what a printed list shows (the flyer's test group)."""
    return exam_sessions(exam_matches(query, today=today, limit=limit))


def exam_map_rows(query: ExamQuery, *, limit: int, today: datetime.date | None = None) -> list[tuple]:
    """The first `limit` sessions of the query, in its order, as (id, certification name, date, centre name,
    latitude, longitude): the map's markers, from the same search as the list."""
    ids = exam_matches(query, today=today, limit=limit).ids
    rows = ExamSession.objects.filter(pk__in=ids).values_list(
        "pk", "certification__name", "exam_date", "structure__name", "place__latitude", "place__longitude"
    )
    by_id = {row[0]: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


# --- structures and communes --------------------------------------------------------------------------


def structure_search(params: QueryDict, *, strict: bool = True) -> SearchResult:
    """Structures by name, acronym or the text of their courses (accent- and case-insensitive: every word
    somewhere), and by département, alphabetical, paged. Computed on columns kept per data version and on the
    course index's text masks: a bounded cost whatever the words (at most 10 are read), one query for the page."""
    from cartolangue.search.params import parse_structure_query

    query = parse_structure_query(params, strict=strict)
    columns = memo_by_version("structure-columns", _structure_columns)
    matching = np.ones(len(columns["ids"]), dtype=bool)
    if query.q:
        index = course_index()
        for word in query.q:
            by_name = np.fromiter((word in text for text in columns["texts"]), dtype=bool, count=len(matching))
            by_course = np.isin(columns["ids"], index.structures_matching(word))
            matching &= by_name | by_course
    if query.departements:
        in_departement = np.zeros(len(matching), dtype=bool)
        for code in query.departements:
            in_departement |= columns["departements"].get(code, False)
        matching &= in_departement
    ids = columns["ids"][matching]
    total = len(ids)
    page = min(query.page, max(1, -(-total // query.page_size)))
    start = (page - 1) * query.page_size
    page_ids = ids[start : start + query.page_size].tolist()
    found = Structure.objects.in_bulk(page_ids)
    items = [found[pk] for pk in page_ids if pk in found]
    return SearchResult(query=query, total=total, items=items, page=page, page_size=query.page_size)


def _structure_columns():
    """Every structure in alphabetical order (name, then id): its id, its folded name and acronym, and one
    boolean column per département where it has a place."""
    rows = list(Structure.objects.order_by("name", "pk").values_list("pk", "name", "acronym"))
    ids = np.array([pk for pk, _name, _acronym in rows], dtype=np.int64)
    texts = [fold(f"{name} {acronym or ''}") for _pk, name, acronym in rows]
    departements: dict[str, set[int]] = {}
    places = Place.objects.values_list("structure_id", "commune__departement__code").distinct()
    for structure_id, code in places:
        if code is not None:
            departements.setdefault(code, set()).add(structure_id)
    return {
        "ids": ids,
        "texts": texts,
        "departements": {code: np.isin(ids, list(members)) for code, members in departements.items()},
    }


def commune_suggestions(text: str, *, limit: int = 10) -> list[Commune]:
    """Communes whose name starts with the text (or one of its words does), or whose INSEE or post code
    starts with it; largest first."""
    text = fold_name(text)
    if not text:
        return []
    if text.isdigit():
        qs = Commune.objects.filter(Q(code_insee__startswith=text) | Q(post_codes__code__startswith=text))
    else:
        qs = Commune.objects.filter(Q(search_name__startswith=text) | Q(search_name__contains=" " + text))
    ids = qs.values("pk")
    return list(
        Commune.objects.filter(pk__in=ids)
        .defer("geometry")
        .select_related("departement")
        .prefetch_related("post_codes")
        .order_by(F("population").desc(nulls_last=True), "name")[:limit]
    )
