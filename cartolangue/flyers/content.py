"""What a flyer and an orientation sheet say: built from a search (the same parameters, the same engine).

The flyer keeps the nearest courses of four plain groups. A group with nothing within the search radius is
widened to the commune's zone d'emploi and says so; a group still empty says where to ask. The documents
never print an empty page: the heading, the instructions, the QR code and the help are always there.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from cartolangue.actors.enums import ActorKind
from cartolangue.flyers.languages import site_language
from cartolangue.geo.models import Zone
from cartolangue.offers import enums
from cartolangue.offers.provenance import source_label
from cartolangue.search.actors import actors_covering
from cartolangue.search.engine import course_search, upcoming_exam_sessions
from cartolangue.search.params import ExamQuery, Location

T = enums.CourseType
ITEMS_PER_GROUP = 3
EXAMS_PER_GROUP = 2
WIDE_RADIUS_KM = 80
FLYER_ZONING = "insee-ze2020"


L = enums.CecrlLevel
BEGINNER_LEVELS = (L.A1_1, L.A1)
BEYOND_BEGINNER_LEVELS = (L.A2, L.B1, L.B2, L.C1, L.C2)
UNSET = None  # a course that does not state its target level


@dataclass(frozen=True)
class Rule:
    """Courses of these types whose target level is one of these (UNSET: no level stated)."""

    types: tuple
    levels: tuple = (*L, UNSET)  # any level, stated or not

    def holds(self, course_type, level) -> bool:
        return course_type in self.types and level in self.levels


@dataclass(frozen=True)
class Group:
    key: str
    title: object
    rules: tuple

    @property
    def types(self) -> tuple:
        return tuple(dict.fromkeys(t for rule in self.rules for t in rule.types))

    def holds(self, course_type, level) -> bool:
        """Whether a course of this type and target level is listed in this group (the one rule, read by
        `group_of` and by the searches of `build_flyer`)."""
        return any(rule.holds(course_type, level) for rule in self.rules)


# The flyer's groups, each stated once as course types × target levels (docs/adr/0009-print.md). Literacy
# courses are for beginners whatever level they state; FLE, the CIR course and the others only at A1.1–A1:
# "FLE – niveau B2" is not for someone who starts (issue #16), it is listed under "progresser", as are those
# that state no level.
GROUPS = (
    Group(
        "debuter",
        _("Débuter, apprendre à lire et écrire"),
        (Rule((T.ALPHA, T.POST_ALPHA)), Rule((T.FLE, T.CIR, T.OTHER), BEGINNER_LEVELS)),
    ),
    Group(
        "progresser",
        _("Progresser en français"),
        (Rule((T.FLE, T.CIR, T.OTHER), (*BEYOND_BEGINNER_LEVELS, UNSET)),),
    ),
    Group("asl", _("Ateliers sociolinguistiques"), (Rule((T.ASL, T.OEPRE)),)),
    Group("emploi", _("Français pour l'emploi"), (Rule((T.WORK,)),)),
    Group("diplome", _("Passer un diplôme de français"), (Rule((T.CERTIFICATION_PREP,)),)),
)


def group_of(course_type, level):
    """The key of the one group a course of this type and target level is listed in, or None."""
    keys = [g.key for g in GROUPS if g.holds(course_type, level)]
    return keys[0] if len(keys) == 1 else None


# Every text of the flyer, in French and in the reader's language (both from the i18n catalogues).
TEXTS = {
    "title": _("Cours de français près de chez vous"),
    "intro": _(
        "Ces cours sont pour les adultes. Beaucoup sont gratuits. Appelez le numéro du cours ou allez sur place "
        "pour vous inscrire."
    ),
    "qr": _("Scannez pour voir tous les cours et la carte"),
    "help": _("Besoin d'aide ? Montrez cette feuille à votre conseiller ou à une association."),
    "widened": _("Rien à proximité : cours dans la zone d'emploi"),
    "none": _("Pas de cours trouvé près de chez vous : demandez à votre conseiller."),
    "free": _("Gratuit"),
    "childcare": _("Garde d'enfants"),
    "exams": _("Prochaines sessions d'examen"),
    "near": _("Près de"),
    "stale": _("Information à vérifier"),
    "contacts": _("Qui peut vous aider près de chez vous"),
}
# The support actors a flyer names at its foot (issue #22), in this order, each with its short label: those that
# cover the flyer's commune (search/actors.py `actors_covering`, as on a course page).
CONTACT_KINDS = {
    ActorKind.MISSION_LOCALE: _("Mission Locale (moins de 26 ans)"),
    ActorKind.FRANCE_TRAVAIL: _("France Travail (emploi, formation)"),
    ActorKind.OFII: _("Ofii (contrat d'intégration)"),
}
GROUP_TEXTS = {g.key: g.title for g in GROUPS}
WEEKDAY_SHORT = {
    0: _("lun."),
    1: _("mar."),
    2: _("mer."),
    3: _("jeu."),
    4: _("ven."),
    5: _("sam."),
    6: _("dim."),
}


def flyer_msgids():
    """The msgids every flyer language must translate (checked by the tests)."""
    with translation.override("fr"):
        return {
            str(t) for t in (*TEXTS.values(), *GROUP_TEXTS.values(), *WEEKDAY_SHORT.values(), *CONTACT_KINDS.values())
        }


def bilingual(text, language):
    """(French, language) renderings of a lazy string; the second is None when the language is French."""
    with translation.override("fr"):
        french = str(text)
    if language.code == "fr":
        return french, None
    with translation.override(language.django_code):
        return french, str(text)


def in_language(text, language):
    with translation.override(language.django_code):
        return str(text)


@dataclass
class CourseItem:
    course: object
    days: list  # (weekday label, "9 h 30 – 12 h") in the reader's language
    phone: str
    distance_km: float | None


@dataclass
class Contact:
    label: tuple  # (French, reader's language)
    actor: object


@dataclass
class GroupContent:
    key: str
    title: tuple
    items: list = field(default_factory=list)
    exams: list = field(default_factory=list)
    widened_to: object = None  # the Zone when the group was widened


@dataclass
class Flyer:
    language: object
    place_label: str
    groups: list
    texts: dict
    qr_url: str
    generated_on: object
    oldest_update: object
    sources: list
    weekday_names: dict
    contacts: list = field(default_factory=list)  # Contact, for the kinds of CONTACT_KINDS that cover the place

    @property
    def contacts_beside_groups(self) -> bool:
        """The contacts take the empty cell beside the last group when the groups leave one."""
        return len(self.groups) % 2 == 1

    @property
    def group_rows(self):
        """The groups two by two, as the page shows them."""
        return [self.groups[i : i + 2] for i in range(0, len(self.groups), 2)]


def course_item(course, language):
    days = {}
    for slot in course.time_slots.all():
        hours = f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"
        days.setdefault(hours, []).append(slot.weekday)
    lines = [
        (" ".join(in_language(WEEKDAY_SHORT[d], language) for d in weekdays), hours)
        for hours, weekdays in days.items()
    ]
    phone = course.public_contact.phone  # a public contact point's, else the structure's (ADR 0019)
    return CourseItem(course=course, days=lines, phone=phone, distance_km=getattr(course, "distance", None))


def _group_searches(group, query):
    """One search per rule of the group, within the search's own types and target levels. A rule that takes
    courses without a stated level cannot be a level filter (the engine's `niveau_vise` keeps stated levels
    only): it searches the rule's types at every level, and `_nearest` keeps what the rule holds."""
    searches = []
    for rule in group.rules:
        types = [t for t in rule.types if not query.types or t in query.types]
        if not types:
            continue
        stated = [lvl for lvl in rule.levels if lvl is not UNSET]
        exact = True
        if query.target_levels:
            levels = [lvl for lvl in stated if lvl in query.target_levels]
            if not levels:
                continue
        elif UNSET in rule.levels:
            levels, exact = [], len(stated) == len(L)  # no level filter: `_nearest` keeps what the rule holds
        else:
            levels = stated
        size = ITEMS_PER_GROUP if exact else ITEMS_PER_GROUP * 8
        searches.append(query.replace(types=sorted(types), target_levels=levels, sort="", page=1, page_size=size))
    return [(group, q) for q in searches]


def _nearest(searches, today):
    """The nearest courses the group holds, over its searches, nearest first."""
    found = {}
    for group, q in searches:
        for course in course_search(q, facets=False, today=today).items:
            if group.holds(course.course_type, course.cecrl_level_target):
                found.setdefault(course.pk, course)
    courses = sorted(found.values(), key=lambda c: (getattr(c, "distance", None) or 0, c.pk))
    return courses[:ITEMS_PER_GROUP]


def local_contacts(location, language) -> list[Contact]:
    """The Mission Locale, France Travail agency and Ofii that cover the flyer's commune, with their labels."""
    if location is None or location.commune is None:
        return []
    found = actors_covering(location.latitude, location.longitude, location.commune.pk, list(CONTACT_KINDS))
    return [Contact(bilingual(label, language), found[kind]) for kind, label in CONTACT_KINDS.items() if kind in found]


def zone_of(location):
    if location is None or location.commune is None:
        return None
    return Zone.objects.filter(zoning__slug=FLYER_ZONING, communes=location.commune).select_related("zoning").first()


def build_flyer(query, language, *, search_params, site_url, today=None):
    """The flyer of a search (CourseQuery) in a FlyerLanguage."""
    today = today or timezone.localdate()
    zone = zone_of(query.location)
    groups, shown = [], []
    for group in GROUPS:
        content = GroupContent(key=group.key, title=bilingual(group.title, language))
        groups.append(content)
        searches = _group_searches(group, query)
        if not searches:
            continue
        items = _nearest(searches, today)
        if not items and zone is not None:
            wide_location = Location(query.location.centres, WIDE_RADIUS_KM)
            wide = [(g, q.replace(location=wide_location, zones=[zone], departements=[])) for g, q in searches]
            items = _nearest(wide, today)
            content.widened_to = zone if items else None
        content.items = [course_item(c, language) for c in items]
        shown += items
        if group.key == "diplome":
            exam_query = ExamQuery(location=query.location, sort="distance" if query.location else "date")
            if query.location:
                exam_query = exam_query.replace(
                    location=Location(query.location.centres, max(query.location.radius_km, 30))
                )
            content.exams = upcoming_exam_sessions(exam_query, today=today, limit=EXAMS_PER_GROUP)
            shown += content.exams
    contacts = local_contacts(query.location, language)
    oldest = min((obj.updated_at for obj in shown), default=None)
    sources = sorted({_source_label(obj.source) for obj in [*shown, *(c.actor for c in contacts)]})
    params = [(k, v) for k, v in search_params if k not in {"langue", "page", "taille"}]
    prefix = "" if site_language(language.code) == "fr" else f"/{site_language(language.code)}"
    qr_url = f"{site_url.rstrip('/')}{prefix}/?{urlencode(params)}" if params else f"{site_url.rstrip('/')}{prefix}/"
    return Flyer(
        language=language,
        place_label=query.location.label if query.location else "",
        groups=groups,
        texts={key: bilingual(text, language) for key, text in TEXTS.items()},
        qr_url=qr_url,
        generated_on=today,
        oldest_update=timezone.localtime(oldest).date() if oldest else None,
        sources=sources,
        weekday_names={},
        contacts=contacts,
    )


def _source_label(source):
    return source_label(source)


# Every text of the orientation sheet, printed in French and in the person's language (`{% both %}`), as the
# flyer's. The same msgids as the site's: the catalogues that translate the site translate the sheet.
SELECTION_TEXTS = {
    "title": _("Ma sélection de cours de français"),
    "intro": ngettext_lazy(
        "%(n)s cours choisi avec votre conseiller ou conseillère.",
        "%(n)s cours choisis avec votre conseiller ou conseillère.",
        "n",
    ),
    "type": _("Type"),
    "structure": _("Structure"),
    "address": _("Adresse"),
    "step_free": _("accessible en fauteuil roulant"),
    "levels": _("Niveaux"),
    "target": _("visé"),
    "oral": _("à l'oral, il faut"),
    "written": _("à l'écrit, il faut"),
    "no_prerequisite": _("sans prérequis"),
    "audiences": _("Publics"),
    "schedule": _("Horaires"),
    "hours_per_week": _("%(hours)s h/sem."),
    "sessions": _("Sessions"),
    "seats": ngettext_lazy("%(n)s place", "%(n)s places", "n"),
    "cost": _("Coût"),
    "free": _("Gratuit"),
    "childcare": _("Garde d'enfants"),
    "yes": _("oui"),
    "no": _("non"),
    "ask": _("à demander"),
    "registration": _("Inscription"),
    "contact": _("Contact"),
    "qr": _("La fiche et le plan d'accès"),
    "notes": _("Notes du conseiller ou de la conseillère"),
    "printed": _("Imprimé le %(date)s"),
    "sources": _("Sources"),
    "oldest": _("données la plus ancienne : %(date)s"),
    "stale": _("Information à vérifier"),
}


@dataclass
class Selection:
    courses: list
    missing: list
    generated_on: object
    oldest_update: object
    sources: list


def build_selection(ids, *, today):
    """The courses a counsellor picked, in the order picked; `missing` lists ids that no longer exist."""
    from django.db.models import Prefetch, Q

    from cartolangue.offers.models import Course, Session

    upcoming = Session.objects.filter(Q(ends_on__gte=today) | Q(ends_on__isnull=True)).order_by("starts_on")
    found = {
        c.pk: c
        for c in Course.objects.public()
        .for_display()
        .prefetch_related(Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions"))
        .filter(pk__in=ids)
    }
    ordered = list(dict.fromkeys(ids))
    courses = [found[i] for i in ordered if i in found]
    oldest = min((c.updated_at for c in courses), default=None)
    return Selection(
        courses=courses,
        missing=[i for i in ordered if i not in found],
        generated_on=today,
        oldest_update=timezone.localtime(oldest).date() if oldest else None,
        sources=sorted({_source_label(c.source) for c in courses}),
    )
