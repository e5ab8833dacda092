"""The territorial diagnostic's figures (issue #24): `/api/v1/territories/indicators?zonage=…` and
`/api/v1/territories/access?zonage=…`, the same columns and values as the tables of /territoires/ and their CSV
(diagnostic/tables.py)."""

import json
from typing import Any

import shapely
from django.http import Http404, HttpResponse, QueryDict
from django.utils.translation import gettext_lazy as _
from ninja import Query, Schema

from cartolangue.api.v1 import NOT_FOUND, api
from cartolangue.diagnostic.context import read_choice
from cartolangue.diagnostic.figures import Diagnostic, diagnostic
from cartolangue.diagnostic.tables import Column, access_rows, ranking_rows
from cartolangue.geo.models import Qpv
from cartolangue.search.reading import ParamError
from cartolangue.search.version import memo_by_version


class IndicatorFilters(Schema):
    zonage: str = "bassins-bmo"
    type: str | None = None
    rayon: float | None = None


@api.get(
    "/territories/indicators",
    response={200: dict, **NOT_FOUND},
    summary=str(_("Diagnostic territorial : l'offre face aux besoins, zone par zone")),
    tags=["territoires"],
    url_name="territory_indicators",
)
def territory_indicators(request, filters: Query[IndicatorFilters]):
    """Pour chaque zone du zonage (`departements`, `epci`, `communes` ou un zonage chargé, p. ex. `bassins-bmo`,
    `insee-ze2020`) : population, cours réels (par type et par niveau visé), cours pour 1 000 habitants, rang
    (le moins pourvu d'abord), places des sessions en cours ou à venir, heures par semaine, cours avec garde
    d'enfants et le soir, sessions d'examen à venir, communes sans cours du `type` choisi à moins de `rayon` km
    (sans cours avec garde d'enfants, sans cours du soir), et ce qui vient de la démonstration, laissé hors des
    chiffres. Chaque indicateur de besoin donne sa source, son millésime et sa licence ; sans fichier de
    population, pas de rapport à la population."""
    result = _diagnostic(filters)
    return {**_heading(result), **_table(ranking_rows(result), "zones")}


@api.get(
    "/territories/access",
    response={200: dict, **NOT_FOUND},
    summary=str(_("Diagnostic territorial : l'accès commune par commune")),
    tags=["territoires"],
    url_name="territory_access",
)
def territory_access(request, filters: Query[IndicatorFilters]):
    """Pour chaque commune du zonage, la plus peuplée d'abord : distance (km) de son centre au cours réel du
    `type` choisi le plus proche, à celui qui offre une garde d'enfants, à celui qui a lieu le soir (après 18 h) ;
    `null` : aucun."""
    result = _diagnostic(filters)
    return {**_heading(result), **_table(access_rows(result), "communes")}


def _diagnostic(filters: IndicatorFilters) -> Diagnostic:
    params = QueryDict(mutable=True)
    params["carte"] = filters.zonage
    if filters.type:
        params["type"] = filters.type
    if filters.rayon is not None:
        params["rayon"] = repr(filters.rayon)
    choice = read_choice(params)
    if choice.errors:  # answered 422 naming the parameter, as every parameter of the API
        error = choice.errors[0]
        raise ParamError("zonage" if error.param == "carte" else error.param, error.message)
    result = diagnostic(choice.zoning, course_type=choice.course_type, radius_km=choice.radius_km)
    if result is None:  # removed since read_choice saw it
        raise Http404
    return result


def _heading(result: Diagnostic) -> dict[str, Any]:
    return {
        "zonage": result.zoning,
        "nom": result.zoning_name,
        "type": result.course_type,
        "rayon_km": result.radius_km,
        "besoins": [
            {"indicateur": n.key, "libelle": n.label, "source": n.source, "millesime": n.year, "licence": n.licence}
            for n in result.needs
        ],
        "cours_demonstration_laisses_de_cote": result.demo_courses,
        "sessions_examen_demonstration_laissees_de_cote": result.demo_exam_sessions,
    }


def _table(table: tuple[list[Column], list[list[Any]]], name: str) -> dict[str, Any]:
    columns, rows = table
    return {
        "colonnes": [{"cle": c.key, "libelle": str(c.label)} for c in columns],
        name: [dict(zip([c.key for c in columns], row, strict=True)) for row in rows],
    }


@api.get(
    "/territories/qpv.geojson",
    summary=str(_("Quartiers prioritaires 2024 (GeoJSON)")),
    tags=["territoires"],
    response={200: dict},
    openapi_extra={"responses": {200: {"content": {"application/geo+json": {}}}}},
    url_name="territory_qpv_geojson",
)
def qpv_geojson(request):
    """Les quartiers prioritaires de la politique de la ville (2024) chargés, contours simplifiés à environ 50 m
    (coordonnées au dix-millième de degré) : une couche de carte, pas une limite. Source : data/territories/
    PROVENANCE.md."""
    body = memo_by_version("qpv-geojson", _qpv_feature_collection)
    response = HttpResponse(body, content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _qpv_feature_collection() -> bytes:
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": name, "commune": commune},
            "geometry": json.loads(shapely.to_geojson(shapely.set_precision(shapely.from_wkb(bytes(wkb)), 1e-4))),
        }
        for code, name, commune, wkb in Qpv.objects.order_by("code").values_list(
            "code", "name", "commune_name", "geometry"
        )
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()
