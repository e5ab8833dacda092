"""Where an imported place is: its commune, from the INSEE code, else the post code and town, else the
coordinates; with coordinates checked against the commune. A commune that stays unknown or outside the
loaded territories is a RecordError: never placed elsewhere silently (ADR 0008). A place in another département
(by its INSEE code, else its post code, else its coordinates) is an OutsideTerritoryError: expected in national
files, and counted apart from the errors."""

from typing import Protocol

from django.utils.translation import gettext as _

from cartolangue.geo.distance import haversine_km
from cartolangue.geo.lookup import commune_at
from cartolangue.geo.models import Commune, CommuneAlias, PostCode
from cartolangue.interop.errors import OutsideTerritoryError, RecordError
from cartolangue.text import fold_name

# Coordinates farther than this from their commune's centre are taken as wrong (a typo, 48/2 for Paris).
MAX_KM_FROM_COMMUNE = 20
# Arrondissements municipaux → their commune (territories are loaded at commune level).
ARRONDISSEMENTS = {
    **{f"751{n:02d}": "75056" for n in range(1, 21)},
    **{f"6938{n}": "69123" for n in range(1, 10)},
    **{f"132{n:02d}": "13055" for n in range(1, 17)},
}


class PlaceClues(Protocol):
    """What `Geography.resolve` reads of a place: a PlaceRecord, or an actor's address (actors/importers.py)."""

    code_insee: str
    post_code: str
    city: str
    latitude: float | None
    longitude: float | None


class Geography:
    """The loaded territories, in memory for the length of an import (a few thousand communes)."""

    def __init__(self):
        fields = ("id", "code_insee", "name", "search_name", "latitude", "longitude")
        self.by_code = {c.code_insee: c for c in Commune.objects.only(*fields)}
        by_id = {c.id: c for c in self.by_code.values()}
        self.aliases = {a.code: by_id[a.commune_id] for a in CommuneAlias.objects.all() if a.commune_id in by_id}
        self.departements = {_departement_of(code) for code in self.by_code}
        self.by_post_code: dict[str, list[Commune]] = {}
        for code, commune_id in PostCode.objects.values_list("code", "commune_id"):
            if commune_id in by_id:
                self.by_post_code.setdefault(code, []).append(by_id[commune_id])

    def _from_post_code(self, post_code, city):
        candidates = self.by_post_code.get(post_code, [])
        if len(candidates) == 1:
            return candidates[0]
        wanted = fold_name(city)
        for name in (wanted, _without_article(wanted)):
            for commune in candidates:
                if name and commune.search_name == name:
                    return commune
        return None

    def _outside(self, code, post_code, has_point):
        """The place is in a département that is not loaded (its INSEE code says so, else its post code); with
        neither, coordinates that fall in no loaded commune."""
        for given in (code, (post_code or "").strip()):
            if len(given) == 5:
                return _departement_of(given) not in self.departements
        return has_point

    def resolve(self, place: PlaceClues) -> tuple[Commune, float | None, float | None, bool, list[str]]:
        """(commune, latitude, longitude, approximate, notes) for a PlaceRecord, or RecordError."""
        notes = []
        code = (place.code_insee or "").strip()
        commune = self.by_code.get(code)
        if commune is None and code:
            if code in ARRONDISSEMENTS:
                commune = self.by_code.get(ARRONDISSEMENTS[code])
            elif code in self.aliases:
                commune = self.aliases[code]
                notes.append(_("ancien code commune %(old)s, aujourd'hui %(new)s") % {"old": code, "new": commune})
        has_point = place.latitude is not None and place.longitude is not None
        if commune is None:
            repaired_by = ""
            if place.post_code:
                commune = self._from_post_code(place.post_code, place.city)
                repaired_by = _("code postal et ville")
            if commune is None and place.latitude is not None and place.longitude is not None:  # has_point
                found = commune_at(place.latitude, place.longitude)
                commune = self.by_code.get(found.code_insee) if found else None
                repaired_by = _("coordonnées")
            if commune is None:
                given = {"code": code, "post_code": place.post_code, "city": place.city}
                if self._outside(code, place.post_code, has_point):
                    raise OutsideTerritoryError(
                        _(
                            "hors Île-de-France (code INSEE « %(code)s », code postal « %(post_code)s », "
                            "ville « %(city)s »)"
                        )
                        % given
                    )
                raise RecordError(
                    _(
                        "commune inconnue ou hors des territoires chargés (code INSEE « %(code)s », "
                        "code postal « %(post_code)s », ville « %(city)s »)"
                    )
                    % given
                )
            if code:
                notes.append(
                    _(
                        "code commune « %(code)s » inconnu ou hors territoire, "
                        "commune retrouvée par %(by)s : %(commune)s"
                    )
                    % {"code": code, "by": repaired_by, "commune": f"{commune.code_insee} {commune.name}"}
                )
        if has_point and place.latitude is not None and place.longitude is not None:
            km = haversine_km(place.latitude, place.longitude, commune.latitude, commune.longitude)
            if km > MAX_KM_FROM_COMMUNE:
                notes.append(
                    _("coordonnées à %(km)d km de %(commune)s, remplacées par le centre de la commune")
                    % {"km": km, "commune": commune.name}
                )
                has_point = False
        if has_point:
            return commune, place.latitude, place.longitude, False, notes
        return commune, commune.latitude, commune.longitude, True, notes


def _without_article(name: str) -> str:
    """A town as files abbreviate it, as the loaded communes name it: "le mee sur seine" → "mee sur seine" (the
    article is apart in the official name), "ste genevieve des bois" → "sainte genevieve des bois"."""
    words = name.split()
    if words and words[0] in ("le", "la", "les", "l"):
        words = words[1:]
    return " ".join({"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}.get(w, w) for w in words)


def _departement_of(code: str) -> str:
    """The département part of an INSEE code or a post code: 3 characters overseas (97x), else 2."""
    return code[:3] if code.startswith("97") else code[:2]
