"""Support actors (cartolangue/actors): their filters, declared once, and their search on columns of every actor
kept per data version (a few thousand rows). The page's "Se faire accompagner" tab, the API list and map, and the
"who covers this commune" line of a course page all go through `actor_matches` and `actors_covering`.

An actor matches a public when it serves that public or everyone ("Tous publics"); kinds and schemes are OR-ed
within a filter and AND-ed across filters; facets are disjunctive like the courses' (ADR 0006)."""

import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartolangue.actors.enums import ActorKind, Scheme
from cartolangue.actors.models import Actor
from cartolangue.geo.distance import haversine_km
from cartolangue.offers.enums import Audience
from cartolangue.search.exams import DepartementColumnFilter
from cartolangue.search.filter_kinds import FacetValue, Filter, translated
from cartolangue.search.reading import Param, ParamReader, enum_schema
from cartolangue.search.version import memo_by_version

AUDIENCES = list(Audience.values)
SCHEMES = list(Scheme.values)
EVERYONE_BIT = 1 << AUDIENCES.index(Audience.EVERYONE)


@dataclass
class ActorTable:
    ids: np.ndarray
    names: np.ndarray  # folded names, for the default order
    kind: np.ndarray
    publics: np.ndarray  # bit i: serves AUDIENCES[i]
    schemes: np.ndarray  # bit i: runs SCHEMES[i]
    departement: np.ndarray
    commune: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    reach_km: np.ndarray

    @property
    def size(self) -> int:
        return len(self.ids)


def _bits(values: list[str], referential: list[str]) -> int:
    return sum(1 << referential.index(v) for v in values if v in referential)


def actor_table() -> ActorTable:
    return memo_by_version("actor-table", _read_actor_table)


def _read_actor_table() -> ActorTable:
    rows = list(
        Actor.objects.order_by("pk").values_list(
            "pk",
            "name",
            "kind",
            "publics",
            "schemes",
            "commune__departement__code",
            "commune_id",
            "latitude",
            "longitude",
            "reach_km",
        )  # fmt: skip
    )
    return ActorTable(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        names=np.array([r[1].casefold() for r in rows], dtype=object),
        kind=np.array([r[2] for r in rows], dtype=object),
        publics=np.array([_bits(r[3], AUDIENCES) for r in rows], dtype=np.int64),
        schemes=np.array([_bits(r[4], SCHEMES) for r in rows], dtype=np.int64),
        departement=np.array([r[5] for r in rows], dtype=object),
        commune=np.array([r[6] for r in rows], dtype=np.int64),
        latitude=np.array([r[7] for r in rows], dtype=float),
        longitude=np.array([r[8] for r in rows], dtype=float),
        reach_km=np.array([r[9] for r in rows], dtype=float),
    )


class FacetedActorFilter(Filter):
    """An actor filter with a facet: the actors that have each of its values."""

    def values_of(self, index: ActorTable) -> list[tuple[str, np.ndarray]]:
        raise NotImplementedError


class ActorKindFilter(FacetedActorFilter):
    name = "type_acteur"
    params = (
        Param(
            "type_acteur",
            _("Type d'acteur : mission-locale, france-travail, ofii, france-services, siae-aci…"),
            enum_schema(ActorKind.values),
        ),
    )
    legend = _("Type d'acteur")

    def defaults(self) -> dict[str, Any]:
        return {"kinds": []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"kinds": reader.choices("type_acteur", {v: v for v in ActorKind.values})}

    def mask(self, index: Any, query: Any, today: datetime.date) -> np.ndarray:
        return np.isin(index.kind, list(query.kinds))

    def values_of(self, index: ActorTable) -> list[tuple[str, np.ndarray]]:
        return [(value, index.kind == value) for value in ActorKind.values]


class ActorPublicFilter(FacetedActorFilter):
    name = "public"
    params = (
        Param(
            "public",
            _("Public de la personne : acteurs qui accompagnent ce public (ou tous publics)."),
            enum_schema(Audience.values),
        ),
    )
    legend = _("La personne est…")

    def defaults(self) -> dict[str, Any]:
        return {"publics": []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"publics": reader.choices("public", {v: v for v in Audience.values})}

    def mask(self, index: Any, query: Any, today: datetime.date) -> np.ndarray:
        wanted = _bits(query.publics, AUDIENCES) | EVERYONE_BIT
        return (index.publics & wanted) != 0

    def values_of(self, index: ActorTable) -> list[tuple[str, np.ndarray]]:
        return [(v, (index.publics & ((1 << i) | EVERYONE_BIT)) != 0) for i, v in enumerate(AUDIENCES)]


class ActorSchemeFilter(FacetedActorFilter):
    name = "dispositif"
    params = (
        Param(
            "dispositif",
            _("Dispositif : cej, accompagnement-plie, parcours-siae, agir-refugies, suivi-cir…"),
            enum_schema(Scheme.values),
        ),
    )
    legend = _("Dispositif")

    def defaults(self) -> dict[str, Any]:
        return {"schemes": []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"schemes": reader.choices("dispositif", {v: v for v in Scheme.values})}

    def mask(self, index: Any, query: Any, today: datetime.date) -> np.ndarray:
        return (index.schemes & _bits(query.schemes, SCHEMES)) != 0

    def values_of(self, index: ActorTable) -> list[tuple[str, np.ndarray]]:
        return [(v, (index.schemes & (1 << i)) != 0) for i, v in enumerate(SCHEMES)]


ACTOR_FILTERS: list[Filter] = [ActorKindFilter(), ActorPublicFilter(), ActorSchemeFilter(), DepartementColumnFilter()]
FACETED = {"type_acteur": ActorKind, "public": Audience, "dispositif": Scheme}


@dataclass
class ActorMatches:
    total: int
    ids: list[int]
    distances: list[float] | None
    facets: dict[str, list[FacetValue]]


def actor_matches(query: Any, *, start: int = 0, limit: int | None = None) -> ActorMatches:
    """The actors matching the query: how many, `limit` ids from `start` (nearest first when a place is given,
    else by name), and the disjunctive facets of kind, public and scheme."""
    table = actor_table()
    today = timezone.localdate()
    masks = {f.name: f.mask(table, query, today) for f in ACTOR_FILTERS if f.active(query.values)}
    scope = np.ones(table.size, dtype=bool)
    distance = None
    if query.location:
        scope, distance = query.location.reach(
            table.latitude, table.longitude, lambda communes: np.isin(table.commune, communes)
        )
    matching = scope.copy()
    for mask in masks.values():
        matching &= mask
    facets = {}
    for declared in ACTOR_FILTERS:
        if declared.name not in FACETED or not isinstance(declared, FacetedActorFilter):
            continue
        base = scope.copy()
        for name, mask in masks.items():
            if name != declared.name:
                base &= mask
        labels = dict(translated(FACETED[declared.name]))
        chosen = set(query.values.get(next(iter(declared.defaults())), []))
        facets[declared.name] = [
            FacetValue(value, labels[value], int(np.count_nonzero(base & has)), value in chosen)
            for value, has in declared.values_of(table)
        ]
    rows = np.flatnonzero(matching)
    keys = [table.ids[rows], table.names[rows].astype(str)]
    if distance is not None:
        keys.append(distance[rows])
    order = rows[np.lexsort(keys)]
    page = order[start : len(order) if limit is None else start + limit]
    return ActorMatches(
        total=len(rows),
        ids=table.ids[page].tolist(),
        distances=None if distance is None else distance[page].tolist(),
        facets=facets,
    )


def actors_of(matches: ActorMatches) -> list[Actor]:
    """The actors of `matches`, in its order, with their `distance` when a place was given."""
    found = Actor.objects.filter(pk__in=matches.ids).select_related("commune").defer("commune__geometry").in_bulk()
    out = []
    for position, pk in enumerate(matches.ids):
        actor = found.get(pk)
        if actor is None:
            continue
        if matches.distances is not None:
            actor.distance = matches.distances[position]
        out.append(actor)
    return out


def actors_covering(latitude: float, longitude: float, commune_id: int, kinds: list[str]) -> dict[str, Actor]:
    """For each kind, the actor of that kind that covers a place: one whose communes include the place's, else
    the nearest one whose reach (commune and radius) includes it. Kinds without one are absent."""
    table = actor_table()
    covered = _covered_by(commune_id)
    out = {}
    for kind in kinds:
        rows = np.flatnonzero(table.kind == kind)
        if not len(rows):
            continue
        listed = [r for r in rows if int(table.ids[r]) in covered]
        if listed:
            chosen = listed[0]
        else:
            km = np.array([haversine_km(latitude, longitude, table.latitude[r], table.longitude[r]) for r in rows])
            within = (km <= table.reach_km[rows]) | (table.commune[rows] == commune_id)
            if not within.any():
                continue
            chosen = rows[np.flatnonzero(within)[np.argmin(km[within])]]
        out[kind] = int(table.ids[chosen])
    actors = Actor.objects.select_related("commune").defer("commune__geometry").in_bulk(list(out.values()))
    return {kind: actors[pk] for kind, pk in out.items() if pk in actors}


def _covered_by(commune_id: int) -> set[int]:
    """The actors that list this commune among those they cover."""
    return memo_by_version(
        ("actors-covering", commune_id),
        lambda: set(
            Actor.covered_communes.through.objects.filter(commune_id=commune_id).values_list("actor_id", flat=True)
        ),
    )


@dataclass
class ActorResults:
    """What the search page's "Se faire accompagner" tab shows: the count (on every tab), and with `details` the
    page of actors and the facets."""

    query: Any
    total: int
    items: list[Actor]
    facets: dict[str, list[FacetValue]]
    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def filters(self) -> list[tuple[str, Any, list[FacetValue]]]:
        """(parameter, legend, facet values) of each faceted filter, in declaration order: the tab's form."""
        return [(f.name, f.legend, self.facets[f.name]) for f in ACTOR_FILTERS if f.name in self.facets]


def actor_results(query: Any, *, details: bool) -> ActorResults:
    start = (query.page - 1) * query.page_size
    matches = actor_matches(query, start=start, limit=query.page_size if details else 0)
    return ActorResults(
        query=query,
        total=matches.total,
        items=actors_of(matches) if details else [],
        facets=matches.facets,
        page=query.page,
        pages=max(1, -(-matches.total // query.page_size)),
    )


# The actors a course page names ("Votre Mission Locale : …"), in this order, with the sentence that introduces each.
LOCAL_HELPER_KINDS = {
    ActorKind.MISSION_LOCALE: _("Votre Mission Locale (moins de 26 ans)"),
    ActorKind.FRANCE_TRAVAIL: _("Votre agence France Travail (demandeurs d'emploi, financement CPF / AIF)"),
    ActorKind.OFII: _("Votre direction territoriale de l'Ofii (contrat d'intégration républicaine)"),
    ActorKind.FRANCE_SERVICES: _("Votre France Services (démarches, droits)"),
}


def local_helpers(place: Any) -> list[tuple[Any, Actor]]:
    """(introduction, actor) for each kind of LOCAL_HELPER_KINDS that covers the place."""
    found = actors_covering(place.latitude, place.longitude, place.commune_id, list(LOCAL_HELPER_KINDS))
    return [(intro, found[kind]) for kind, intro in LOCAL_HELPER_KINDS.items() if kind in found]
