"""The territorial diagnostic (issue #24): supply against need, zone by zone, from the one search engine.

The courses are those the engine matches (`LiveIndex.matching_rows`, every filter of the search page applies);
this module only sums them by commune and zone. Demo courses are counted apart and never enter a ratio or a
ranking. Need indicators come from the loaded files only (geo/needs.py `NeedSource`): without a population
file, no ratio is given, never an estimate.

Zonings: the départements, the EPCI, every loaded zoning (INSEE zones d'emploi, the bassins d'emploi…) and the
communes themselves.
"""

import datetime
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartolangue.geo.distance import project
from cartolangue.geo.models import Commune, NeedSource, Zone, ZoneMembership, Zoning
from cartolangue.offers import enums
from cartolangue.search.exams import exam_table
from cartolangue.search.live import course_index
from cartolangue.search.params import CourseQuery

# Target-level bands of the supply tables: (key, label, CECRL values).
L = enums.CecrlLevel
LEVEL_BANDS = (
    ("jusqu-a-a2", _("jusqu'à A2"), (L.A1_1, L.A1, L.A2)),
    ("b1", _("B1"), (L.B1,)),
    ("b2-et-plus", _("B2 et plus"), (L.B2, L.C1, L.C2)),
    ("non-precise", _("niveau non précisé"), ()),
)
PSEUDO_ZONINGS = {
    "departements": _("Départements"),
    "epci": _("Intercommunalités (EPCI)"),
    "communes": _("Communes"),
}
DEFAULT_RADIUS_KM = 10
MAX_RADIUS_KM = 50
COURSE_TYPES = list(enums.CourseType)


@dataclass
class Area:
    """One zone of a zoning, with its figures."""

    code: str
    name: str
    communes: list[int] = field(default_factory=list)
    population: int | None = None
    courses: int = 0
    demo_courses: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_band: dict[str, int] = field(default_factory=dict)
    seats: int = 0  # places of the sessions not over, where the source gives their number
    courses_without_seats: int = 0  # real courses whose sessions give no number of places
    weekly_hours: float | int = 0  # Σ hours per week, where the source gives them
    courses_without_hours: int = 0
    with_childcare: int = 0
    with_evening: int = 0  # courses meeting after 6 p.m. on a weekday (the search's "soir" slot)
    exam_sessions: int = 0  # upcoming real exam sessions (DELF, DCL, TCF, TEF…) in the zone
    demo_exam_sessions: int = 0
    without_offer: int = 0  # communes with no course of the chosen type within the radius
    without_childcare: int = 0  # … with no such course with childcare within the radius
    without_evening: int = 0  # … with no such course in the evening within the radius
    rank: int | None = None

    @property
    def per_thousand(self) -> float | None:
        """Real courses per 1,000 inhabitants; None without a population."""
        return round(1000 * self.courses / self.population, 3) if self.population else None


@dataclass
class CommuneAccess:
    commune_id: int
    code: str
    name: str
    population: int | None
    area: str
    nearest_km: float | None  # to the nearest real course of the chosen type (None: there is none)
    nearest_childcare_km: float | None = None  # … of those with childcare
    nearest_evening_km: float | None = None  # … of those meeting in the evening


@dataclass
class Diagnostic:
    zoning: str
    zoning_name: str
    course_type: str | None
    radius_km: float
    areas: list[Area]
    access: list[CommuneAccess]  # every commune of the zoning, by population, largest first
    without_offer: list[CommuneAccess]  # those with no course of the chosen type within the radius
    needs: list[NeedSource]
    demo_courses: int
    demo_exam_sessions: int = 0


def zonings() -> list[tuple[str, str]]:
    """(slug, name) of every zoning the diagnostic can cut by."""
    loaded = [(z.slug, z.name) for z in Zoning.objects.order_by("name")]
    pseudo = {slug: str(name) for slug, name in PSEUDO_ZONINGS.items()}
    return [
        ("departements", pseudo["departements"]),
        ("epci", pseudo["epci"]),
        *loaded,
        ("communes", pseudo["communes"]),
    ]


def _areas(zoning: str, communes: list[tuple]) -> tuple[str, dict[int, str], dict[str, Area]] | None:
    """(name, commune id → area code, area code → Area) of a zoning; None when it does not exist. `communes`:
    (id, INSEE code, name, département code, département name) of every commune."""
    areas: dict[str, Area] = {}
    area_of: dict[int, str] = {}
    if zoning == "departements":
        for pk, _code, _name, dep, dep_name in communes:
            areas.setdefault(dep, Area(dep, dep_name)).communes.append(pk)
            area_of[pk] = dep
        return str(PSEUDO_ZONINGS[zoning]), area_of, areas
    if zoning == "communes":
        for pk, code, name, _dep, _dep_name in communes:
            areas[code] = Area(code, name, [pk])
            area_of[pk] = code
        return str(PSEUDO_ZONINGS[zoning]), area_of, areas
    if zoning == "epci":
        for pk, code, name in Commune.objects.exclude(epci=None).values_list("pk", "epci__code", "epci__name"):
            areas.setdefault(code, Area(code, name)).communes.append(pk)
            area_of[pk] = code
        return str(PSEUDO_ZONINGS[zoning]), area_of, areas
    found = Zoning.objects.filter(slug=zoning).first()
    if found is None:
        return None
    for zone in Zone.objects.filter(zoning=found).order_by("code"):
        areas[zone.code] = Area(zone.code, zone.name)
    for commune_id, code in ZoneMembership.objects.filter(zoning=found).values_list("commune_id", "zone__code"):
        areas[code].communes.append(commune_id)
        area_of[commune_id] = code
    return found.name, area_of, areas


def _type_codes() -> list[str]:
    from cartolangue.search.filter_kinds import ChoiceFilter
    from cartolangue.search.filters import COURSE_FILTERS

    type_filter = next(f for f in COURSE_FILTERS if f.name == "type")
    assert isinstance(type_filter, ChoiceFilter)
    return [str(choice.stored) for choice in type_filter.choices()]


def _band_of(targets: np.ndarray) -> np.ndarray:
    """The index in LEVEL_BANDS of each target level (the last band: not stated)."""
    out = np.full(len(targets), len(LEVEL_BANDS) - 1)
    for position, (_key, _label, levels) in enumerate(LEVEL_BANDS[:-1]):
        out[np.isin(targets, [int(level) for level in levels])] = position
    return out


def _hours(total: float) -> float | int:
    """Weekly hours to a tenth; a whole number as an int, so that CSV, XLSX and JSON write it alike."""
    hours = round(float(total), 1)
    return int(hours) if hours.is_integer() else hours


def points_of(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """WGS84 points as shapely points on the plane tangent to Île-de-France (metres)."""
    return np.asarray(shapely.points(project(longitude, latitude)))


class NearestCourse:
    """Distances from points (the communes' centres) to the nearest course of a subset of courses. Courses share
    places: the places are found and made geometries once, each subset only picks its own."""

    def __init__(self, course_latitude: np.ndarray, course_longitude: np.ndarray) -> None:
        places, self.place_of = np.unique(course_latitude + 1j * course_longitude, return_inverse=True)
        self.places = points_of(places.real, places.imag)

    def km(self, points: np.ndarray, subset: np.ndarray) -> np.ndarray:
        """For each point (projected, `points_of`), the distance in km to the nearest course of `subset` (inf when
        there is none)."""
        out = np.full(len(points), np.inf)
        chosen = np.unique(self.place_of[subset])
        if not len(chosen) or not len(points):
            return out
        tree = shapely.STRtree(self.places[chosen])
        (point_index, _found), metres = tree.query_nearest(points, return_distance=True, all_matches=False)
        out[point_index] = metres / 1000
        return out


def diagnostic(
    zoning: str,
    *,
    course_type: str | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    query: CourseQuery | None = None,
    today: datetime.date | None = None,
) -> Diagnostic | None:
    """The figures of every zone of `zoning`; None for an unknown zoning. `query`: the search's filters (every
    course when None); `course_type`: the type whose access is measured (any type when None)."""
    communes = list(
        Commune.objects.values_list(
            "pk", "code_insee", "name", "population", "latitude", "longitude", "departement__code", "departement__name"
        )
    )
    cut = _areas(zoning, [(c[0], c[1], c[2], c[6], c[7]) for c in communes])
    if cut is None:
        return None
    zoning_name, area_of, areas = cut
    today = today or timezone.localdate()
    rows = course_index().matching_rows(query or CourseQuery(), today=today)
    types = _type_codes()
    demo = rows["demo"]
    needs = list(NeedSource.objects.order_by("key"))
    population_known = any(need.key == "population" for need in needs)
    population = {c[0]: c[3] for c in communes}

    # Sums by zone, vectorised: each course's zone position (-1: a commune outside the zoning), then counts.
    codes = list(areas)
    top = max(int(rows["commune"].max(initial=0)), max(area_of, default=0)) + 1
    position_of = {code: i for i, code in enumerate(codes)}
    zone_of_commune = np.full(top, -1)
    for commune_id, code in area_of.items():
        zone_of_commune[commune_id] = position_of[code]
    zone = zone_of_commune[rows["commune"]]
    bands = _band_of(rows["target"])
    real = ~demo
    inside = zone >= 0
    n_zones, n_types, n_bands = len(codes), len(types), len(LEVEL_BANDS)
    kept = real & inside
    courses = np.bincount(zone[kept], minlength=n_zones)
    demo_courses = np.bincount(zone[demo & inside], minlength=n_zones)
    type_position = np.clip(rows["type"][kept].astype(np.int64), 0, n_types - 1)
    by_type = np.bincount(zone[kept] * n_types + type_position, minlength=n_zones * n_types).reshape(n_zones, n_types)
    by_band = np.bincount(zone[kept] * n_bands + bands[kept], minlength=n_zones * n_bands).reshape(n_zones, n_bands)
    zone_real = zone[kept]
    hours, seats = rows["hours"][kept], rows["seats"][kept]
    known_hours, known_seats = ~np.isnan(hours), seats >= 0
    sums = {
        "seats": np.bincount(zone_real[known_seats], weights=seats[known_seats], minlength=n_zones),
        "courses_without_seats": np.bincount(zone_real[~known_seats], minlength=n_zones),
        "weekly_hours": np.bincount(zone_real[known_hours], weights=hours[known_hours], minlength=n_zones),
        "courses_without_hours": np.bincount(zone_real[~known_hours], minlength=n_zones),
        "with_childcare": np.bincount(zone_real[rows["childcare"][kept]], minlength=n_zones),
        "with_evening": np.bincount(zone_real[rows["evening"][kept]], minlength=n_zones),
    }
    exams = exam_table()
    upcoming = (exams.date >= today.toordinal()) & (exams.commune >= 0) & (exams.commune < top)
    exam_zone = np.where(upcoming, zone_of_commune[np.where(upcoming, exams.commune, 0)], -1)
    sums["exam_sessions"] = np.bincount(exam_zone[(exam_zone >= 0) & ~exams.demo], minlength=n_zones)
    sums["demo_exam_sessions"] = np.bincount(exam_zone[(exam_zone >= 0) & exams.demo], minlength=n_zones)
    for position, code in enumerate(codes):
        area = areas[code]
        area.courses, area.demo_courses = int(courses[position]), int(demo_courses[position])
        for name, values in sums.items():
            setattr(area, name, _hours(values[position]) if name == "weekly_hours" else int(values[position]))
        area.by_type = {types[t]: int(n) for t, n in enumerate(by_type[position]) if n}
        area.by_band = {LEVEL_BANDS[b][0]: int(n) for b, n in enumerate(by_band[position]) if n}
    for area in areas.values():
        if population_known:
            area.population = sum(population.get(pk) or 0 for pk in area.communes)

    chosen = real if course_type is None else real & (rows["type"] == types.index(course_type))
    centres = points_of(np.array([c[4] for c in communes]), np.array([c[5] for c in communes]))
    nearest = NearestCourse(rows["latitude"][chosen], rows["longitude"][chosen])
    distances = [
        nearest.km(centres, subset).tolist()
        for subset in (np.ones(len(nearest.place_of), bool), rows["childcare"][chosen], rows["evening"][chosen])
    ]
    access = []
    for (pk, code, name, pop, *_rest), km, childcare_km, evening_km in zip(communes, *distances, strict=True):
        if pk not in area_of:
            continue
        area = areas[area_of[pk]]
        area.without_offer += km > radius_km
        area.without_childcare += childcare_km > radius_km
        area.without_evening += evening_km > radius_km
        found = [None if d == float("inf") else d for d in (km, childcare_km, evening_km)]
        access.append(CommuneAccess(pk, code, name, pop, area_of[pk], *found))
    access.sort(key=lambda c: (-(c.population or 0), c.code))
    without = [c for c in access if c.nearest_km is None or c.nearest_km > radius_km]

    ranked = sorted(
        (a for a in areas.values() if a.per_thousand is not None),
        key=lambda a: (a.per_thousand, -(a.population or 0), a.code),
    )
    for position, area in enumerate(ranked, start=1):
        area.rank = position
    return Diagnostic(
        zoning=zoning,
        zoning_name=zoning_name,
        course_type=course_type,
        radius_km=radius_km,
        areas=sorted(areas.values(), key=lambda a: (a.rank or len(areas) + 1, a.code)),
        access=access,
        without_offer=without,
        needs=needs,
        demo_courses=int(np.count_nonzero(demo)),
        demo_exam_sessions=sum(area.demo_exam_sessions for area in areas.values()),
    )


def by_code(result: Diagnostic) -> dict[str, Area]:
    return {area.code: area for area in result.areas}
