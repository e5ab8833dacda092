"""What the diagnostic's pages show, from their query string: `carte=` (a zoning), `type=` (a course type whose
access is measured), `rayon=` (km). Shared by /territoires/ (www) and the zone pages (diagnostic/views.py)."""

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from cartolangue.diagnostic.choropleth import map_layer
from cartolangue.diagnostic.figures import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, diagnostic, zonings
from cartolangue.diagnostic.tables import ranking_rows
from cartolangue.offers import enums
from cartolangue.search.reading import ParamError

PARAMS = ("carte", "type", "rayon")
PREFERRED_ZONING = "bassins-bmo"


@dataclass
class Choice:
    zoning: str
    course_type: str | None
    radius_km: float
    errors: list[ParamError] = field(default_factory=list)
    zonings: list[tuple[str, str]] = field(default_factory=list)  # every zoning offered, (slug, name)


def read_choice(params: QueryDict) -> Choice:
    """The choices of the query string; an unknown value is named in `errors` and the default is used."""
    offered = zonings()
    known = [slug for slug, _name in offered]
    default = PREFERRED_ZONING if PREFERRED_ZONING in known else known[0]
    choice = Choice(default, None, DEFAULT_RADIUS_KM, zonings=offered)
    zoning = params.get("carte")
    if zoning in known:
        choice.zoning = zoning
    elif zoning:
        choice.errors.append(ParamError("carte", _("zonage « %(value)s » inconnu") % {"value": zoning[:50]}))
    course_type = params.get("type")
    if course_type in enums.CourseType.values:
        choice.course_type = course_type
    elif course_type:
        choice.errors.append(ParamError("type", _("type « %(value)s » inconnu") % {"value": course_type[:50]}))
    radius = params.get("rayon")
    if radius:
        try:
            value = float(radius.replace(",", "."))
            if not 1 <= value <= MAX_RADIUS_KM:
                raise ValueError(radius)
            choice.radius_km = value
        except ValueError:
            choice.errors.append(
                ParamError("rayon", _("de 1 à %(max)d km") % {"max": MAX_RADIUS_KM}),
            )
    return choice


SHOWN_ROWS = 50


def choice_query(choice: Choice) -> str:
    """The type and radius as a query string, for the links that keep them (not the zoning)."""
    params = QueryDict(mutable=True)
    if choice.course_type:
        params["type"] = choice.course_type
    params["rayon"] = f"{choice.radius_km:g}"
    return params.urlencode()


def diagnostic_context(choice: Choice) -> dict[str, Any]:
    result = diagnostic(choice.zoning, course_type=choice.course_type, radius_km=choice.radius_km)
    if result is None:  # the zoning was removed since read_choice listed it
        raise Http404
    columns, rows = ranking_rows(result)
    return {
        "shown_rows": rows[:SHOWN_ROWS],
        "choice_query": choice_query(choice),
        "diagnostic": result,
        "columns": columns,
        "rows": rows,
        "map": map_layer(result, _("cours / 1 000 hab.")),
        "zoning_choices": choice.zonings,
        "type_choices": enums.CourseType.choices,
        "choice": choice,
        "population_source": next((n for n in result.needs if n.key == "population"), None),
    }
