"""Distances to the quartiers prioritaires (QPV 2024), in metres, for the search filter "dans un QPV ou à moins
de N m" and the diagnostic. Points and contours are projected to a plane tangent to Île-de-France (about 1 %
error across the region, under the contours' own 50 m simplification)."""

import numpy as np
import shapely

from cartolangue.geo.distance import METRES_PER_DEGREE, project
from cartolangue.geo.models import Qpv


def qpv_tree() -> tuple[shapely.STRtree, list[str]] | None:
    """The projected QPV contours in a spatial index, with their codes; None when no QPV is loaded."""
    rows = list(Qpv.objects.order_by("code").values_list("code", "geometry"))
    if not rows:
        return None
    shapes = [shapely.transform(shapely.from_wkb(bytes(wkb)), lambda xy: xy * METRES_PER_DEGREE) for _c, wkb in rows]
    return shapely.STRtree(shapes), [code for code, _wkb in rows]


MAX_METRES = 2000  # the farthest the filter looks: beyond, "no QPV near" is all one needs to know


def metres_to_nearest_qpv(
    latitude: np.ndarray, longitude: np.ndarray, tree: tuple[shapely.STRtree, list[str]] | None = None
) -> np.ndarray:
    """For each point, the distance in metres to the nearest QPV (0 inside one), up to `MAX_METRES`; +inf
    beyond, and when no QPV is loaded. Each distinct point is computed once (courses share places)."""
    tree = tree if tree is not None else qpv_tree()
    out = np.full(len(latitude), np.inf)
    if tree is None or not len(latitude):
        return out
    plane = project(np.asarray(longitude, dtype=float), np.asarray(latitude, dtype=float))
    unique, position = np.unique(plane, axis=0, return_inverse=True)
    found = np.full(len(unique), np.inf)
    (point_index, _shape_index), distances = tree[0].query_nearest(
        shapely.points(unique), max_distance=MAX_METRES, return_distance=True, all_matches=False
    )
    found[point_index] = distances
    return found[position.ravel()]
