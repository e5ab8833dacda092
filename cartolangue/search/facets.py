"""Facet counts of a course search: for each filter, how many results each of its values would give with
every other filter applied ("disjunctive" facets; docs/adr/0006-search-semantics.md)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from cartolangue.offers import enums
from cartolangue.offers.models import (
    Course,
    CourseAudience,
    CourseFunder,
    CourseSchooling,
    TimeSlot,
)
from cartolangue.search.filters import apply_filters, base_queryset, filters_for, level_fit_q, slot_q
from cartolangue.search.params import NO_LEVEL, NO_LEVEL_MARK, SLOTS, WEEKDAYS


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


# --- facets ------------------------------------------------------------------------------------------


def _choices_facet(counts, choices, selected):
    return [
        FacetValue(value=str(value), label=str(label), count=counts.get(value, 0), selected=value in selected)
        for value, label in choices
    ]


def course_facets(query, *, today=None):
    today = today or timezone.localdate()
    filters = filters_for(query, today)
    base = base_queryset(query)

    def others(name):
        return apply_filters(base, filters, skip={name})

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
        "niveau_entree_oral": [(level_value(lvl), level_fit_q([lvl], "entry_level_oral")) for lvl in levels],
        "niveau_entree_ecrit": [(level_value(lvl), level_fit_q([lvl], "entry_level_written")) for lvl in levels],
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
            apply_filters(base, filters, skip={skip})
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
    facets["niveau_entree_oral"] = scalar_facet("niveau_entree_oral", {}, [level_value(v) for v in query.oral_levels])
    facets["niveau_entree_ecrit"] = scalar_facet(
        "niveau_entree_ecrit", {}, [level_value(v) for v in query.written_levels]
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


def level_value(level):
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
    same_slot = slot_q([], query.slots)
    ids = qs.values("pk")
    counts = {
        row["weekday"]: row["n"]
        for row in TimeSlot.objects.filter(same_slot, course__in=ids)
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
            slot.replace("-", "_"): Count("course", distinct=True, filter=slot_q(query.weekdays, [slot]))
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
