"""Reading search parameters: the declared `Param`s, the reader that validates a query string value by value,
and the location (communes or a point, and a radius) every search may carry.

Every parameter may repeat: values of one parameter are OR-ed, parameters are AND-ed. An invalid value is a
`ParamError` naming the parameter; the API answers 422 with it, the page shows a notice and drops it.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartolangue.geo.distance import bbox_around, nearest_km
from cartolangue.geo.models import Commune
from cartolangue.offers import enums
from cartolangue.offers.indexing import normalise
from cartolangue.search.version import memo_by_version

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
DEFAULT_RADIUS_KM = 10
MAX_RADIUS_KM = 200
MAX_VALUES = 50  # per parameter: a longer list is a mistake or an attack
MAX_VALUE_LENGTH = 200
MAX_WORDS = 10  # words of a text parameter read: the cost of a search stays bounded
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEPARTEMENT_RE = re.compile(r"^[0-9][0-9AB][0-9]?$")
YES = {"oui", "1", "true", "on"}
NO = {"non", "0", "false", "off"}


class ParamError(ValueError):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class Param:
    """One query-string parameter: its name, its French description (API documentation, help texts) and the
    JSON schema of one of its values (OpenAPI; the reader validates values itself, with French messages)."""

    name: str
    description: Promise
    schema: dict[str, Any]


def enum_schema(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": list(dict.fromkeys(str(v) for v in values))}


YES_NO_SCHEMA = enum_schema(["oui", "non"])
DATE_SCHEMA = {"type": "string", "format": "date"}

# Parameters every search reads, whatever it filters on.
COMMUNE = Param(
    "commune",
    gettext_lazy("Code INSEE de la commune autour de laquelle chercher (p. ex. 95585 pour Sarcelles)."),
    {"type": "string", "pattern": "^[0-9][0-9AB][0-9]{3}$"},
)
RADIUS = Param(
    "rayon",
    gettext_lazy("Rayon en km autour de la commune ou du point (défaut 10, 0 = dans la commune seulement)."),
    {"type": "number", "minimum": 0, "maximum": MAX_RADIUS_KM},
)
LATITUDE = Param(
    "lat",
    gettext_lazy("Latitude du point de recherche (WGS84), avec lon."),
    {"type": "number", "minimum": -90, "maximum": 90},
)
LONGITUDE = Param(
    "lon",
    gettext_lazy("Longitude du point de recherche (WGS84), avec lat."),
    {"type": "number", "minimum": -180, "maximum": 180},
)
LOCATION_PARAMS = (COMMUNE, RADIUS, LATITUDE, LONGITUDE)
PAGE = Param(
    "page", gettext_lazy("Numéro de page, à partir de 1."), {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
)
PAGE_SIZE_PARAM = Param(
    "taille",
    gettext_lazy("Nombre de résultats par page (1 à 100, défaut 20)."),
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
)
PAGING_PARAMS = (PAGE, PAGE_SIZE_PARAM)


@dataclass(frozen=True)
class Centre:
    latitude: float
    longitude: float
    commune: Commune | None = None

    @property
    def label(self) -> str:
        return self.commune.name if self.commune else f"{self.latitude:.4f}, {self.longitude:.4f}"


@dataclass(frozen=True)
class Location:
    """One or more centres (several communes are OR-ed) and a radius; distances are to the nearest centre."""

    centres: tuple[Centre, ...]
    radius_km: float

    @property
    def latitude(self) -> float:
        return self.centres[0].latitude

    @property
    def longitude(self) -> float:
        return self.centres[0].longitude

    @property
    def commune(self) -> Commune | None:
        return self.centres[0].commune

    @property
    def label(self) -> str:
        return ", ".join(c.label for c in self.centres)

    def reach(
        self, latitude: np.ndarray, longitude: np.ndarray, in_communes: Callable[[np.ndarray], np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(which rows lie within reach, every row's distance in km to the nearest centre, inf out of reach)
        for columns of coordinates: within the radius, after a bounding-box pre-filter; with a radius of 0,
        in the centres' communes (`in_communes`: commune ids → the rows located there)."""
        communes = np.array([c.commune.pk for c in self.centres if c.commune], dtype=np.int64)
        in_commune_only = self.radius_km == 0 and len(communes) > 0
        if in_commune_only:
            mask = in_communes(communes)
        else:
            mask = np.zeros(len(latitude), dtype=bool)
            for c in self.centres:
                min_lat, max_lat, min_lon, max_lon = bbox_around(c.latitude, c.longitude, self.radius_km)
                mask |= (latitude >= min_lat) & (latitude <= max_lat) & (longitude >= min_lon) & (longitude <= max_lon)
        candidates = np.flatnonzero(mask)
        distance = np.full(len(latitude), np.inf)
        distance[candidates] = nearest_km(latitude[candidates], longitude[candidates], self.centres)
        if not in_commune_only:
            mask &= distance <= self.radius_km
        return mask, distance


class ParamReader:
    """Reads a QueryDict parameter by parameter; collects errors (lenient: the page) or raises the first
    (strict: the API)."""

    def __init__(self, params: QueryDict, *, strict: bool, known: Any) -> None:
        self.params = params
        self.strict = strict
        self.errors: list[ParamError] = []
        for name in params:
            if name not in known:
                self.fail(name, _("paramètre inconnu"))

    def fail(self, param: str, message: str) -> None:
        error = ParamError(param, message)
        if self.strict:
            raise error
        self.errors.append(error)

    def values(self, name: str) -> list[str]:
        raw = [v.strip() for v in self.params.getlist(name) if v is not None]
        if self.strict and "" in raw:
            # A form may send empty fields (the page ignores them); the API asks for a value.
            self.fail(name, _("valeur vide"))
            return []
        raw = [v for v in raw if v]
        if len(raw) > MAX_VALUES:
            self.fail(name, _("trop de valeurs (%(n)d au plus)") % {"n": MAX_VALUES})
            return []
        if any(not v.isprintable() for v in raw):
            self.fail(name, _("caractère de contrôle interdit"))
            return []
        if any(len(v) > MAX_VALUE_LENGTH for v in raw):
            self.fail(name, _("valeur trop longue (%(n)d caractères au plus)") % {"n": MAX_VALUE_LENGTH})
            return []
        return raw

    def words(self, name: str) -> list[str]:
        """The normalised words of a text parameter, the first `MAX_WORDS`."""
        words = [normalise(w) for v in self.values(name) for w in v.split()]
        return [w for w in words if w][:MAX_WORDS]

    def choices(self, name: str, allowed: dict[Any, Any]) -> list[Any]:
        out = []
        # The page forgives case and accents ("Lundi", "apres-midi"); the API takes the documented values.
        lookup = None  # built only when a value is not a documented one
        for value in self.values(name):
            if value in allowed:
                out.append(allowed[value])
                continue
            if lookup is None:
                lookup = {} if self.strict else {normalise(str(k)): v for k, v in allowed.items()}
            if normalise(value) in lookup:
                out.append(lookup[normalise(value)])
            else:
                self.fail(
                    name,
                    _("valeur « %(value)s » inconnue (valeurs possibles : %(allowed)s)")
                    % {"value": value[:50], "allowed": ", ".join(str(k) for k in allowed)},
                )
        return list(dict.fromkeys(out))

    def boolean(self, name: str) -> bool | None:
        values = set()
        yes, no = ({"oui"}, {"non"}) if self.strict else (YES, NO)
        for value in self.values(name):
            if value.lower() in yes:
                values.add(True)
            elif value.lower() in no:
                values.add(False)
            else:
                self.fail(name, _("« %(value)s » n'est pas oui ou non") % {"value": value[:50]})
        return values.pop() if len(values) == 1 else None

    def number(self, name: str, *, minimum: float, maximum: float, integer: bool = False) -> float | None:
        values = self.values(name)
        if not values:
            return None
        if len(values) > 1:
            self.fail(name, _("une seule valeur attendue"))
            return None
        try:
            number = int(values[0]) if integer else float(values[0].replace(",", "."))
        except ValueError:
            self.fail(name, _("« %(value)s » n'est pas un nombre") % {"value": values[0][:50]})
            return None
        if number != number or not (minimum <= number <= maximum):  # NaN too
            self.fail(name, _("doit être compris entre %(min)s et %(max)s") % {"min": minimum, "max": maximum})
            return None
        return number

    def dates(self, name: str) -> list[datetime.date]:
        out = []
        for value in self.values(name):
            try:
                if not DATE_RE.match(value):
                    raise ValueError(value)
                out.append(datetime.date.fromisoformat(value))
            except ValueError:
                self.fail(name, _("« %(value)s » n'est pas une date AAAA-MM-JJ") % {"value": value[:50]})
        return out

    def departements(self, name: str = "departement") -> list[str]:
        out = []
        for value in self.values(name):
            if DEPARTEMENT_RE.match(value.upper() if not self.strict else value):
                out.append(value.upper())
            else:
                self.fail(name, _("code de département « %(value)s » invalide") % {"value": value[:10]})
        return out

    def location(self) -> Location | None:
        codes = self.values(COMMUNE.name)
        radius = self.number(RADIUS.name, minimum=0, maximum=MAX_RADIUS_KM)
        lat = self.number(LATITUDE.name, minimum=-90, maximum=90)
        lon = self.number(LONGITUDE.name, minimum=-180, maximum=180)
        radius = DEFAULT_RADIUS_KM if radius is None else radius
        centres = []
        for code in dict.fromkeys(codes):
            commune = memo_by_version(("commune", code), lambda code=code: _commune(code))
            if commune is not None:
                centres.append(Centre(commune.latitude, commune.longitude, commune))
            else:
                self.fail(COMMUNE.name, _unknown_commune(code))
        if (lat is None) != (lon is None):
            self.fail(LATITUDE.name if lat is None else LONGITUDE.name, _("lat et lon vont ensemble"))
        elif lat is not None and lon is not None:
            centres.append(Centre(lat, lon))
        return Location(tuple(centres), radius) if centres else None

    def page(self) -> tuple[int, int]:
        page = self.number(PAGE.name, minimum=1, maximum=MAX_PAGE, integer=True) or 1
        size = self.number(PAGE_SIZE_PARAM.name, minimum=1, maximum=MAX_PAGE_SIZE, integer=True) or PAGE_SIZE
        return int(page), int(size)


def _unknown_commune(code: str) -> str:
    """The error for a `commune` that is no INSEE code. A post code (which several communes may share) is
    answered with the INSEE codes of the communes it serves, for the client to choose: never a guess."""
    served = Commune.objects.filter(post_codes__code=code).order_by("name").values_list("code_insee", "name")
    if not served:
        return _("commune « %(code)s » inconnue") % {"code": code[:10]}
    return _("« %(code)s » est un code postal, pas un code INSEE : choisissez parmi %(choices)s") % {
        "code": code,
        "choices": ", ".join(f"{insee} ({name})" for insee, name in served[:10]),
    }


def _commune(code: str) -> Commune | None:
    return Commune.objects.filter(code_insee=code).only("id", "code_insee", "name", "latitude", "longitude").first()


# The learner's level, for the entry-level filters: "aucun" = has not reached A1.1.
NO_LEVEL = "aucun"


class _NoLevel:
    """Marker for "aucun" that survives de-duplication (None is a valid dict value, not a good marker)."""

    label = NO_LEVEL

    def __repr__(self) -> str:
        return "NO_LEVEL"


NO_LEVEL_MARK = _NoLevel()
LEVEL_VALUES = [NO_LEVEL, *(lvl.label for lvl in enums.CecrlLevel)]


def levels_with_none() -> dict[str, Any]:
    return {NO_LEVEL: NO_LEVEL_MARK, **{lvl.label: lvl for lvl in enums.CecrlLevel}}


def level_value(level: Any) -> str:
    return NO_LEVEL if level is NO_LEVEL_MARK else level.label
