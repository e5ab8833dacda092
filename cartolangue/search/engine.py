"""THE filter engine: a validated query → a queryset of courses (or exam sessions), facet counts, distances.

Pages, API, flyers and statistics all call `course_search` / `exam_search`; no other code builds filter
querysets. Semantics (docs/adr/0006-search-semantics.md):
- values of one parameter are OR-ed, parameters AND-ed;
- facets are "disjunctive": each filter's counts apply every *other* filter, so they say how many results
  picking that value would give;
- a location filters on an exact great-circle distance, after a bounding-box pre-filter on indexed columns.
"""

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils import timezone

from cartolangue.geo.distance import EARTH_RADIUS_KM, bbox_around
from cartolangue.geo.models import Commune, ZoneMembership
from cartolangue.offers import enums
from cartolangue.offers.models import (
    Course,
    CourseAudience,
    CourseFunder,
    CourseSchooling,
    ExamSession,
    Session,
    Structure,
    TimeSlot,
)
from cartolangue.search.params import NO_LEVEL, NO_LEVEL_MARK, SLOTS, WEEKDAYS
from cartolangue.text import fold_name

NOON = datetime.time(12, 0)
EVENING = datetime.time(18, 0)


# --- building blocks ------------------------------------------------------------------------------------


def distance_expression(latitude, longitude, lat_field, lon_field):
    """Haversine distance in km between a fixed point and two columns, in SQL (Django registers the math
    functions on SQLite; PostgreSQL has them)."""
    dlat = Radians(F(lat_field) - Value(latitude)) / 2
    dlon = Radians(F(lon_field) - Value(longitude)) / 2
    a = Power(Sin(dlat), 2) + Cos(Radians(Value(latitude))) * Cos(Radians(F(lat_field))) * Power(Sin(dlon), 2)
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(Least(a, Value(1.0), output_field=FloatField())))


def _with_distance(queryset, location, lat_field, lon_field, commune_field):
    """Annotate `distance` (km to the nearest centre) and keep what lies within the radius; with a radius of 0,
    keep what lies in the centres' communes."""
    distances = [distance_expression(c.latitude, c.longitude, lat_field, lon_field) for c in location.centres]
    queryset = queryset.annotate(
        distance=distances[0] if len(distances) == 1 else Least(*distances, output_field=FloatField())
    )
    communes = [c.commune.pk for c in location.centres if c.commune]
    if location.radius_km == 0 and communes:
        return queryset.filter(**{f"{commune_field}__in": communes})
    boxes = Q()
    for centre in location.centres:
        min_lat, max_lat, min_lon, max_lon = bbox_around(centre.latitude, centre.longitude, location.radius_km)
        boxes |= Q(
            **{
                f"{lat_field}__gte": min_lat,
                f"{lat_field}__lte": max_lat,
                f"{lon_field}__gte": min_lon,
                f"{lon_field}__lte": max_lon,
            }
        )
    return queryset.filter(boxes).filter(distance__lte=location.radius_km)


def _slot_q(weekdays, slots, prefix=""):
    """Q over TimeSlot fields: one slot on one of the days, in one of the time slots."""
    q = Q()
    if weekdays:
        q &= Q(**{f"{prefix}weekday__in": weekdays})
    if slots:
        any_slot = Q()
        for slot in slots:
            if slot == "matin":
                any_slot |= Q(**{f"{prefix}starts_at__lt": NOON, f"{prefix}weekday__lt": 5})
            elif slot == "apres-midi":
                any_slot |= Q(
                    **{f"{prefix}starts_at__gte": NOON, f"{prefix}starts_at__lt": EVENING, f"{prefix}weekday__lt": 5}
                )
            elif slot == "soir":
                any_slot |= Q(**{f"{prefix}starts_at__gte": EVENING, f"{prefix}weekday__lt": 5})
            elif slot == "week-end":
                any_slot |= Q(**{f"{prefix}weekday__gte": 5})
        q &= any_slot
    return q


def _level_fit_q(levels, entry_field):
    """The learner has one of `levels` (NO_LEVEL_MARK: not even A1.1): the course asks no more at entry,
    and aims higher than where the learner is."""
    q = Q()
    for level in levels:
        if level is NO_LEVEL_MARK:
            q |= Q(**{f"{entry_field}__isnull": True})
        else:
            q |= (Q(**{f"{entry_field}__isnull": True}) | Q(**{f"{entry_field}__lte": int(level)})) & (
                Q(cecrl_level_target__isnull=True) | Q(cecrl_level_target__gt=int(level))
            )
    return q


def _audience_q(audiences):
    """Courses a person of one of these audiences may attend: no exclusive audience, or one of theirs."""
    exclusive = CourseAudience.objects.filter(course=OuterRef("pk"), mode=enums.AudienceMode.EXCLUSIVE)
    return ~Exists(exclusive) | Exists(exclusive.filter(audience__in=audiences))


def _schooling_q(values):
    """Courses open to one of these schooling backgrounds: no criterion given, or one of them."""
    rows = CourseSchooling.objects.filter(course=OuterRef("pk"))
    return ~Exists(rows) | Exists(rows.filter(schooling__in=values))


# Filter name → function(query) → Q or None. Facets drop their own filter and keep the others.
def _filters(query, today):
    f = {}
    if query.q:
        q = Q()
        for word in query.q:
            q &= Q(search_text__contains=word)
        f["q"] = q
    if query.departements:
        f["departement"] = Q(place__commune__departement__code__in=query.departements)
    if query.zones:
        # The zone's communes as a literal list (at most a few thousand ids): SQLite runs a correlated
        # subquery for every course of every facet query.
        communes = list(ZoneMembership.objects.filter(zone__in=query.zones).values_list("commune_id", flat=True))
        f["zone"] = Q(place__commune_id__in=communes)
    if query.types:
        f["type"] = Q(course_type__in=query.types)
    if query.parcours:
        f["parcours"] = Q(parcours__in=query.parcours)
    if query.oral_levels:
        f["niveau_entree_oral"] = _level_fit_q(query.oral_levels, "entry_level_oral")
    if query.written_levels:
        f["niveau_entree_ecrit"] = _level_fit_q(query.written_levels, "entry_level_written")
    if query.target_levels:
        f["niveau_vise"] = Q(cecrl_level_target__in=query.target_levels)
    if query.schooling:
        f["scolarisation"] = _schooling_q(query.schooling)
    if query.audiences:
        f["public"] = _audience_q(query.audiences)
    if query.weekdays or query.slots:
        # Day and time slot apply to the same weekly slot: "Monday morning", not "Monday, and some morning".
        slot_q = _slot_q(query.weekdays, query.slots)
        f["horaire"] = Q(Exists(TimeSlot.objects.filter(slot_q, course=OuterRef("pk"))))
    if query.childcare is not None:
        f["garde_enfants"] = Q(childcare=True) if query.childcare else ~Q(childcare=True)
    if query.free is not None:
        f["gratuit"] = Q(is_free=query.free)
    if query.funders:
        f["financeur"] = Q(Exists(CourseFunder.objects.filter(course=OuterRef("pk"), funder__in=query.funders)))
    if query.places is not None:
        f["places"] = Q(places_available=True) if query.places else ~Q(places_available=True)
    if query.starts_before:
        running = Session.objects.filter(course=OuterRef("pk"), starts_on__lte=query.starts_before).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )
        f["debut_avant"] = Q(Exists(running))
    if query.certifications:
        prepared = Course.certifications.through.objects.filter(
            course=OuterRef("pk"), certification__code__in=query.certifications
        )
        f["certification"] = Q(Exists(prepared))
    return f


def _base_queryset(query):
    qs = Course.objects.all()
    if query.location:
        qs = _with_distance(qs, query.location, "place__latitude", "place__longitude", "place__commune")
    return qs


def _apply(qs, filters, skip=()):
    for name, q in filters.items():
        if name not in skip:
            qs = qs.filter(q)
    return qs


# --- results -----------------------------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    query: object
    total: int
    items: list
    page: int
    page_size: int
    facets: dict = field(default_factory=dict)

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
    """The filtered, ordered queryset (no pagination): used by the page, the API, the map and the flyers."""
    today = today or timezone.localdate()
    qs = _apply(_base_queryset(query), _filters(query, today))
    next_start = Session.objects.filter(course=OuterRef("pk"), starts_on__gte=today).order_by("starts_on")
    qs = qs.annotate(next_session_on=Subquery(next_start.values("starts_on")[:1]))
    sort = query.effective_sort
    if sort == "distance" and query.location:
        qs = qs.order_by("distance", "pk")
    elif sort == "prochaine-session":
        qs = qs.order_by(F("next_session_on").asc(nulls_last=True), "pk")
    else:
        qs = qs.order_by("-updated_at", "pk")
    return qs


def course_search(query, *, facets=True, today=None):
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


# --- facets ------------------------------------------------------------------------------------------


def _choices_facet(counts, choices, selected):
    return [
        FacetValue(value=str(value), label=str(label), count=counts.get(value, 0), selected=value in selected)
        for value, label in choices
    ]


def course_facets(query, *, today=None):
    today = today or timezone.localdate()
    filters = _filters(query, today)
    base = _base_queryset(query)

    def others(name):
        return _apply(base, filters, skip={name})

    def grouped(name, field):
        rows = others(name).order_by().values(field).annotate(n=Count("pk", distinct=True))
        return {row[field]: row["n"] for row in rows}

    def child_grouped(name, model, field, extra=None):
        ids = others(name).values("pk")
        rows = model.objects.filter(course__in=ids, **(extra or {})).order_by().values(field)
        return {row[field]: row["n"] for row in rows.annotate(n=Count("course", distinct=True))}

    facets = {}
    # Facets on the course row itself are conditional counts: those whose own filter is not in use share
    # one query over the filtered courses; a facet whose filter is in use gets one query without it.
    levels = [NO_LEVEL_MARK, *enums.CecrlLevel]
    scalar = {
        "type": [(v, Q(course_type=v)) for v in enums.CourseType.values],
        "parcours": [(v, Q(parcours=v)) for v in enums.Parcours.values],
        "niveau_vise": [(lvl.label, Q(cecrl_level_target=int(lvl))) for lvl in enums.CecrlLevel],
        "niveau_entree_oral": [(_level_value(lvl), _level_fit_q([lvl], "entry_level_oral")) for lvl in levels],
        "niveau_entree_ecrit": [(_level_value(lvl), _level_fit_q([lvl], "entry_level_written")) for lvl in levels],
        "garde_enfants": [("oui", Q(childcare=True))],
        "gratuit": [("oui", Q(is_free=True))],
        "places": [("oui", Q(places_available=True))],
    }
    counts = {}
    by_skip = {}
    for name in scalar:
        by_skip.setdefault(name if name in filters else None, []).append(name)
    for skip, names in by_skip.items():
        specs = {f"{n}__{i}": q for n in names for i, (_v, q) in enumerate(scalar[n])}
        row = (
            _apply(base, filters, skip={skip})
            .order_by()
            .aggregate(**{key: Count("pk", filter=q) for key, q in specs.items()})
        )
        counts.update(row)

    def scalar_facet(name, labels, selected):
        return [
            FacetValue(value, str(labels.get(value, value)), counts[f"{name}__{i}"], value in selected)
            for i, (value, _q) in enumerate(scalar[name])
        ]

    facets["type"] = scalar_facet("type", dict(enums.CourseType.choices), query.types)
    facets["parcours"] = scalar_facet("parcours", dict(enums.Parcours.choices), query.parcours)
    target_labels = [enums.CecrlLevel(v).label for v in query.target_levels]
    facets["niveau_vise"] = scalar_facet("niveau_vise", {}, target_labels)
    facets["niveau_entree_oral"] = scalar_facet("niveau_entree_oral", {}, [_level_value(v) for v in query.oral_levels])
    facets["niveau_entree_ecrit"] = scalar_facet(
        "niveau_entree_ecrit", {}, [_level_value(v) for v in query.written_levels]
    )
    facets["garde_enfants"] = scalar_facet("garde_enfants", {}, ["oui"] if query.childcare else [])
    facets["gratuit"] = scalar_facet("gratuit", {}, ["oui"] if query.free else [])
    facets["places"] = scalar_facet("places", {}, ["oui"] if query.places else [])
    facets["scolarisation"] = _membership_facet(
        others("scolarisation"),
        CourseSchooling,
        "schooling",
        enums.Schooling.choices,
        query.schooling,
        open_when_empty=True,
    )
    facets["public"] = _audience_facet(others("public"), query.audiences)
    # Day and time slot are one filter ("horaire"); each facet keeps the other's condition on the same slot.
    facets["jour"] = _weekday_facet(others("horaire"), query)
    facets["creneau"] = _slot_facet(others("horaire"), query)
    facets["financeur"] = _choices_facet(
        child_grouped("financeur", CourseFunder, "funder"), enums.Funder.choices, query.funders
    )
    facets["certification"] = _certification_facet(others("certification"), query.certifications)
    dep_counts = grouped("departement", "place__commune__departement__code")
    facets["departement"] = [
        FacetValue(code, code, n, code in query.departements) for code, n in sorted(dep_counts.items()) if code
    ]
    return facets


def _level_value(level):
    return NO_LEVEL if level is NO_LEVEL_MARK else level.label


def _membership_facet(qs, model, field_name, choices, selected, open_when_empty):
    ids = qs.values("pk")
    with_rows = {
        row[field_name]: row["n"]
        for row in model.objects.filter(course__in=ids)
        .order_by()
        .values(field_name)
        .annotate(n=Count("course", distinct=True))
    }
    open_count = qs.exclude(Exists(model.objects.filter(course=OuterRef("pk")))).count() if open_when_empty else 0
    return [FacetValue(str(v), str(label), with_rows.get(v, 0) + open_count, v in selected) for v, label in choices]


def _audience_facet(qs, selected):
    exclusive = CourseAudience.objects.filter(course=OuterRef("pk"), mode=enums.AudienceMode.EXCLUSIVE)
    open_count = qs.exclude(Exists(exclusive)).count()
    ids = qs.values("pk")
    exclusive_counts = {
        row["audience"]: row["n"]
        for row in CourseAudience.objects.filter(course__in=ids, mode=enums.AudienceMode.EXCLUSIVE)
        .order_by()
        .values("audience")
        .annotate(n=Count("course", distinct=True))
    }
    return [
        FacetValue(str(v), str(label), open_count + exclusive_counts.get(v, 0), v in selected)
        for v, label in enums.Audience.choices
    ]


def _weekday_facet(qs, query):
    slot_q = _slot_q([], query.slots)
    ids = qs.values("pk")
    counts = {
        row["weekday"]: row["n"]
        for row in TimeSlot.objects.filter(slot_q, course__in=ids)
        .order_by()
        .values("weekday")
        .annotate(n=Count("course", distinct=True))
    }
    return [FacetValue(name, name, counts.get(int(day), 0), day in query.weekdays) for name, day in WEEKDAYS.items()]


def _slot_facet(qs, query):
    ids = qs.values("pk")
    slots = TimeSlot.objects.filter(course__in=ids)
    counts = slots.order_by().aggregate(
        **{
            slot.replace("-", "_"): Count("course", distinct=True, filter=_slot_q(query.weekdays, [slot]))
            for slot in SLOTS
        }
    )
    return [
        FacetValue(slot, str(label), counts[slot.replace("-", "_")], slot in query.slots)
        for slot, label in SLOTS.items()
    ]


def _certification_facet(qs, selected):
    through = Course.certifications.through
    rows = (
        through.objects.filter(course__in=qs.values("pk"))
        .order_by()
        .values("certification__code", "certification__name")
        .annotate(n=Count("course", distinct=True))
    )
    return [
        FacetValue(r["certification__code"], r["certification__name"], r["n"], r["certification__code"] in selected)
        for r in sorted(rows, key=lambda r: r["certification__code"])
    ]


# --- exam sessions ----------------------------------------------------------------------------------------


def exam_queryset(query, *, today=None):
    today = today or timezone.localdate()
    qs = ExamSession.objects.filter(exam_date__gte=query.after or today)
    if query.before:
        qs = qs.filter(exam_date__lte=query.before)
    if query.certifications:
        qs = qs.filter(certification__code__in=query.certifications)
    if query.departements:
        qs = qs.filter(place__commune__departement__code__in=query.departements)
    if query.cpf is not None:
        qs = qs.filter(certification__cpf_eligible=query.cpf)
    if query.location:
        qs = _with_distance(qs, query.location, "place__latitude", "place__longitude", "place__commune")
    if query.sort == "distance" and query.location:
        return qs.order_by("distance", "exam_date", "pk")
    return qs.order_by("exam_date", "pk")


def exam_search(query, *, today=None):
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


# --- structures and communes --------------------------------------------------------------------------


def structure_search(params, *, strict=True):
    """Structures by name (accent-insensitive) and département, alphabetical, paged."""
    from cartolangue.search.params import parse_structure_query

    query = parse_structure_query(params, strict=strict)
    qs = Structure.objects.all()
    for word in query.q:
        qs = qs.filter(Q(name__icontains=word) | Q(acronym__icontains=word) | Q(courses__search_text__contains=word))
    if query.departements:
        qs = qs.filter(places__commune__departement__code__in=query.departements)
    qs = Structure.objects.filter(pk__in=qs.values("pk")).order_by("name", "pk")
    total = qs.count()
    page = min(query.page, max(1, -(-total // query.page_size)))
    start = (page - 1) * query.page_size
    items = list(qs[start : start + query.page_size])
    return SearchResult(query=query, total=total, items=items, page=page, page_size=query.page_size)


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
