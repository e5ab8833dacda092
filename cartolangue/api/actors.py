"""The support actors' endpoints (issue #22): `/api/v1/actors` (the "Se faire accompagner" tab's search, same
parameters, same engine: search/actors.py), `/api/v1/actors.geojson`, `/api/v1/actors/{id}`, and their
published data·inclusion files."""

import math

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Schema

from cartolangue.actors.enums import ActorKind, Scheme
from cartolangue.actors.models import Actor
from cartolangue.api.schemas import CommuneOut, FacetValueOut, Label, _filters_schema
from cartolangue.api.v1 import (
    DEMO_DESCRIPTION,
    DOWNLOAD_ERRORS,
    ERRORS,
    MAP_LIMIT,
    NOT_FOUND,
    _content,
    _di_list,
    _last_modified,
    _point,
    _published,
    api,
)
from cartolangue.geo.loading import departement_of
from cartolangue.offers.enums import Audience
from cartolangue.search.actors import actor_matches, actors_of
from cartolangue.search.params import ACTOR_PARAMS, parse_actor_query

ActorFilters = _filters_schema("ActorFilters", ACTOR_PARAMS)


class ActorOut(Schema):
    id: int
    url: str = Field(description=str(_("Page de l'acteur sur le site.")))
    name: str
    kind: Label
    address: str
    post_code: str
    commune: CommuneOut
    latitude: float
    longitude: float
    location_is_approximate: bool
    phone: str
    email: str
    website: str
    opening_hours: str
    publics: list[Label]
    schemes: list[Label]
    source: str
    source_date: str | None = Field(description=str(_("Date des données de la source (AAAA-MM-JJ).")))
    distance_km: float | None = None


class ActorPage(Schema):
    total: int
    page: int
    pages: int
    page_size: int
    results: list[ActorOut]
    facets: dict[str, list[FacetValueOut]]


def _labels(values: list[str], choices) -> list[dict[str, str]]:
    names = dict(choices.choices)
    return [{"code": v, "label": str(names[v])} for v in values if v in names]


def actor_out(actor: Actor) -> dict:
    return {
        "id": actor.pk,
        "url": f"/acteurs/{actor.pk}/",
        "name": actor.name,
        "kind": {"code": actor.kind, "label": actor.get_kind_display()},
        "address": actor.address,
        "post_code": actor.post_code,
        "commune": {
            "code_insee": actor.commune.code_insee,
            "name": actor.commune.name,
            "departement": departement_of(actor.commune.code_insee),
        },
        "latitude": actor.latitude,
        "longitude": actor.longitude,
        "location_is_approximate": actor.location_is_approximate,
        "phone": actor.phone,
        "email": actor.email,
        "website": actor.website,
        "opening_hours": actor.opening_hours,
        "publics": _labels(actor.publics, Audience),
        "schemes": _labels(actor.schemes, Scheme),
        "source": actor.source,
        "source_date": actor.source_date.isoformat() if actor.source_date else None,
        "distance_km": round(actor.distance, 2) if getattr(actor, "distance", None) is not None else None,
    }


@api.get(
    "/actors",
    response={200: ActorPage, **ERRORS},
    summary=str(_("Chercher des acteurs de l'accompagnement")),
    tags=["acteurs"],
)
def list_actors(request, response: HttpResponse, filters: Query[ActorFilters]):
    """Missions Locales, agences France Travail, Ofii, France Services, SIAE, CIDFF… par type, public,
    dispositif, département et distance (les plus proches d'abord quand un lieu est donné, sinon par nom)."""
    _last_modified(response, Actor.objects)
    query = parse_actor_query(request.GET, strict=True)
    start = (query.page - 1) * query.page_size
    matches = actor_matches(query, start=start, limit=query.page_size)
    return {
        "total": matches.total,
        "page": query.page,
        "pages": max(1, math.ceil(matches.total / query.page_size)),
        "page_size": query.page_size,
        "results": [actor_out(a) for a in actors_of(matches)],
        "facets": {
            name: [{"value": f.value, "label": f.label, "count": f.count, "selected": f.selected} for f in values]
            for name, values in matches.facets.items()
        },
    }


@api.get(
    "/actors.geojson",
    summary=str(_("Acteurs de l'accompagnement sur la carte (GeoJSON)")),
    tags=["acteurs"],
    response={200: dict, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/geo+json": {}}}}},
)
def actors_geojson(request, filters: Query[ActorFilters]):
    """Les mêmes acteurs, en FeatureCollection GeoJSON (20 000 au plus)."""
    matches = actor_matches(parse_actor_query(request.GET, strict=True), limit=MAP_LIMIT)
    rows = Actor.objects.filter(pk__in=matches.ids).values_list("pk", "name", "kind", "latitude", "longitude")
    kinds = dict(ActorKind.choices)
    features = [
        _point(pk, lat, lon, {"name": name, "kind": kind, "kind_label": str(kinds[kind]), "url": f"/acteurs/{pk}/"})
        for pk, name, kind, lat, lon in rows
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features}, content_type="application/geo+json")
    return _last_modified(response, Actor.objects)


@api.get(
    "/actors/{actor_id}",
    response={200: ActorOut, **NOT_FOUND},
    summary=str(_("Un acteur de l'accompagnement")),
    tags=["acteurs"],
)
def get_actor(request, actor_id: int):
    return actor_out(get_object_or_404(Actor.objects.select_related("commune"), pk=actor_id))


@api.get(
    "/exports/data-inclusion/acteurs/structures.json",
    response=DOWNLOAD_ERRORS,
    summary=str(_("data·inclusion : acteurs de l'accompagnement (structures)")),
    tags=["exports"],
    openapi_extra=_content("application/json", _di_list("source", "id", "nom", "date_maj")),
)
def data_inclusion_actor_structures(request, demonstration: bool = Query(False, description=DEMO_DESCRIPTION)):
    """Les acteurs de l'accompagnement (Missions Locales, France Travail, France Services, SIAE…) au schéma
    data·inclusion v1, une structure par acteur."""
    return _published(request, "data-inclusion/acteurs/structures.json", demonstration=demonstration)


@api.get(
    "/exports/data-inclusion/acteurs/services.json",
    response=DOWNLOAD_ERRORS,
    summary=str(_("data·inclusion : acteurs de l'accompagnement (services)")),
    tags=["exports"],
    openapi_extra=_content(
        "application/json", _di_list("source", "structure_id", "id", "nom", "description", "date_maj")
    ),
)
def data_inclusion_actor_services(request, demonstration: bool = Query(False, description=DEMO_DESCRIPTION)):
    """Un service par dispositif d'un acteur qui a une thématique data·inclusion (CEJ, PLIE, accès aux droits,
    aide aux démarches en ligne…) ; la correspondance est dans docs/data-inclusion-acteurs.md."""
    return _published(request, "data-inclusion/acteurs/services.json", demonstration=demonstration)
