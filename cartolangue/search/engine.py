"""THE filter engine: a validated query → a queryset of courses (or exam sessions), facet counts, distances.

Pages, API, flyers and statistics all call `course_search` / `exam_search`; no other code builds filter
querysets. Semantics (docs/adr/0006-search-semantics.md):
- values of one parameter are OR-ed, parameters AND-ed;
- facets are "disjunctive": each filter's counts apply every *other* filter, so they say how many results
  picking that value would give;
- a location filters on an exact great-circle distance, after a bounding-box pre-filter on indexed columns.
"""

import dataclasses
import json
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import BooleanField, Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from cartolangue.geo.distance import bbox_around, nearest_km
from cartolangue.geo.models import Commune
from cartolangue.offers.models import (
    DEMO_SOURCE,
    Course,
    ExamSession,
    Place,
    Session,
    Structure,
)
from cartolangue.search.facets import FacetValue, course_facets
from cartolangue.search.filters import apply_filters, base_queryset, filters_for, with_distance
from cartolangue.search.live import course_index
from cartolangue.search.params import MAX_RADIUS_KM, Location
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
    def pages(self):
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def has_previous(self):
        return self.page > 1


def course_queryset(query, *, today=None):
    """The filtered, ordered queryset (no pagination), from the SQL filters: the database-only search
    (`course_search_sql`), the reference the in-memory index is checked against."""
    today = today or timezone.localdate()
    qs = apply_filters(base_queryset(query), filters_for(query, today))
    next_start = Session.objects.filter(course=OuterRef("pk"), starts_on__gte=today).order_by("starts_on")
    qs = qs.annotate(next_session_on=Subquery(next_start.values("starts_on")[:1]))
    sort = query.effective_sort
    if sort == "distance" and query.location:
        qs = qs.order_by("distance", "pk")
    elif sort == "prochaine-session":
        qs = qs.order_by(F("next_session_on").asc(nulls_last=True), "pk")
    else:
        # Most recently updated first, real offers before the demo's fictional ones.
        demo_last = Case(When(source=DEMO_SOURCE, then=Value(1)), default=Value(0))
        qs = qs.order_by(demo_last, "-updated_at", "pk")
    return qs


def course_search(query, *, facets=True, today=None):
    """One page of results, the total and the facets, from the in-memory index (search/index.py); the
    page's courses themselves come from the database, or from the index's cache of recently shown ones."""
    today = today or timezone.localdate()
    index = course_index()
    hits = index.search(query, today=today, facets=facets)
    shown = index.shown_courses(today)
    missing = [pk for pk in hits.ids if pk not in shown]
    if missing:
        shown.update(course_queryset_by_ids(missing, today=today))
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


def course_map_rows(query, *, limit, today=None):
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


def nearest_course(query, *, today=None):
    """For a search with a place that finds nothing within its radius: the nearest course that matches every
    other filter, within the largest radius the engine accepts, with its distance as `.distance`; None."""
    if query.location is None:
        return None
    wider = dataclasses.replace(
        query, location=Location(query.location.centres, MAX_RADIUS_KM), sort="distance", page=1, page_size=1
    )
    items = course_search(wider, facets=False, today=today).items
    return items[0] if items else None


def nearest_exam_session(query, *, today=None):
    """The same for exam sessions: the nearest upcoming session that matches every other filter; None."""
    if query.location is None:
        return None
    wider = dataclasses.replace(
        query, location=Location(query.location.centres, MAX_RADIUS_KM), sort="distance", page=1, page_size=1
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


def course_queryset_by_ids(ids, *, today):
    """The given courses with what a result shows, by id."""
    next_start = Session.objects.filter(course=OuterRef("pk"), starts_on__gte=today).order_by("starts_on")
    qs = Course.objects.filter(pk__in=ids).annotate(next_session_on=Subquery(next_start.values("starts_on")[:1]))
    return {c.pk: c for c in qs.for_display()}


def course_search_sql(query, *, facets=True, today=None):
    """The same search computed by the database alone: the reference the index is checked against, and the
    benchmark's "database" figure."""
    today = today or timezone.localdate()
    qs = course_queryset(query, today=today)
    total = qs.count()
    page = min(query.page, max(1, -(-total // query.page_size)))
    start = (page - 1) * query.page_size
    items = list(qs.for_display()[start : start + query.page_size])
    result = SearchResult(query=query, total=total, items=items, page=page, page_size=query.page_size)
    if facets:
        result.facets = course_facets(query, today=today)
    return result


# --- exam sessions ----------------------------------------------------------------------------------------


def exam_queryset(query, *, today=None, exact=True):
    """Exam sessions matching the query; with `exact=False`, the location keeps the bounding box only (the
    caller then measures the distance itself).

    Each session carries `registration_closed` (its registration deadline has passed). Closed sessions stay
    listed, flagged and after every open one, whatever the sort: the date of the test still tells a learner
    when the next one at that centre is likely, and a centre may take late or waiting-list registrations, but
    nobody should pick one before an open session. The page, the API and the flyer all order through here."""
    today = today or timezone.localdate()
    qs = ExamSession.objects.filter(exam_date__gte=query.after or today).annotate(
        registration_closed=Case(
            When(registration_deadline__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )
    if query.before:
        qs = qs.filter(exam_date__lte=query.before)
    if query.certifications:
        qs = qs.filter(certification__code__in=query.certifications)
    if query.departements:
        qs = qs.filter(place__commune__departement__code__in=query.departements)
    if query.cpf is not None:
        qs = qs.filter(certification__cpf_eligible=query.cpf)
    if query.location:
        qs = with_distance(qs, query.location, "place__latitude", "place__longitude", "place__commune", exact=exact)
    if query.sort == "distance" and query.location:
        return qs.order_by("registration_closed", "distance", "exam_date", "pk")
    return qs.order_by("registration_closed", "exam_date", "pk")


def exam_search(query, *, today=None, details=True):
    """Exam sessions: total, page and certification facet; without `details`, the total alone (the course
    tab shows only how many sessions the test tab holds)."""
    if not details:
        return SearchResult(query=query, total=_exam_count(query, today), items=[], page=1, page_size=query.page_size)
    qs = exam_queryset(query, today=today)
    total = qs.count()
    page = min(query.page, max(1, -(-total // query.page_size)))
    start = (page - 1) * query.page_size
    items = list(
        qs.select_related("certification", "structure", "place__commune").defer("place__commune__geometry")[
            start : start + query.page_size
        ]
    )
    counts = (
        exam_queryset(dataclasses.replace(query, certifications=[]), today=today)
        .order_by()
        .values_list("certification__code", "certification__name")
        .annotate(n=Count("pk"))
    )
    facets = {
        "certification": [FacetValue(code, name, n, code in query.certifications) for code, name, n in sorted(counts)]
    }
    return SearchResult(query=query, total=total, items=items, page=page, page_size=query.page_size, facets=facets)


def upcoming_exam_sessions(query, *, today, limit):
    """The first `limit` sessions of the query, with what a printed list shows (the flyer's test group)."""
    return list(
        exam_queryset(query, today=today)
        # Adds nothing to the query's meaning (a session on or after `today` is at such a place), but lets the
        # database start from the upcoming sessions rather than every place within the latitude band
        # (figures: docs/bench/search-index-2026-11.md).
        .filter(place__in=ExamSession.objects.filter(exam_date__gte=today).values("place"))
        .select_related("certification", "structure", "place__commune")
        .defer("place__commune__geometry")[:limit]
    )


def _exam_count(query, today):
    """How many sessions match, counted on numpy columns of every exam session (a few thousand rows, read once
    per data version): the same filters as `exam_queryset`, the distance measured as `nearest_km` measures it,
    inside the same bounding boxes (tests/search/test_exam_count.py checks it against the full search)."""
    columns = memo_by_version("exam-count-columns", _exam_columns)
    keep = columns["date"] >= (query.after or today or timezone.localdate()).toordinal()
    if query.before:
        keep &= columns["date"] <= query.before.toordinal()
    if query.certifications:
        keep &= np.isin(columns["certification"], list(query.certifications))
    if query.departements:
        keep &= np.isin(columns["departement"], list(query.departements))
    if query.cpf is not None:
        keep &= columns["cpf"] == bool(query.cpf)
    location = query.location
    if location:
        communes = [c.commune.pk for c in location.centres if c.commune]
        if location.radius_km == 0 and communes:
            keep &= np.isin(columns["commune"], communes)
        else:
            lat, lon = columns["latitude"], columns["longitude"]
            boxes = np.zeros(len(lat), dtype=bool)
            for centre in location.centres:
                min_lat, max_lat, min_lon, max_lon = bbox_around(centre.latitude, centre.longitude, location.radius_km)
                boxes |= (lat >= min_lat) & (lat <= max_lat) & (lon >= min_lon) & (lon <= max_lon)
            keep &= boxes
            rows = np.flatnonzero(keep)
            return int(np.count_nonzero(nearest_km(lat[rows], lon[rows], location.centres) <= location.radius_km))
    return int(np.count_nonzero(keep))


def _exam_columns():
    rows = list(
        ExamSession.objects.values_list(
            "exam_date",
            "certification__code",
            "place__commune__departement__code",
            "certification__cpf_eligible",
            "place__commune_id",
            "place__latitude",
            "place__longitude",
        )
    )
    nan = float("nan")
    return {
        "date": np.array([r[0].toordinal() for r in rows], dtype=np.int32),
        "certification": np.array([r[1] for r in rows], dtype=object),
        "departement": np.array([r[2] for r in rows], dtype=object),
        "cpf": np.array([bool(r[3]) for r in rows], dtype=bool),
        "commune": np.array([-1 if r[4] is None else r[4] for r in rows], dtype=np.int64),
        "latitude": np.array([nan if r[5] is None else r[5] for r in rows], dtype=float),
        "longitude": np.array([nan if r[6] is None else r[6] for r in rows], dtype=float),
    }


# --- structures and communes --------------------------------------------------------------------------


def structure_search(params, *, strict=True):
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
    departements = {}
    places = Place.objects.values_list("structure_id", "commune__departement__code").distinct()
    for structure_id, code in places:
        if code is not None:
            departements.setdefault(code, set()).add(structure_id)
    return {
        "ids": ids,
        "texts": texts,
        "departements": {code: np.isin(ids, list(members)) for code, members in departements.items()},
    }


def commune_suggestions(text, *, limit=10):
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
