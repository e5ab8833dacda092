"""Every search filter, declared once (docs/adr/0006-search-semantics.md).

A declaration gives a filter its query-string parameters (name, French description, JSON schema of a value),
how its values are read, the index columns it needs, its mask over those columns, its facet counts and its
place in the search form. The page, the API (list, map, OpenAPI), the flyers and the statistics all go through
these declarations and the one engine (search/index.py): adding a filter is one entry in `COURSE_FILTERS`
(or `EXAM_FILTERS`) plus its tests.

Facets are "disjunctive": each facet counts with every other filter applied, so a count says how many results
picking that value would give.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from cartolangue.geo.models import Zone, ZoneMembership
from cartolangue.offers import enums
from cartolangue.offers.models import Certification, Course, CourseAudience, CourseFunder, CourseSchooling
from cartolangue.search.reading import (
    DATE_SCHEMA,
    LEVEL_VALUES,
    MAX_VALUE_LENGTH,
    NO_LEVEL,
    YES_NO_SCHEMA,
    Param,
    ParamReader,
    enum_schema,
    level_value,
    levels_with_none,
)
from cartolangue.search.version import memo_by_version

if TYPE_CHECKING:
    from cartolangue.search.index import CourseIndex, FacetCounter

NULL = -1

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


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


def translated(choices: Any) -> list[tuple[str, str]]:
    """[(value, label)] of an enum in the active language."""
    return _translated(choices, get_language())


_TRANSLATIONS: dict[tuple[Any, Any], list[tuple[str, str]]] = {}


def _translated(choices: Any, language: Any) -> list[tuple[str, str]]:
    key = (choices, language)
    if key not in _TRANSLATIONS:
        _TRANSLATIONS[key] = [(str(value), str(label)) for value, label in choices.choices]
    return _TRANSLATIONS[key]


class Filter:
    """One filter: the parameters it reads, the query attributes it sets, its mask and its facets.

    `group` places it in the search form ("main", "practical", "more"; None: not in the form) under `legend`,
    with `form_labels` where the form says more than the facet's label. `hides_empty` facets list only the
    values that have courses."""

    name: str
    params: tuple[Param, ...] = ()
    group: str | None = None
    legend: Promise | str = ""
    form_labels: dict[str, Any] = {}
    hides_empty: bool = False
    course_columns: tuple[str, ...] = ()  # Course fields (ORM paths) the index reads for this filter

    def defaults(self) -> dict[str, Any]:
        """Query attribute → its value when the filter is not used."""
        raise NotImplementedError

    def read(self, reader: ParamReader) -> dict[str, Any]:
        raise NotImplementedError

    def active(self, values: dict[str, Any]) -> bool:
        return any(values.get(name) not in (None, [], ()) for name in self.defaults())

    def load(self, index: "CourseIndex", columns: dict[str, Sequence[Any]]) -> None:
        """Build the index columns this filter needs (`columns`: the `course_columns` read, by path)."""

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        raise NotImplementedError

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        return {}


class TextFilter(Filter):
    """Every word somewhere in the course's search text (accent- and case-insensitive, substrings)."""

    name = "q"
    params = (
        Param(
            "q",
            _("Texte libre, sans tenir compte des accents ni des majuscules (intitulé, structure, lieu)."),
            # No "type": any query-string value is text, and a declared string type makes fuzzers send the
            # boolean true as a "schema-violating" q=true, which is a perfectly good search word.
            {"minLength": 1, "maxLength": MAX_VALUE_LENGTH},
        ),
    )

    def defaults(self) -> dict[str, Any]:
        return {"q": []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"q": reader.words("q")}

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        mask = np.ones(index.size, dtype=bool)
        for word in query.q:
            mask &= index.text_mask(word)
        return mask


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


@dataclass(frozen=True)
class Choice:
    """One value of a choice filter: as written in the query string, as stored, and its label."""

    param: str
    stored: Any
    label: Any


class ChoiceFilter(Filter):
    """A course field holding one value of a referential: the course has one of the chosen values."""

    def __init__(
        self,
        name: str,
        attribute: str,
        column: str,
        choices: Callable[[], list[Choice]],
        description: Promise,
        *,
        group: str | None = None,
        legend: Promise | str = "",
    ) -> None:
        self.name, self.attribute, self.column, self.choices = name, attribute, column, choices
        self.course_columns = (column,)
        self.params = (Param(name, description, enum_schema(c.param for c in choices())),)
        self.group, self.legend = group, legend

    def defaults(self) -> dict[str, Any]:
        return {self.attribute: []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {self.attribute: reader.choices(self.name, {c.param: c.stored for c in self.choices()})}

    def load(self, index: "CourseIndex", columns: dict[str, Sequence[Any]]) -> None:
        position = {c.stored: i for i, c in enumerate(self.choices())}
        values = columns[self.column]
        index.columns[self.name] = np.fromiter(
            (position.get(v, NULL) for v in values), dtype=np.int16, count=len(values)
        )

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        stored = [c.stored for c in self.choices()]
        wanted = [stored.index(v) for v in getattr(query, self.attribute) if v in stored]
        return np.isin(index.columns[self.name], wanted)

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        choices = self.choices()
        codes = index.columns[self.name]
        found = counter.count(self.name, self.name, lambda: [codes == i for i in range(len(choices))])
        chosen = getattr(query, self.attribute)
        return {
            self.name: [
                FacetValue(c.param, str(c.label), n, c.stored in chosen) for c, n in zip(choices, found, strict=True)
            ]
        }


def enum_choices(enum: Any) -> Callable[[], list[Choice]]:
    return lambda: [Choice(value, value, label) for value, label in translated(enum)]


def target_level_choices() -> list[Choice]:
    return [Choice(level.label, int(level), level.label) for level in enums.CecrlLevel]


class BooleanFilter(Filter):
    """A yes/no course field. "oui" keeps the courses where it is true; "non" those where it is false, and
    also those where it is unknown when `unknown_is_no` (no childcare stated: no childcare to count on)."""

    def __init__(
        self, name: str, attribute: str, column: str, description: Promise, *, unknown_is_no: bool, label: Promise
    ) -> None:
        self.name, self.attribute, self.column, self.unknown_is_no = name, attribute, column, unknown_is_no
        self.course_columns = (column,)
        self.params = (Param(name, description, YES_NO_SCHEMA),)
        self.group, self.form_labels = "practical", {"oui": label}

    def defaults(self) -> dict[str, Any]:
        return {self.attribute: None}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {self.attribute: reader.boolean(self.name)}

    def load(self, index: "CourseIndex", columns: dict[str, Sequence[Any]]) -> None:
        values = columns[self.column]
        index.columns[self.name] = np.fromiter(
            (NULL if v is None else int(v) for v in values), dtype=np.int8, count=len(values)
        )

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        column = index.columns[self.name]
        if getattr(query, self.attribute):
            return column == 1
        return column != 1 if self.unknown_is_no else column == 0

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        (n,) = counter.count(self.name, self.name, lambda: [index.columns[self.name] == 1])
        return {self.name: [FacetValue("oui", "oui", n, bool(getattr(query, self.attribute)))]}


class LevelFitFilter(Filter):
    """The learner is at one of the chosen levels ("aucun": not even A1.1): the course asks no more at entry
    (in this skill), and aims higher than where the learner is."""

    def __init__(self, name: str, attribute: str, column: str, description: Promise, legend: Promise) -> None:
        self.name, self.attribute, self.column = name, attribute, column
        self.course_columns = (column,)
        self.params = (Param(name, description, enum_schema(LEVEL_VALUES)),)
        self.group, self.legend = "main", legend
        self.form_labels = {NO_LEVEL: _("Pas encore A1")}

    def defaults(self) -> dict[str, Any]:
        return {self.attribute: []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {self.attribute: reader.choices(self.name, levels_with_none())}

    def load(self, index: "CourseIndex", columns: dict[str, Sequence[Any]]) -> None:
        values = columns[self.column]
        index.columns[self.name] = np.fromiter(
            (NULL if v is None else v for v in values), dtype=np.int16, count=len(values)
        )

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        out = np.zeros(index.size, dtype=bool)
        for level in getattr(query, self.attribute):
            out |= index.fits(level, self.name)
        return out

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        levels = list(levels_with_none().values())
        found = counter.count(self.name, self.name, lambda: [index.fits(level, self.name) for level in levels])
        chosen = [level_value(v) for v in getattr(query, self.attribute)]
        return {
            self.name: [
                FacetValue(level_value(lvl), level_value(lvl), n, level_value(lvl) in chosen)
                for lvl, n in zip(levels, found, strict=True)
            ]
        }


class MembershipFilter(Filter):
    """A course's set of values in a child table (funders, audiences…): the course has one of the chosen
    values, or, when `open_when_none`, it states none (a course with no exclusive audience is open to all)."""

    def __init__(
        self,
        name: str,
        attribute: str,
        rows: Callable[[], QuerySet],
        field: str,
        choices: Callable[[], list[tuple[str, str]]],
        description: Promise,
        schema: dict[str, Any],
        *,
        open_when_none: bool,
        group: str,
        legend: Promise,
        hides_empty: bool = False,
    ) -> None:
        self.name, self.attribute, self.rows, self.field, self.choices = name, attribute, rows, field, choices
        self.open_when_none, self.hides_empty = open_when_none, hides_empty
        self.params = (Param(name, description, schema),)
        self.group, self.legend = group, legend

    def defaults(self) -> dict[str, Any]:
        return {self.attribute: []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {self.attribute: reader.choices(self.name, {v: v for v, _label in self.choices()})}

    def load(self, index: "CourseIndex", columns: dict[str, Sequence[Any]]) -> None:
        members = index.members_of(self.rows(), self.field, [v for v, _label in self.choices()])
        index.members[self.name] = members
        index.columns[self.name] = (
            np.logical_or.reduce(list(members.values())) if members and index.size else np.zeros(index.size, bool)
        )

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        members = index.members[self.name]
        out = ~index.columns[self.name] if self.open_when_none else np.zeros(index.size, dtype=bool)
        for value in getattr(query, self.attribute):
            if value in members:
                out = out | members[value]
        return out

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        choices = self.choices()
        members = index.members[self.name]
        stated = index.columns[self.name]
        found = counter.count(self.name, self.name, lambda: [~stated] + [members[v] for v, _label in choices])
        open_count = found[0] if self.open_when_none else 0
        chosen = getattr(query, self.attribute)
        values = [
            FacetValue(v, label, open_count + n, v in chosen) for (v, label), n in zip(choices, found[1:], strict=True)
        ]
        return {self.name: [f for f in values if f.count] if self.hides_empty else values}


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
]


def course_filter(name: str) -> Filter:
    return next(f for f in COURSE_FILTERS if f.name == name)


def course_filter_defaults() -> dict[str, Any]:
    """Every course query attribute a filter sets → its value when unused."""
    out: dict[str, Any] = {}
    for declared in COURSE_FILTERS:
        out.update(declared.defaults())
    return out
