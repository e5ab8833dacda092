"""The territorial diagnostic's figures (issue #24): `/api/v1/territories/indicators?zonage=…`, the same columns
and values as the ranking on /territoires/ and its CSV (diagnostic/tables.py)."""

from django.http import Http404, QueryDict
from django.utils.translation import gettext_lazy as _
from ninja import Query, Schema

from cartolangue.api.v1 import NOT_FOUND, api
from cartolangue.diagnostic.context import read_choice
from cartolangue.diagnostic.figures import diagnostic
from cartolangue.diagnostic.tables import ranking_rows
from cartolangue.search.reading import ParamError


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
    (le moins pourvu d'abord), communes sans cours du `type` choisi à moins de `rayon` km, et les cours de
    démonstration, laissés hors des chiffres. Chaque indicateur de besoin donne sa source, son millésime et sa
    licence ; sans fichier de population, pas de rapport à la population."""
    params = QueryDict(mutable=True)
    params["carte"] = filters.zonage
    if filters.type:
        params["type"] = filters.type
    if filters.rayon is not None:
        params["rayon"] = f"{filters.rayon:g}"
    choice = read_choice(params)
    if choice.errors:  # answered 422 naming the parameter, as every parameter of the API
        error = choice.errors[0]
        raise ParamError("zonage" if error.param == "carte" else error.param, error.message)
    result = diagnostic(choice.zoning, course_type=choice.course_type, radius_km=choice.radius_km)
    if result is None:  # removed since read_choice saw it
        raise Http404
    columns, rows = ranking_rows(result)
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
        "colonnes": [{"cle": c.key, "libelle": str(c.label)} for c in columns],
        "zones": [dict(zip([c.key for c in columns], row, strict=True)) for row in rows],
    }
