"""The diagnostic's map: the communes drawn as SVG paths from the contours already loaded (no tile server), each
filled with its zone's class of the indicator; drawn on the server, so it shows without JavaScript. The table
beside it carries the same figures (the accessible alternative)."""

from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils.formats import number_format

from cartolangue.diagnostic.figures import Area, Diagnostic
from cartolangue.geo.distance import project
from cartolangue.geo.models import Commune, Qpv
from cartolangue.search.version import memo_by_version

WIDTH = 640  # the map's width on the page (CSS pixels); the height follows the territory's shape
UNITS_PER_PIXEL = 4  # SVG coordinates are whole units, a quarter of a pixel (about 60 m across the region)
SIMPLIFY_METRES = 200  # a commune's outline at this scale: under one pixel (about 250 m) on the page
# Sequential classes, light to dark (ColorBrewer "Blues", 5 classes); colour-blind safe, readable in grey.
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#d9d9d9"


@dataclass(frozen=True)
class Shape:
    commune_id: int
    path: str


@dataclass
class MapLayer:
    width: int
    height: int
    zones: list[tuple[Area, str, list[str]]]  # (area, fill, paths)
    legend: list[tuple[str, str]]  # (fill, label)
    qpvs: list[str] = field(default_factory=list)  # the QPV 2024 outlines, drawn over the zones


def _projected(wkbs: list[bytes]) -> list:
    geometries = [shapely.from_wkb(bytes(wkb)) for wkb in wkbs]
    projected = [shapely.transform(g, lambda xy: project(xy[:, 0], xy[:, 1])) for g in geometries]
    return [shapely.simplify(g, SIMPLIFY_METRES, preserve_topology=True) for g in projected]


def _numbers(values: list[int]) -> str:
    """Integers as SVG path data: a minus sign separates two numbers as well as a space does."""
    return "".join(f"{v}" if i == 0 or v < 0 else f" {v}" for i, v in enumerate(values))


def _path(geometry, minx: float, maxy: float, scale: float) -> str:
    """A geometry's rings as SVG path data: whole units, each point relative to the one before ("l"), points
    that round onto the previous one left out. About a fifth of the size of absolute decimal coordinates."""
    rings = []
    polygons = geometry.geoms if hasattr(geometry, "geoms") else [geometry]
    for polygon in polygons:
        if polygon.is_empty or not hasattr(polygon, "exterior"):
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)
            points = np.rint(np.column_stack(((xy[:, 0] - minx) * scale, (maxy - xy[:, 1]) * scale))).astype(int)
            steps = np.diff(points, axis=0)
            steps = steps[np.any(steps != 0, axis=1)][:-1]  # the last step returns to the start: "z" draws it
            if len(steps) < 2:
                continue  # smaller than a unit: nothing to see
            rings.append(f"M{_numbers(points[0].tolist())}l{_numbers(steps.ravel().tolist())}z")
    return "".join(rings)


def _shapes() -> tuple[list[Shape], int, list[str]]:
    rows = list(Commune.objects.values_list("pk", "geometry"))
    projected = _projected([wkb for _pk, wkb in rows])
    minx, miny, maxx, maxy = shapely.total_bounds(projected)
    scale = WIDTH * UNITS_PER_PIXEL / (maxx - minx)
    height = int(np.ceil((maxy - miny) * scale))
    shapes = [Shape(pk, _path(g, minx, maxy, scale)) for (pk, _wkb), g in zip(rows, projected, strict=True)]
    qpvs = [_path(g, minx, maxy, scale) for g in _projected(list(Qpv.objects.values_list("geometry", flat=True)))]
    return shapes, height, qpvs


def commune_shapes() -> tuple[list[Shape], int, list[str]]:
    """Every commune's path, the map's height and the QPV outlines: computed once per data version."""
    return memo_by_version("diagnostic-commune-shapes", _shapes)


def classes(values: list[float]) -> list[float]:
    """The upper bounds of up to five quantile classes of the values (distinct, ascending)."""
    if not values:
        return []
    bounds = np.quantile(np.array(values), [0.2, 0.4, 0.6, 0.8, 1.0]).tolist()
    return sorted(set(round(b, 3) for b in bounds))


def map_layer(result: Diagnostic, legend_unit: str) -> MapLayer:
    """The zones of a diagnostic filled by their real courses per 1,000 inhabitants."""
    shapes, height, qpvs = commune_shapes()
    path_of = {shape.commune_id: shape.path for shape in shapes}
    values = [a.per_thousand for a in result.areas if a.per_thousand is not None]
    bounds = classes(values)
    palette = PALETTE[-len(bounds) :] if bounds else ()
    zones = []
    for area in result.areas:
        if area.per_thousand is None:
            fill = NO_DATA
        else:
            fill = palette[next(i for i, b in enumerate(bounds) if area.per_thousand <= b)]
        zones.append((area, fill, [path_of[c] for c in area.communes if c in path_of]))
    legend, low = [], 0.0
    for fill, bound in zip(palette, bounds, strict=True):
        legend.append((fill, f"{number_format(low)} – {number_format(bound)} {legend_unit}"))
        low = bound
    return MapLayer(width=WIDTH * UNITS_PER_PIXEL, height=height, zones=zones, legend=legend, qpvs=qpvs)
