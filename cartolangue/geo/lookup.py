"""Point → commune lookup: a bounding-box pre-filter in SQL, then an exact shapely test."""

import shapely

from cartolangue.geo.models import Commune


def commune_at(latitude: float, longitude: float) -> Commune | None:
    """The commune whose contour contains the point (lat, lon in WGS84), or None outside loaded territories."""
    point = shapely.Point(longitude, latitude)
    candidates = Commune.objects.containing_bbox(latitude, longitude).only("id", "code_insee", "name", "geometry")
    for commune in candidates:
        if commune.shape.covers(point):
            return commune
    return None
