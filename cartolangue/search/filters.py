"""Every search filter, declared once (docs/adr/0006-search-semantics.md).

A declaration gives a filter its query-string parameters (name, French description, JSON schema of a value),
how its values are read, the index columns it needs, its mask over those columns, its facet counts and its
place in the search form. The page, the API (list, map, OpenAPI), the flyers and the statistics all go through
these declarations and the one engine (search/index.py): adding a filter is one entry in `COURSE_FILTERS`
(or `EXAM_FILTERS`) plus its tests.

Just over 400 lines on purpose: it is the declarative table of every filter, read top to bottom like the search
form; the generic kinds of filter are filter_kinds.py, the engine index.py.

Facets are "disjunctive": each facet counts with every other filter applied, so a count says how many results
picking that value would give.
"""

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartolangue.geo.models import Zone, ZoneMembership
from cartolangue.geo.qpv import MAX_METRES as MAX_QPV_METRES
from cartolangue.geo.qpv import metres_to_nearest_qpv
from cartolangue.offers import enums
from cartolangue.offers.models import Certification, Course, CourseAudience, CourseFunder, CourseSchooling
from cartolangue.search.filter_kinds import (
    BooleanFilter,
    Choice,
    ChoiceFilter,
    FacetValue,
    Filter,
    LevelFitFilter,
    MembershipFilter,
    TextFilter,
    enum_choices,
    translated,
)
from cartolangue.search.reading import DATE_SCHEMA, Param, ParamReader, enum_schema
from cartolangue.search.version import memo_by_version

if TYPE_CHECKING:
    from cartolangue.search.index import CourseIndex, FacetCounter

__all__ = ["COURSE_FILTERS", "SLOTS", "WEEKDAYS", "ChoiceFilter", "FacetValue", "Filter", "enum_choices"]

WEEKDAYS = {
    "lundi": enums.Weekday.MONDAY,
    "mardi": enums.Weekday.TUESDAY,
    "mercredi": enums.Weekday.WEDNESDAY,
    "jeudi": enums.Weekday.THURSDAY,
    "vendredi": enums.Weekday.FRIDAY,
    "samedi": enums.Weekday.SATURDAY,
    "dimanche": enums.Weekday.SUNDAY,
}
SLOTS = {
    "matin": _("Matin (avant 12 h)"),
    "apres-midi": _("Après-midi (12 h – 18 h)"),
    "soir": _("Soir (après 18 h)"),
    "week-end": _("Week-end"),
}
SLOT_NAMES = list(SLOTS)  # every weekly slot is in exactly one: see `slot_categories`
NOON_MINUTES = 12 * 60
EVENING_MINUTES = 18 * 60


def slot_categories(weekdays: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """The position in `SLOT_NAMES` of weekly slots (weekday 0 = Monday, start in minutes after midnight):
    the week-end, else the morning before noon, the afternoon before 6 p.m., the evening."""
    by_time = np.where(minutes < NOON_MINUTES, 0, np.where(minutes < EVENING_MINUTES, 1, 2))
    return np.where(weekdays >= 5, SLOT_NAMES.index("week-end"), by_time).astype(np.int64)


DEPARTEMENT = Param(
    "departement", _("Code du département (p. ex. 95)."), {"type": "string", "pattern": "^[0-9][0-9AB][0-9]?$"}
)
CERTIFICATION = Param(
    "certification",
    _("Code de la certification préparée (delf-a2, tcf-irn…)."),
    {"type": "string", "pattern": "^[a-z0-9-]+$", "minLength": 1, "maxLength": 50},
)


def certification_choices() -> list[tuple[str, str]]:
    """(code, name) of every certification, by code (from the database: the referential grows)."""
    return memo_by_version(
        "certification-choices", lambda: list(Certification.objects.order_by("code").values_list("code", "name"))
    )


def certification_codes(reader: ParamReader, name: str = CERTIFICATION.name) -> list[str]:
    return reader.choices(name, {code: code for code, _name in certification_choices()})


class DepartementFilter(Filter):
    name = "departement"
    params = (DEPARTEMENT,)
    group = "more"
    legend = _("Département")
    hides_empty = True

    def defaults(self) -> dict[str, Any]:
        return {"departements": []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"departements": reader.departements()}

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        codes = [index.departement_codes.index(d) for d in query.departements if d in index.departement_codes]
        return np.isin(index.departement, codes)

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        codes = index.departement_codes
        found = counter.count(self.name, "departement", lambda: [index.departement == i for i in range(len(codes))])
        return {
            self.name: [
                FacetValue(code, code, n, code in query.departements)
                for code, n in zip(codes, found, strict=True)
                if n
            ]
        }


class ZoneFilter(Filter):
    name = "zone"
    params = (
        Param(
            "zone",
            _("Zone d'un zonage, sous la forme zonage:code (p. ex. insee-ze2020:1101)."),
            {"type": "string", "pattern": "^[a-z0-9-]+:[A-Za-z0-9-]+$"},
        ),
    )

    def defaults(self) -> dict[str, Any]:
        return {"zones": []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        zones = []
        for value in reader.values("zone"):
            slug, _sep, code = value.partition(":")
            zone = (
                memo_by_version(("zone", slug, code), lambda slug=slug, code=code: _zone(slug, code)) if code else None
            )
            if zone is None:
                reader.fail(
                    "zone",
                    gettext("zone « %(value)s » inconnue (forme attendue : zonage:code)") % {"value": value[:60]},
                )
            else:
                zones.append(zone)
        return {"zones": zones}

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        zones = tuple(sorted(zone.pk for zone in query.zones))
        communes = memo_by_version(("zone-communes", zones), lambda: _zone_communes(zones))
        return index.in_communes(communes)


def _zone(slug: str, code: str) -> Zone | None:
    return Zone.objects.filter(zoning__slug=slug, code=code).select_related("zoning").first()


def _zone_communes(zone_ids: tuple[int, ...]) -> np.ndarray:
    communes = ZoneMembership.objects.filter(zone__in=zone_ids).values_list("commune_id", flat=True)
    return np.fromiter(communes, dtype=np.int64)


def target_level_choices() -> list[Choice]:
    return [Choice(level.label, int(level), level.label) for level in enums.CecrlLevel]


class SlotFilter(Filter):
    """Day and time slot apply to the same weekly slot: "Monday morning", not "Monday, and some morning".
    One filter, two parameters and two facets; each facet keeps the other's condition."""

    name = "horaire"
    params = (
        Param("jour", _("Jour de cours : lundi … dimanche."), enum_schema(WEEKDAYS)),
        Param(
            "creneau",
            _("Créneau : matin, apres-midi, soir, week-end (combiné au jour sur un même créneau)."),
            enum_schema([*SLOTS, "après-midi"]),
        ),
    )
    group = "main"
    legends = {"jour": _("Jours"), "creneau": _("Moment de la journée")}
    facet_form_labels = {"jour": {name: enums.Weekday(day).label for name, day in WEEKDAYS.items()}}

    def defaults(self) -> dict[str, Any]:
        return {"weekdays": [], "slots": []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {
            "weekdays": reader.choices("jour", WEEKDAYS),
            "slots": reader.choices("creneau", {**{k: k for k in SLOTS}, "après-midi": "apres-midi"}),
        }

    def _bits(self, weekdays: Sequence[int], slots: Sequence[str]) -> int:
        days = [int(d) for d in weekdays] or range(7)
        categories = [SLOT_NAMES.index(s) for s in slots] or range(len(SLOT_NAMES))
        return sum(1 << (len(SLOT_NAMES) * d + c) for d in days for c in categories)

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        return (index.slot_bits & self._bits(query.weekdays, query.slots)) != 0

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        width = len(SLOT_NAMES)
        days = [int(d) for d in query.weekdays] or range(7)
        categories = [SLOT_NAMES.index(c) for c in query.slots] or range(width)
        by_day = counter.count(
            self.name, f"jour:{sorted(categories)}", lambda: [index.slot_mask([d], categories) for d in range(7)]
        )
        by_slot = counter.count(
            self.name, f"creneau:{sorted(days)}", lambda: [index.slot_mask(days, [c]) for c in range(width)]
        )
        return {
            "jour": [
                FacetValue(name, name, by_day[int(day)], day in query.weekdays) for name, day in WEEKDAYS.items()
            ],
            "creneau": [
                FacetValue(slot, str(label), by_slot[SLOT_NAMES.index(slot)], slot in query.slots)
                for slot, label in SLOTS.items()
            ],
        }


class StartsBeforeFilter(Filter):
    """A session has started by that day (or starts by then) and is not over today."""

    name = "debut_avant"
    params = (
        Param(
            "debut_avant",
            _("Date AAAA-MM-JJ : une session commence au plus tard ce jour et n'est pas finie."),
            DATE_SCHEMA,
        ),
    )

    def defaults(self) -> dict[str, Any]:
        return {"starts_before": None}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"starts_before": max(reader.dates("debut_avant"), default=None)}

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        return index.running_before(query.starts_before, today)


class QpvFilter(Filter):
    """In a quartier prioritaire (QPV 2024) or within N metres of one (issue #24). The distances are computed the
    first time the filter is used in an index (geo/qpv.py), not at every build: most searches never ask."""

    name = "qpv"
    params = (
        Param(
            "qpv",
            _(
                "Mètres : cours dans un quartier prioritaire 2024 (0) ou à moins de cette distance de l'un d'eux "
                "(jusqu'à 2000). Contours simplifiés à environ 50 m."
            ),
            {"type": "integer", "minimum": 0, "maximum": MAX_QPV_METRES},
        ),
    )

    def defaults(self) -> dict[str, Any]:
        return {"qpv_metres": None}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"qpv_metres": reader.number("qpv", minimum=0, maximum=MAX_QPV_METRES, integer=True)}

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        if "qpv" not in index.columns:
            index.columns["qpv"] = metres_to_nearest_qpv(index.latitude, index.longitude)
        return index.columns["qpv"] <= query.qpv_metres


# The course filters, in the order of the search form (within each group) and of the facets.
COURSE_FILTERS: list[Filter] = [
    TextFilter(),
    ChoiceFilter(
        "type",
        "types",
        "course_type",
        enum_choices(enums.CourseType),
        _("Type de cours : alpha, post-alpha, fle, asl, oepre, fos, cir, preparation-certification, autre."),
        group="main",
        legend=_("Type de cours"),
    ),
    LevelFitFilter(
        "niveau_entree_oral",
        "oral_levels",
        "entry_level_oral",
        _(
            "Niveau actuel de la personne à l'oral (aucun, A1.1 … C2) : cours dont le niveau d'entrée est atteint "
            "et le niveau visé plus haut."
        ),
        _("Niveau de la personne à l'oral"),
    ),
    LevelFitFilter(
        "niveau_entree_ecrit",
        "written_levels",
        "entry_level_written",
        _("Niveau actuel de la personne à l'écrit (aucun, A1.1 … C2), même logique."),
        _("Niveau de la personne à l'écrit"),
    ),
    MembershipFilter(
        "scolarisation",
        "schooling",
        lambda: CourseSchooling.objects.all(),
        "schooling",
        lambda: translated(enums.Schooling),
        _("Scolarisation de la personne : jamais-ou-peu, langue-etrangere, langue-francaise."),
        enum_schema(enums.Schooling.values),
        open_when_none=True,
        group="main",
        legend=_("Scolarisation de la personne"),
    ),
    MembershipFilter(
        "public",
        "audiences",
        lambda: CourseAudience.objects.filter(mode=enums.AudienceMode.EXCLUSIVE),
        "audience",
        lambda: translated(enums.Audience),
        _("Public de la personne : cours ouverts à ce public (sans public exclusif, ou exclusif à celui-ci)."),
        enum_schema(enums.Audience.values),
        open_when_none=True,
        group="main",
        legend=_("La personne est…"),
        aliases={old: str(new) for old, new in enums.RETIRED_AUDIENCES.items()},
    ),
    SlotFilter(),
    BooleanFilter(
        "garde_enfants",
        "childcare",
        "childcare",
        _("oui : avec garde d'enfants."),
        unknown_is_no=True,
        label=_("Avec garde d'enfants"),
    ),
    BooleanFilter(
        "gratuit", "free", "is_free", _("oui : gratuit pour la personne."), unknown_is_no=False, label=_("Gratuit")
    ),
    BooleanFilter(
        "places",
        "places",
        "places_available",
        _("oui : places disponibles."),
        unknown_is_no=True,
        label=_("Places disponibles"),
    ),
    ChoiceFilter(
        "parcours",
        "parcours",
        "parcours",
        enum_choices(enums.Parcours),
        _("Parcours : integration, insertion-socio-professionnelle, professionnel."),
        group="more",
        legend=_("Parcours"),
    ),
    ChoiceFilter(
        "modalite",
        "modalities",
        "modality",
        enum_choices(enums.Modality),
        _("Modalité : presentiel, distanciel (à distance), hybride (mixte)."),
        group="more",
        legend=_("Modalité"),
    ),
    ChoiceFilter(
        "niveau_vise",
        "target_levels",
        "cecrl_level_target",
        target_level_choices,
        _("Niveau CECRL visé par le cours (A1.1 … C2)."),
        group="more",
        legend=_("Niveau visé"),
    ),
    MembershipFilter(
        "financeur",
        "funders",
        lambda: CourseFunder.objects.all(),
        "funder",
        lambda: translated(enums.Funder),
        _("Financeur (ofii, region, commune, france-travail, cpf…)."),
        enum_schema(enums.Funder.values),
        open_when_none=False,
        group="more",
        legend=_("Financeur"),
    ),
    MembershipFilter(
        "certification",
        "certifications",
        lambda: Course.certifications.through.objects.all(),
        "certification__code",
        certification_choices,
        CERTIFICATION.description,
        CERTIFICATION.schema,
        open_when_none=False,
        group="more",
        legend=_("Certification préparée"),
        hides_empty=True,
    ),
    DepartementFilter(),
    ZoneFilter(),
    StartsBeforeFilter(),
    QpvFilter(),
]
