"""Great-circle distances and bounding boxes, identical on SQLite and PostgreSQL (no spatial extension)."""

import math

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180


def haversine_km(lat1, lon1, lat2, lon2):
    """Distance in kilometres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(latitude, longitude, radius_km):
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains every point within radius_km."""
    dlat = radius_km / KM_PER_DEGREE_LATITUDE
    # Widen by the cosine of the latitude edge nearest the pole, so that the box never cuts the circle.
    edge = min(89.9, abs(latitude) + dlat)
    dlon = radius_km / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(edge)))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon
