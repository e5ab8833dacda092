"""Building blocks of the search engine: one Q per filter, the location filter with its distance, and the
base queryset. Only `cartolangue.search` uses them; everything else calls `engine`."""

import datetime

from django.db.models import Exists, F, FloatField, OuterRef, Q, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

from cartolangue.geo.distance import EARTH_RADIUS_KM, bbox_around
from cartolangue.geo.models import ZoneMembership
from cartolangue.offers import enums
from cartolangue.offers.models import (
    Course,
    CourseAudience,
    CourseFunder,
    CourseSchooling,
    Session,
    TimeSlot,
)
from cartolangue.search.params import NO_LEVEL_MARK

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


def with_distance(queryset, location, lat_field, lon_field, commune_field, exact=True):
    """Annotate `distance` (km to the nearest centre) and keep what lies within the radius; with a radius of 0,
    keep what lies in the centres' communes. With `exact=False`: the bounding box only, no annotation."""
    if exact:
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
    queryset = queryset.filter(boxes)
    return queryset.filter(distance__lte=location.radius_km) if exact else queryset


def slot_q(weekdays, slots, prefix=""):
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


def level_fit_q(levels, entry_field):
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
def filters_for(query, today):
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
        f["niveau_entree_oral"] = level_fit_q(query.oral_levels, "entry_level_oral")
    if query.written_levels:
        f["niveau_entree_ecrit"] = level_fit_q(query.written_levels, "entry_level_written")
    if query.target_levels:
        f["niveau_vise"] = Q(cecrl_level_target__in=query.target_levels)
    if query.schooling:
        f["scolarisation"] = _schooling_q(query.schooling)
    if query.audiences:
        f["public"] = _audience_q(query.audiences)
    if query.weekdays or query.slots:
        # Day and time slot apply to the same weekly slot: "Monday morning", not "Monday, and some morning".
        same_slot = slot_q(query.weekdays, query.slots)
        f["horaire"] = Q(Exists(TimeSlot.objects.filter(same_slot, course=OuterRef("pk"))))
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


def base_queryset(query):
    qs = Course.objects.all()
    if query.location:
        qs = with_distance(qs, query.location, "place__latitude", "place__longitude", "place__commune")
    return qs


def apply_filters(qs, filters, skip=()):
    for name, q in filters.items():
        if name not in skip:
            qs = qs.filter(q)
    return qs
