"""Search parameters: a query string (the same for the page, the API and the flyers) → a validated query.

Every parameter may repeat: values of one parameter are OR-ed, parameters are AND-ed. An invalid value is
a `ParamError` naming the parameter; the API answers 422 with it, the page shows a notice and drops it.
"""

import datetime
import functools
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartolangue.geo.models import Commune, Zone
from cartolangue.offers import enums
from cartolangue.offers.indexing import normalise
from cartolangue.offers.models import Certification
from cartolangue.search.version import memo_by_version

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
DEFAULT_RADIUS_KM = 10
MAX_RADIUS_KM = 200
MAX_VALUES = 50  # per parameter: a longer list is a mistake or an attack
MAX_VALUE_LENGTH = 200
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEPARTEMENT_RE = re.compile(r"^[0-9][0-9AB][0-9]?$")

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
    "matin": gettext_lazy("Matin (avant 12 h)"),
    "apres-midi": gettext_lazy("Après-midi (12 h – 18 h)"),
    "soir": gettext_lazy("Soir (après 18 h)"),
    "week-end": gettext_lazy("Week-end"),
}
# The learner's level, for the entry-level filters: "aucun" = has not reached A1.1.
NO_LEVEL = "aucun"
LEVELS = {NO_LEVEL: None, **{level.label: level for level in enums.CecrlLevel}}
SORTS = {
    "distance": gettext_lazy("Distance"),
    "prochaine-session": gettext_lazy("Prochaine session"),
    "mise-a-jour": gettext_lazy("Mise à jour récente"),
}
# Exam sessions have their own sort parameter, `tri_examens`: the search page carries the course query and the
# exam query in one query string, where one `tri` could not mean both.
EXAM_SORTS = {
    "date": gettext_lazy("Date de l'épreuve"),
    "distance": gettext_lazy("Distance"),
}
YES = {"oui", "1", "true", "on"}
NO = {"non", "0", "false", "off"}

# Parameter name → description (French), used by the API's OpenAPI and the page's help texts.
COURSE_PARAMS = {
    "q": gettext_lazy("Texte libre, sans tenir compte des accents ni des majuscules (intitulé, structure, lieu)."),
    "commune": gettext_lazy("Code INSEE de la commune autour de laquelle chercher (p. ex. 95585 pour Sarcelles)."),
    "rayon": gettext_lazy("Rayon en km autour de la commune ou du point (défaut 10, 0 = dans la commune seulement)."),
    "lat": gettext_lazy("Latitude du point de recherche (WGS84), avec lon."),
    "lon": gettext_lazy("Longitude du point de recherche (WGS84), avec lat."),
    "departement": gettext_lazy("Code du département (p. ex. 95)."),
    "zone": gettext_lazy("Zone d'un zonage, sous la forme zonage:code (p. ex. insee-ze2020:1101)."),
    "type": gettext_lazy(
        "Type de cours : alpha, post-alpha, fle, asl, oepre, fos, cir, preparation-certification, autre."
    ),
    "parcours": gettext_lazy("Parcours : integration, insertion-socio-professionnelle, professionnel."),
    "niveau_entree_oral": gettext_lazy(
        "Niveau actuel de la personne à l'oral (aucun, A1.1 … C2) : cours dont le niveau d'entrée est atteint "
        "et le niveau visé plus haut."
    ),
    "niveau_entree_ecrit": gettext_lazy("Niveau actuel de la personne à l'écrit (aucun, A1.1 … C2), même logique."),
    "niveau_vise": gettext_lazy("Niveau CECRL visé par le cours (A1.1 … C2)."),
    "scolarisation": gettext_lazy("Scolarisation de la personne : jamais-ou-peu, langue-etrangere, langue-francaise."),
    "public": gettext_lazy(
        "Public de la personne : cours ouverts à ce public (sans public exclusif, ou exclusif à celui-ci)."
    ),
    "jour": gettext_lazy("Jour de cours : lundi … dimanche."),
    "creneau": gettext_lazy("Créneau : matin, apres-midi, soir, week-end (combiné au jour sur un même créneau)."),
    "garde_enfants": gettext_lazy("oui : avec garde d'enfants."),
    "gratuit": gettext_lazy("oui : gratuit pour la personne."),
    "financeur": gettext_lazy("Financeur (ofii, region, commune, france-travail, cpf…)."),
    "places": gettext_lazy("oui : places disponibles."),
    "debut_avant": gettext_lazy("Date AAAA-MM-JJ : une session commence au plus tard ce jour et n'est pas finie."),
    "certification": gettext_lazy("Code de la certification préparée (delf-a2, tcf-irn…)."),
    "tri": gettext_lazy("Tri : distance, prochaine-session, mise-a-jour."),
    "page": gettext_lazy("Numéro de page, à partir de 1."),
    "taille": gettext_lazy("Nombre de résultats par page (1 à 100, défaut 20)."),
}
EXAM_PARAMS = {
    "certification": COURSE_PARAMS["certification"],
    "commune": COURSE_PARAMS["commune"],
    "rayon": COURSE_PARAMS["rayon"],
    "lat": COURSE_PARAMS["lat"],
    "lon": COURSE_PARAMS["lon"],
    "departement": COURSE_PARAMS["departement"],
    "apres": gettext_lazy("Date AAAA-MM-JJ : épreuves à partir de ce jour (défaut : aujourd'hui)."),
    "avant": gettext_lazy("Date AAAA-MM-JJ : épreuves jusqu'à ce jour."),
    "cpf": gettext_lazy("oui : certifications éligibles au CPF."),
    "tri_examens": gettext_lazy("Tri des sessions de tests : date (défaut) ou distance."),
    "page": COURSE_PARAMS["page"],
    "taille": COURSE_PARAMS["taille"],
}


class ParamError(ValueError):
    def __init__(self, param, message):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class Centre:
    latitude: float
    longitude: float
    commune: Commune | None = None

    @property
    def label(self):
        return self.commune.name if self.commune else f"{self.latitude:.4f}, {self.longitude:.4f}"


@dataclass(frozen=True)
class Location:
    """One or more centres (several communes are OR-ed) and a radius; distances are to the nearest centre."""

    centres: tuple
    radius_km: float

    @property
    def latitude(self):
        return self.centres[0].latitude

    @property
    def longitude(self):
        return self.centres[0].longitude

    @property
    def commune(self):
        return self.centres[0].commune

    @property
    def label(self):
        return ", ".join(c.label for c in self.centres)


@dataclass
class CourseQuery:
    q: list[str] = field(default_factory=list)  # normalised words
    location: Location | None = None
    departements: list[str] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    parcours: list[str] = field(default_factory=list)
    oral_levels: list[object] = field(default_factory=list)  # CecrlLevel, or None for "aucun"
    written_levels: list[object] = field(default_factory=list)
    target_levels: list[int] = field(default_factory=list)
    schooling: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    weekdays: list[int] = field(default_factory=list)
    slots: list[str] = field(default_factory=list)
    childcare: bool | None = None
    free: bool | None = None
    funders: list[str] = field(default_factory=list)
    places: bool | None = None
    starts_before: datetime.date | None = None
    certifications: list[str] = field(default_factory=list)
    sort: str = ""
    page: int = 1
    page_size: int = PAGE_SIZE
    errors: list[ParamError] = field(default_factory=list)

    @property
    def effective_sort(self):
        return self.sort or ("distance" if self.location else "mise-a-jour")


@dataclass
class ExamQuery:
    location: Location | None = None
    departements: list[str] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)
    after: datetime.date | None = None
    before: datetime.date | None = None
    cpf: bool | None = None
    sort: str = "date"
    page: int = 1
    page_size: int = PAGE_SIZE
    errors: list[ParamError] = field(default_factory=list)


class _Reader:
    """Reads a QueryDict parameter by parameter; collects errors (lenient) or raises the first (strict)."""

    def __init__(self, params, *, strict, known):
        self.params = params
        self.strict = strict
        self.errors = []
        for name in params:
            if name not in known:
                self.fail(name, _("paramètre inconnu"))

    def fail(self, param, message):
        error = ParamError(param, message)
        if self.strict:
            raise error
        self.errors.append(error)

    def values(self, name):
        raw = [v.strip() for v in self.params.getlist(name) if v is not None]
        if self.strict and "" in raw:
            # A form may send empty fields (the page ignores them); the API asks for a value.
            self.fail(name, _("valeur vide"))
            return []
        raw = [v for v in raw if v]
        if len(raw) > MAX_VALUES:
            self.fail(name, _("trop de valeurs (%(n)d au plus)") % {"n": MAX_VALUES})
            return []
        if any(not v.isprintable() for v in raw):
            self.fail(name, _("caractère de contrôle interdit"))
            return []
        if any(len(v) > MAX_VALUE_LENGTH for v in raw):
            self.fail(name, _("valeur trop longue (%(n)d caractères au plus)") % {"n": MAX_VALUE_LENGTH})
            return []
        return raw

    def choices(self, name, allowed):
        out = []
        # The page forgives case and accents ("Lundi", "apres-midi"); the API takes the documented values.
        lookup = None  # built only when a value is not a documented one
        for value in self.values(name):
            if value in allowed:
                out.append(allowed[value])
                continue
            if lookup is None:
                lookup = {} if self.strict else {normalise(str(k)): v for k, v in allowed.items()}
            if normalise(value) in lookup:
                out.append(lookup[normalise(value)])
            else:
                self.fail(
                    name,
                    _("valeur « %(value)s » inconnue (valeurs possibles : %(allowed)s)")
                    % {"value": value[:50], "allowed": ", ".join(str(k) for k in allowed)},
                )
        return list(dict.fromkeys(out))

    def boolean(self, name):
        values = set()
        yes, no = ({"oui"}, {"non"}) if self.strict else (YES, NO)
        for value in self.values(name):
            if value.lower() in yes:
                values.add(True)
            elif value.lower() in no:
                values.add(False)
            else:
                self.fail(name, _("« %(value)s » n'est pas oui ou non") % {"value": value[:50]})
        return values.pop() if len(values) == 1 else None

    def number(self, name, *, minimum, maximum, integer=False):
        values = self.values(name)
        if not values:
            return None
        if len(values) > 1:
            self.fail(name, _("une seule valeur attendue"))
            return None
        try:
            number = int(values[0]) if integer else float(values[0].replace(",", "."))
        except ValueError:
            self.fail(name, _("« %(value)s » n'est pas un nombre") % {"value": values[0][:50]})
            return None
        if number != number or not (minimum <= number <= maximum):  # NaN too
            self.fail(name, _("doit être compris entre %(min)s et %(max)s") % {"min": minimum, "max": maximum})
            return None
        return number

    def dates(self, name):
        out = []
        for value in self.values(name):
            try:
                if not DATE_RE.match(value):
                    raise ValueError(value)
                out.append(datetime.date.fromisoformat(value))
            except ValueError:
                self.fail(name, _("« %(value)s » n'est pas une date AAAA-MM-JJ") % {"value": value[:50]})
        return out

    def location(self):
        codes = self.values("commune")
        radius = self.number("rayon", minimum=0, maximum=MAX_RADIUS_KM)
        lat = self.number("lat", minimum=-90, maximum=90)
        lon = self.number("lon", minimum=-180, maximum=180)
        radius = DEFAULT_RADIUS_KM if radius is None else radius
        centres = []
        for code in dict.fromkeys(codes):
            commune = memo_by_version(("commune", code), lambda code=code: _commune(code))
            if commune is not None:
                centres.append(Centre(commune.latitude, commune.longitude, commune))
            else:
                self.fail("commune", _unknown_commune(code))
        if (lat is None) != (lon is None):
            self.fail("lat" if lat is None else "lon", _("lat et lon vont ensemble"))
        elif lat is not None:
            centres.append(Centre(lat, lon))
        return Location(tuple(centres), radius) if centres else None

    def page(self):
        page = self.number("page", minimum=1, maximum=MAX_PAGE, integer=True) or 1
        size = self.number("taille", minimum=1, maximum=MAX_PAGE_SIZE, integer=True) or PAGE_SIZE
        return page, size


def _unknown_commune(code):
    """The error for a `commune` that is no INSEE code. A post code (which several communes may share) is
    answered with the INSEE codes of the communes it serves, for the client to choose: never a guess."""
    served = Commune.objects.filter(post_codes__code=code).order_by("name").values_list("code_insee", "name")
    if not served:
        return _("commune « %(code)s » inconnue") % {"code": code[:10]}
    return _("« %(code)s » est un code postal, pas un code INSEE : choisissez parmi %(choices)s") % {
        "code": code,
        "choices": ", ".join(f"{insee} ({name})" for insee, name in served[:10]),
    }


def _commune(code):
    return Commune.objects.filter(code_insee=code).only("id", "code_insee", "name", "latitude", "longitude").first()


def _known_certifications():
    return sorted(Certification.objects.values_list("code", flat=True))


def _certification_codes(reader, name="certification"):
    known = memo_by_version("certification-codes", _known_certifications)
    return reader.choices(name, {c: c for c in known})


def _zone(slug, code):
    return Zone.objects.filter(zoning__slug=slug, code=code).select_related("zoning").first()


def _zones(reader):
    zones = []
    for value in reader.values("zone"):
        slug, _sep, code = value.partition(":")
        zone = memo_by_version(("zone", slug, code), functools.partial(_zone, slug, code)) if code else None
        if zone is None:
            reader.fail(
                "zone", _("zone « %(value)s » inconnue (forme attendue : zonage:code)") % {"value": value[:60]}
            )
        else:
            zones.append(zone)
    return zones


def _departements(reader):
    out = []
    for value in reader.values("departement"):
        if DEPARTEMENT_RE.match(value.upper() if not reader.strict else value):
            out.append(value.upper())
        else:
            reader.fail("departement", _("code de département « %(value)s » invalide") % {"value": value[:10]})
    return out


def parse_course_query(params, *, strict=False):
    """QueryDict → CourseQuery. strict: raise the first ParamError (API); otherwise collect them (page)."""
    r = _Reader(params, strict=strict, known=COURSE_PARAMS)
    words = [normalise(w) for v in r.values("q") for w in v.split()]
    page, size = r.page()
    query = CourseQuery(
        q=[w for w in words if w][:10],
        location=r.location(),
        departements=_departements(r),
        zones=_zones(r),
        types=r.choices("type", {v: v for v in enums.CourseType.values}),
        parcours=r.choices("parcours", {v: v for v in enums.Parcours.values}),
        oral_levels=r.choices("niveau_entree_oral", _levels_with_none()),
        written_levels=r.choices("niveau_entree_ecrit", _levels_with_none()),
        target_levels=r.choices("niveau_vise", {lvl.label: int(lvl) for lvl in enums.CecrlLevel}),
        schooling=r.choices("scolarisation", {v: v for v in enums.Schooling.values}),
        # Retired values still read: shared links and printed QR codes carry them.
        audiences=r.choices("public", {v: v for v in enums.Audience.values} | AUDIENCE_ALIASES),
        weekdays=r.choices("jour", WEEKDAYS),
        slots=r.choices("creneau", {**{k: k for k in SLOTS}, "après-midi": "apres-midi"}),
        childcare=r.boolean("garde_enfants"),
        free=r.boolean("gratuit"),
        funders=r.choices("financeur", {v: v for v in enums.Funder.values}),
        places=r.boolean("places"),
        starts_before=max(r.dates("debut_avant"), default=None),
        certifications=_certification_codes(r),
        sort=(r.choices("tri", {k: k for k in SORTS}) or [""])[0],
        page=page,
        page_size=size,
    )
    query.errors = r.errors
    return query


class _NoLevel:
    """Marker for "aucun" that survives de-duplication (None is a valid dict value, not a good marker)."""

    label = NO_LEVEL

    def __repr__(self):
        return "NO_LEVEL"


NO_LEVEL_MARK = _NoLevel()


def _levels_with_none():
    return {NO_LEVEL: NO_LEVEL_MARK, **{lvl.label: lvl for lvl in enums.CecrlLevel}}


STRUCTURE_PARAMS = {
    "q": gettext_lazy("Nom ou sigle de la structure, ou texte de ses cours."),
    "departement": COURSE_PARAMS["departement"],
    "page": COURSE_PARAMS["page"],
    "taille": COURSE_PARAMS["taille"],
}


@dataclass
class StructureQuery:
    q: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    page: int = 1
    page_size: int = PAGE_SIZE
    errors: list[ParamError] = field(default_factory=list)


def parse_structure_query(params, *, strict=False):
    r = _Reader(params, strict=strict, known=STRUCTURE_PARAMS)
    page, size = r.page()
    words = [normalise(w) for v in r.values("q") for w in v.split()]
    query = StructureQuery(q=[w for w in words if w][:10], departements=_departements(r), page=page, page_size=size)
    query.errors = r.errors
    return query


def parse_exam_query(params, *, strict=False):
    r = _Reader(params, strict=strict, known=EXAM_PARAMS)
    page, size = r.page()
    query = ExamQuery(
        location=r.location(),
        departements=_departements(r),
        certifications=_certification_codes(r),
        after=min(r.dates("apres"), default=None),
        before=max(r.dates("avant"), default=None),
        cpf=r.boolean("cpf"),
        sort=(r.choices("tri_examens", {k: k for k in EXAM_SORTS}) or ["date"])[0],
        page=page,
        page_size=size,
    )
    query.errors = r.errors
    return query


def _enum(values):
    return {"type": "string", "enum": list(dict.fromkeys(str(v) for v in values))}


# JSON schema of one value of each parameter, for the OpenAPI document. The engine validates values itself
# (with French messages); this tells clients, and API fuzzers, what a valid value looks like. Certification
# codes are not listed: they come from the database, so they are documented as a slug.
LEVEL_VALUES = [NO_LEVEL, *(lvl.label for lvl in enums.CecrlLevel)]
AUDIENCE_ALIASES = {old: str(new) for old, new in enums.RETIRED_AUDIENCES.items()}
PARAM_SCHEMAS = {
    # No "type" here: any query-string value is text, and a declared string type makes fuzzers send the
    # boolean true as a "schema-violating" q=true, which is a perfectly good search word.
    "q": {"minLength": 1, "maxLength": MAX_VALUE_LENGTH},
    "commune": {"type": "string", "pattern": "^[0-9][0-9AB][0-9]{3}$"},
    "rayon": {"type": "number", "minimum": 0, "maximum": MAX_RADIUS_KM},
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "lon": {"type": "number", "minimum": -180, "maximum": 180},
    "departement": {"type": "string", "pattern": "^[0-9][0-9AB][0-9]?$"},
    "zone": {"type": "string", "pattern": "^[a-z0-9-]+:[A-Za-z0-9-]+$"},
    "type": _enum(enums.CourseType.values),
    "parcours": _enum(enums.Parcours.values),
    "niveau_entree_oral": _enum(LEVEL_VALUES),
    "niveau_entree_ecrit": _enum(LEVEL_VALUES),
    "niveau_vise": _enum(lvl.label for lvl in enums.CecrlLevel),
    "scolarisation": _enum(enums.Schooling.values),
    "public": _enum(enums.Audience.values),
    "jour": _enum(WEEKDAYS),
    "creneau": _enum([*SLOTS, "après-midi"]),
    "garde_enfants": _enum(["oui", "non"]),
    "gratuit": _enum(["oui", "non"]),
    "places": _enum(["oui", "non"]),
    "cpf": _enum(["oui", "non"]),
    "financeur": _enum(enums.Funder.values),
    "debut_avant": {"type": "string", "format": "date"},
    "apres": {"type": "string", "format": "date"},
    "avant": {"type": "string", "format": "date"},
    "certification": {"type": "string", "pattern": "^[a-z0-9-]+$", "minLength": 1, "maxLength": 50},
    "tri": _enum(SORTS),
    "tri_examens": _enum(EXAM_SORTS),
    "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    "taille": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
}
