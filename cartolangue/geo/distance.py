"""Great-circle distances and bounding boxes, identical on SQLite and PostgreSQL (no spatial extension)."""

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180


class HasPoint(Protocol):
    """A place or a commune: anything with WGS84 coordinates."""

    @property
    def latitude(self) -> float: ...

    @property
    def longitude(self) -> float: ...


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in kilometres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains every point within radius_km."""
    dlat = radius_km / KM_PER_DEGREE_LATITUDE
    # Widen by the cosine of the latitude edge nearest the pole, so that the box never cuts the circle.
    edge = min(89.9, abs(latitude) + dlat)
    dlon = radius_km / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(edge)))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def nearest_km(latitudes: np.ndarray, longitudes: np.ndarray, centres: Sequence[HasPoint]) -> np.ndarray | None:
    """Distances in km from each point (numpy arrays) to the nearest of `centres` (objects with latitude and
    longitude): the same haversine as `haversine_km` and as the SQL of search/filters.py, vectorised. None
    without centres."""
    phi = np.radians(latitudes)
    best = None
    for c in centres:
        dphi = np.radians(latitudes - c.latitude) / 2
        dlambda = np.radians(longitudes - c.longitude) / 2
        a = np.sin(dphi) ** 2 + math.cos(math.radians(c.latitude)) * np.cos(phi) * np.sin(dlambda) ** 2
        d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
        best = d if best is None else np.minimum(best, d)
    return best


# A plane tangent to Île-de-France, in metres: about 1 % of error across the region (geo/qpv.py, the diagnostic
# and the matching across sources measure with it).
REFERENCE_LATITUDE = 48.8
METRES_PER_DEGREE: np.ndarray = np.array([111_320.0 * math.cos(math.radians(REFERENCE_LATITUDE)), 110_574.0])


def project(longitude: np.ndarray, latitude: np.ndarray) -> np.ndarray:
    """(n, 2) plane coordinates in metres."""
    return np.column_stack([longitude, latitude]) * METRES_PER_DEGREE
