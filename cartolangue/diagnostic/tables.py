"""The diagnostic's tables, declared once: the page, the CSV and XLSX downloads and the API give the same
columns and the same values (a test checks it)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from cartolangue.diagnostic.figures import LEVEL_BANDS, Area, Diagnostic
from cartolangue.offers import enums


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    value: Callable[[Area], Any]


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
        Column(
            "communes_sans_offre",
            _("Communes sans cours à moins de %(km)s km") % {"km": f"{result.radius_km:g}"},
            lambda a: a.without_offer,
        ),
        Column("cours_demonstration_non_comptes", _("Cours de démonstration (non comptés)"), lambda a: a.demo_courses),
    ]


def ranking_rows(result: Diagnostic) -> tuple[list[Column], list[list[Any]]]:
    columns = ranking_columns(result)
    return columns, [[column.value(area) for column in columns] for area in result.areas]
