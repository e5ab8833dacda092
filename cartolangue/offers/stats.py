"""Counts of the offer per territory (département, zone of a zoning), for the home page and diagnostics."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from cartolangue.geo.models import Commune, Departement, Zone, ZoneMembership, Zoning
from cartolangue.offers.models import DEMO_SOURCE, Course, ExamSession, Place


@dataclass(frozen=True)
class TerritoryCount:
    code: str
    name: str
    communes: int
    population: int
    places: int
    courses: int
    demo_courses: int

    @property
    def real_courses(self) -> int:
        return self.courses - self.demo_courses

    @property
    def courses_per_10k(self) -> float:
        return 10000 * self.courses / self.population if self.population else 0


def _course_counts(queryset, key):
    return {
        row[key]: (row["n"], row["demo"])
        for row in queryset.values(key).annotate(n=Count("id"), demo=Count("id", filter=Q(source=DEMO_SOURCE)))
    }


def counts_by_departement() -> list[TerritoryCount]:
    communes = {
        row["departement_id"]: (row["n"], row["population"] or 0)
        for row in Commune.objects.values("departement_id").annotate(n=Count("id"), population=Sum("population"))
    }
    places = dict(
        Place.objects.values("commune__departement_id")
        .annotate(n=Count("id"))
        .values_list("commune__departement_id", "n")
    )
    courses = _course_counts(Course.objects.public(), "place__commune__departement_id")
    return [
        TerritoryCount(
            code=dep.code,
            name=dep.name,
            communes=communes.get(dep.id, (0, 0))[0],
            population=communes.get(dep.id, (0, 0))[1],
            places=places.get(dep.id, 0),
            courses=courses.get(dep.id, (0, 0))[0],
            demo_courses=courses.get(dep.id, (0, 0))[1],
        )
        for dep in Departement.objects.all()
    ]


def counts_by_zone(zoning: Zoning) -> list[TerritoryCount]:
    memberships = ZoneMembership.objects.filter(zoning=zoning)
    communes = {
        row["zone_id"]: (row["n"], row["population"] or 0)
        for row in memberships.values("zone_id").annotate(n=Count("id"), population=Sum("commune__population"))
    }
    places = dict(
        Place.objects.filter(commune__zone_memberships__zoning=zoning)
        .values("commune__zone_memberships__zone_id")
        .annotate(n=Count("id"))
        .values_list("commune__zone_memberships__zone_id", "n")
    )
    courses = _course_counts(
        Course.objects.public().filter(place__commune__zone_memberships__zoning=zoning),
        "place__commune__zone_memberships__zone_id",
    )
    return [
        TerritoryCount(
            code=zone.code,
            name=zone.name,
            communes=communes.get(zone.id, (0, 0))[0],
            population=communes.get(zone.id, (0, 0))[1],
            places=places.get(zone.id, 0),
            courses=courses.get(zone.id, (0, 0))[0],
            demo_courses=courses.get(zone.id, (0, 0))[1],
        )
        for zone in Zone.objects.filter(zoning=zoning).order_by("code")
    ]


def offer_totals() -> dict[str, int]:
    return {
        "courses": Course.objects.public().count(),
        "demo_courses": Course.objects.public().demo().count(),
        "places": Place.objects.count(),
        "exam_sessions": ExamSession.objects.count(),
        "communes": Commune.objects.count(),
    }
