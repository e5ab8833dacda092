"""The diagnostic's tables, declared once: the page, the CSV and XLSX downloads and the API give the same
columns and the same values (a test checks it). Two tables: the ranking of the zones and the access of each
commune."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from cartolangue.diagnostic.figures import LEVEL_BANDS, Area, CommuneAccess, Diagnostic
from cartolangue.offers import enums


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    value: Callable[..., Any]  # a row → its cell (some lambdas bind a loop variable as a default)


def _within(result: Diagnostic, label: Any) -> Any:
    return label % {"km": f"{result.radius_km:g}"}


def ranking_columns(result: Diagnostic) -> list[Column]:
    type_columns = [
        Column(f"cours_{t.value}", t.label, lambda a, t=t: a.by_type.get(t.value, 0)) for t in enums.CourseType
    ]
    band_columns = [
        Column(f"niveau_{key}", label, lambda a, key=key: a.by_band.get(key, 0)) for key, label, _levels in LEVEL_BANDS
    ]
    return [
        Column("rang", _("Rang (le moins pourvu d'abord)"), lambda a: a.rank),
        Column("code", _("Code"), lambda a: a.code),
        Column("zone", _("Zone"), lambda a: a.name),
        Column("population", _("Population"), lambda a: a.population),
        Column("cours", _("Cours"), lambda a: a.courses),
        Column("cours_pour_1000_habitants", _("Cours pour 1 000 habitants"), lambda a: a.per_thousand),
        *type_columns,
        *band_columns,
        Column("places", _("Places des sessions en cours ou à venir"), lambda a: a.seats),
        Column("cours_sans_nombre_de_places", _("Cours sans nombre de places"), lambda a: a.courses_without_seats),
        Column("heures_par_semaine", _("Heures de cours par semaine"), lambda a: a.weekly_hours),
        Column("cours_sans_duree_hebdomadaire", _("Cours sans durée hebdomadaire"), lambda a: a.courses_without_hours),
        Column("cours_avec_garde_enfants", _("Cours avec garde d'enfants"), lambda a: a.with_childcare),
        Column("cours_le_soir", _("Cours le soir (après 18 h)"), lambda a: a.with_evening),
        Column("sessions_examen_a_venir", _("Sessions d'examen à venir"), lambda a: a.exam_sessions),
        Column(
            "communes_sans_offre",
            _within(result, _("Communes sans cours à moins de %(km)s km")),
            lambda a: a.without_offer,
        ),
        Column(
            "communes_sans_garde_enfants",
            _within(result, _("Communes sans cours avec garde d'enfants à moins de %(km)s km")),
            lambda a: a.without_childcare,
        ),
        Column(
            "communes_sans_cours_du_soir",
            _within(result, _("Communes sans cours du soir à moins de %(km)s km")),
            lambda a: a.without_evening,
        ),
        Column("cours_demonstration_non_comptes", _("Cours de démonstration (non comptés)"), lambda a: a.demo_courses),
        Column(
            "sessions_examen_demonstration_non_comptees",
            _("Sessions d'examen de démonstration (non comptées)"),
            lambda a: a.demo_exam_sessions,
        ),
    ]


def _km(value: float | None) -> float | None:
    """To 100 m, half up, as the page's `floatformat:1` shows it."""
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def access_columns(result: Diagnostic) -> list[Column]:
    zone_names = {area.code: area.name for area in result.areas}
    return [
        Column("code", _("Code commune"), lambda c: c.code),
        Column("commune", _("Commune"), lambda c: c.name),
        Column("code_zone", _("Code de la zone"), lambda c: c.area),
        Column("zone", _("Zone"), lambda c: zone_names[c.area]),
        Column("population", _("Population"), lambda c: c.population),
        Column("km_cours_le_plus_proche", _("Cours le plus proche (km)"), lambda c: _km(c.nearest_km)),
        Column(
            "km_cours_avec_garde_enfants", _("Cours avec garde d'enfants (km)"), lambda c: _km(c.nearest_childcare_km)
        ),
        Column("km_cours_du_soir", _("Cours du soir (km)"), lambda c: _km(c.nearest_evening_km)),
    ]


def ranking_rows(result: Diagnostic) -> tuple[list[Column], list[list[Any]]]:
    """The zones, the least supplied first."""
    columns = ranking_columns(result)
    areas: list[Area] = result.areas
    return columns, [[column.value(area) for column in columns] for area in areas]


def access_rows(result: Diagnostic) -> tuple[list[Column], list[list[Any]]]:
    """Every commune of the zoning, the most populated first: distances from its centre to the nearest real
    course of the chosen type, with childcare, in the evening (empty: there is none)."""
    columns = access_columns(result)
    communes: list[CommuneAccess] = result.access
    return columns, [[column.value(commune) for column in columns] for commune in communes]


TABLES: dict[str, Callable[[Diagnostic], tuple[list[Column], list[list[Any]]]]] = {
    "classement": ranking_rows,
    "acces": access_rows,
}
