"""The layout of the Carto-Langue spreadsheet: sheets, columns and the referentials of the drop-down lists.

The template (template.py), the export (writer.py), the reader (reader.py) and the "Mode d'emploi" sheet are
all generated from these declarations, so they cannot drift apart.

Over 400 lines on purpose: it is a declarative table, the sheets and their columns read top to bottom in the order
the template shows them; splitting it would scatter one layout over several files.

- Each entity has its sheet and a key column ("Identifiant …") that the other sheets refer to (a course
  names its structure and its place by their identifiers).
- Headers are unique across Structures, Lieux and Cours (and across Structures, Lieux and Sessions
  d'examen), so that a flat CSV, one row per course with its structure and place on the same row, is the
  same columns side by side.
- Multi-valued attributes (schooling, audiences, funders, certifications, networks) are numbered columns
  ("Financeur 1", "Financeur 2"…), each with its drop-down list; a cell may also hold several values
  separated by " ; ", which is how the export writes values beyond the last column and how a CSV may put
  them in one column.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Choices, Field, Model
from django.utils.functional import Promise
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from cartolangue.actors.enums import ActorKind, Scheme
from cartolangue.offers import enums
from cartolangue.offers.models import Certification, Course, ExamSession, Place, Session, Structure, TimeSlot
from cartolangue.text import fold

SEPARATOR = ";"
# Rows a drop-down list, a key check or a column format covers in the template.
TEMPLATE_ROWS = 5000


def normalise(text: object) -> str:
    """How headers, sheet names and referential labels are compared: case, accents, dashes and spaces aside."""
    folded = fold(str(text)).replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    return " ".join(folded.split())


# --- Referentials (the "Listes" sheet) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Referential:
    key: str
    title: str | Promise  # the header of its column in the Listes sheet
    enum: type[Choices] | None = None  # a TextChoices / IntegerChoices, or None for the ones below

    def choices(self) -> list[tuple[Any, Any]]:
        """[(value, label)], in the order of the drop-down list."""
        if self.enum is not None:
            return list(self.enum.choices)
        if self.key == "certification":
            return list(Certification.objects.order_by("family", "level", "name").values_list("code", "name"))
        if self.key == "boolean":
            return [(True, _("oui")), (False, _("non"))]
        raise ValueError(self.key)


REFERENTIALS = {
    r.key: r
    for r in (
        Referential("course_type", _("Type de cours"), enums.CourseType),
        Referential("parcours", _("Parcours"), enums.Parcours),
        Referential("cecrl", _("Niveau CECRL"), enums.CecrlLevel),
        Referential("schooling", _("Scolarisation"), enums.Schooling),
        Referential("audience", _("Public"), enums.Audience),
        Referential("audience_mode", _("Accès du public"), enums.AudienceMode),
        Referential("funder", _("Financeur"), enums.Funder),
        Referential("weekday", _("Jour"), enums.Weekday),
        Referential("modality", _("Modalité"), enums.Modality),
        Referential("registration_mode", _("Modalité d'inscription"), enums.RegistrationMode),
        Referential("recruitment_status", _("État du recrutement"), enums.RecruitmentStatus),
        Referential("structure_kind", _("Type de structure"), enums.StructureKind),
        Referential("network", _("Réseau"), enums.Network),
        Referential("certification", _("Certification")),
        Referential("boolean", _("Oui / non")),
        Referential("actor_kind", _("Type d'acteur"), ActorKind),
        Referential("actor_scheme", _("Dispositif"), Scheme),
    )
}


# --- Columns ---------------------------------------------------------------------------------------------

# Kinds of column: "id" (the sheet's own key), "ref" (the key of another sheet), "text", "email", "url",
# "siret", "post_code", "code_insee", "code" (kept as text), "int", "decimal", "float", "date", "time", "bool",
# "enum", "slots" (weekly time slots written as text, for a CSV).


@dataclass(frozen=True, eq=False)
class Column:
    key: str  # the attribute of the record it fills
    header: str | Promise = ""  # French header; the model field's verbose name when empty
    kind: str = "text"
    referential: str = ""  # for "enum" and "bool"
    required: bool = False
    help: str | Promise = ""  # the input help shown when the cell is selected
    width: int = 18
    field: Field | None = None  # the model field it fills: maximum length, digits
    index: int = 0  # 1, 2… for the numbered columns of a multi-valued attribute
    ref: str = ""  # for "ref": the sheet whose key it names
    in_template: bool = True  # False: accepted on import, not written in the template

    @property
    def base_header(self) -> str | Promise:
        if self.header:
            return self.header
        assert self.field is not None, self.key  # a column without a header is named after its field
        return capfirst(self.field.verbose_name)

    @property
    def title(self) -> str | Promise:
        """The header as written in row 1 (lazy: rendered in the active language)."""
        if self.index:
            return format_lazy("{} {}", self.base_header, self.index)
        return self.base_header

    @property
    def max_length(self) -> int | None:
        return getattr(self.field, "max_length", None)


def _f(model: type[Model], name: str) -> Field:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # a column fills a field of its own model, never a reverse relation
    return field


def _numbered(n, key, header, referential, help="", width=24):
    return [
        Column(key, header, "enum", referential, help=help if i == 1 else "", width=width, index=i)
        for i in range(1, n + 1)
    ]


def _audience_columns(n):
    columns = []
    for i in range(1, n + 1):
        columns.append(
            Column(
                "audiences",
                _("Public"),
                "enum",
                "audience",
                width=30,
                index=i,
                help=_("Un public visé par ce cours (un par colonne). Laissez vide si le cours est ouvert à tous.")
                if i == 1
                else "",
            )
        )
        columns.append(
            Column(
                "audience_modes",
                _("Accès du public"),
                "enum",
                "audience_mode",
                width=16,
                index=i,
                help=_(
                    "Prioritaire : ce public passe en premier, les autres restent admis. Exclusif : le cours est "
                    "réservé à ce public. Vide : prioritaire."
                )
                if i == 1
                else "",
            )
        )
    return columns


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str | Promise
    help: str | Promise
    columns: tuple[Column, ...]

    def column(self, key: str, index: int = 0) -> Column:
        for column in self.columns:
            if column.key == key and column.index == index:
                return column
        raise KeyError(key)

    @property
    def key_column(self) -> Column:
        """The sheet's own identifier column (the first column of a sheet without one)."""
        return next((c for c in self.columns if c.kind == "id"), self.columns[0])


STRUCTURE_ID_HELP = _(
    "Identifiant court et unique de la structure, au choix (p. ex. ASSO1 ou le SIRET). Les feuilles Cours et "
    "Sessions d'examen y renvoient. Ne le changez plus une fois importé."
)
PLACE_ID_HELP = _(
    "Identifiant court et unique du lieu (p. ex. LIEU1). Les feuilles Cours et Sessions d'examen y renvoient. "
    "Ne le changez plus une fois importé."
)
COURSE_ID_HELP = _(
    "Identifiant court et unique du cours (p. ex. COURS1). Les feuilles Créneaux et Sessions y renvoient. "
    "Ne le changez plus une fois importé : c'est lui qui permet de mettre le cours à jour."
)

STRUCTURES = Sheet(
    "structures",
    _("Structures"),
    _("Une ligne par structure (association, organisme de formation, centre d'examen…)."),
    (
        Column("structure_id", _("Identifiant structure"), "id", required=True, help=STRUCTURE_ID_HELP, width=20),
        Column("name", _("Nom de la structure"), required=True, width=36, field=_f(Structure, "name")),
        Column("acronym", field=_f(Structure, "acronym"), width=12),
        Column(
            "siret",
            kind="siret",
            field=_f(Structure, "siret"),
            help=_("14 chiffres, sans espace. Facultatif."),
            width=18,
        ),
        Column(
            "kind",
            kind="enum",
            referential="structure_kind",
            field=_f(Structure, "kind"),
            help=_("Vide : Autre."),
            width=24,
        ),
        *_numbered(2, "networks", _("Réseau"), "network", help=_("Réseau dont la structure est membre.")),
        Column("description", _("Présentation de la structure"), field=_f(Structure, "description"), width=40),
        Column("website", kind="url", field=_f(Structure, "website"), help=_("Adresse complète, https://…")),
        Column("email", _("Courriel de la structure"), "email", field=_f(Structure, "email"), width=28),
        Column("phone", _("Téléphone de la structure"), field=_f(Structure, "phone")),
    ),
)

PLACES = Sheet(
    "places",
    _("Lieux"),
    _(
        "Une ligne par lieu où se tiennent les cours ou les épreuves. Indiquez au moins l'adresse et le code "
        "postal avec la ville (ou le code commune INSEE) ; sans latitude ni longitude, le lieu est placé au "
        "centre de la commune."
    ),
    (
        Column("place_id", _("Identifiant lieu"), "id", required=True, help=PLACE_ID_HELP, width=18),
        Column("name", field=_f(Place, "name"), width=28),
        Column("address", required=True, field=_f(Place, "address"), help=_("Numéro et rue."), width=32),
        Column("address_complement", field=_f(Place, "address_complement"), width=20),
        Column("post_code", kind="post_code", field=_f(Place, "post_code"), width=12),
        Column("city", _("Ville"), width=22),
        Column(
            "code_insee",
            _("Code commune (INSEE)"),
            "code_insee",
            help=_("Facultatif si le code postal et la ville sont remplis."),
        ),
        Column("latitude", kind="float", field=_f(Place, "latitude"), help=_("Facultatif, p. ex. 49.0364")),
        Column("longitude", kind="float", field=_f(Place, "longitude"), help=_("Facultatif, p. ex. 2.0761")),
        Column("step_free_access", kind="bool", referential="boolean", field=_f(Place, "step_free_access")),
    ),
)

COURSES = Sheet(
    "courses",
    _("Cours"),
    _(
        "Une ligne par cours. Les horaires de la semaine vont dans la feuille Créneaux, les dates de rentrée "
        "dans la feuille Sessions."
    ),
    (
        Column("course_id", _("Identifiant cours"), "id", required=True, help=COURSE_ID_HELP, width=18),
        Column(
            "structure",
            _("Identifiant structure"),
            "ref",
            required=True,
            ref="structures",
            help=_("L'identifiant de la structure qui donne ce cours (feuille Structures)."),
            width=20,
        ),
        Column(
            "place",
            _("Identifiant lieu"),
            "ref",
            required=True,
            ref="places",
            help=_("L'identifiant du lieu où se tient ce cours (feuille Lieux)."),
            width=18,
        ),
        Column("name", _("Intitulé du cours"), required=True, field=_f(Course, "name"), width=36),
        Column(
            "course_type",
            kind="enum",
            referential="course_type",
            required=True,
            field=_f(Course, "course_type"),
            width=30,
        ),
        Column("parcours", kind="enum", referential="parcours", field=_f(Course, "parcours"), width=26),
        Column(
            "cecrl_level_target",
            kind="enum",
            referential="cecrl",
            field=_f(Course, "cecrl_level_target"),
            help=_("Le niveau du Cadre européen commun de référence que le cours permet d'atteindre."),
        ),
        Column(
            "entry_level_oral",
            kind="enum",
            referential="cecrl",
            field=_f(Course, "entry_level_oral"),
            help=_("Vide : aucun prérequis."),
        ),
        Column(
            "entry_level_written",
            kind="enum",
            referential="cecrl",
            field=_f(Course, "entry_level_written"),
            help=_("Vide : aucun prérequis."),
        ),
        *_numbered(
            3,
            "schooling",
            _("Scolarisation"),
            "schooling",
            help=_("Les parcours scolaires des personnes accueillies (un par colonne). Vide : tous."),
            width=34,
        ),
        *_audience_columns(5),
        Column("description", _("Présentation du cours"), field=_f(Course, "description"), width=40),
        Column("hours_per_week", kind="decimal", field=_f(Course, "hours_per_week"), help=_("p. ex. 4,5")),
        Column("total_hours", kind="int", field=_f(Course, "total_hours")),
        Column(
            "is_free",
            kind="bool",
            referential="boolean",
            field=_f(Course, "is_free"),
            help=_("Vide : oui, sauf si un coût est indiqué."),
            width=10,
        ),
        Column(
            "cost_amount", kind="decimal", field=_f(Course, "cost_amount"), help=_("En euros, p. ex. 20 ou 350,50")
        ),
        Column("cost_details", field=_f(Course, "cost_details"), width=28, help=_("p. ex. adhésion annuelle")),
        Column("childcare", kind="bool", referential="boolean", field=_f(Course, "childcare"), width=12),
        Column(
            "modality",
            kind="enum",
            referential="modality",
            field=_f(Course, "modality"),
            help=_("Vide : en présentiel."),
        ),
        Column(
            "registration_mode",
            kind="enum",
            referential="registration_mode",
            field=_f(Course, "registration_mode"),
            width=28,
        ),
        Column("places_available", kind="bool", referential="boolean", field=_f(Course, "places_available"), width=12),
        *_numbered(3, "funders", _("Financeur"), "funder", help=_("Un financeur par colonne."), width=32),
        *_numbered(
            3,
            "certifications",
            _("Certification préparée"),
            "certification",
            help=_("Une certification que le cours prépare, par colonne."),
            width=32,
        ),
        Column("formacode", kind="code", field=_f(Course, "formacode"), width=12),
        Column("rs_code", kind="code", field=_f(Course, "rs_code"), width=12),
        Column("rncp_code", kind="code", field=_f(Course, "rncp_code"), width=12),
        Column(
            "contact_name",
            _("Contact"),
            field=_f(Course, "contact_name"),
            help=_("Prénom et nom de la personne à joindre."),
        ),
        Column("contact_phone", kind="text", field=_f(Course, "contact_phone")),
        Column("contact_email", kind="email", field=_f(Course, "contact_email"), width=28),
        Column(
            "verified_on",
            kind="date",
            field=_f(Course, "verified_on"),
            help=_("Date à laquelle ces informations ont été vérifiées (jj/mm/aaaa)."),
        ),
        Column("source_url", _("Page web du cours"), "url", field=_f(Course, "source_url"), width=28),
        Column(
            "slots",
            _("Créneaux"),
            "slots",
            in_template=False,
            help=_("Pour un CSV : « lundi 9h30-12h ; jeudi 14h-16h30 »."),
        ),
    ),
)

TIME_SLOTS = Sheet(
    "time_slots",
    _("Créneaux"),
    _("Les horaires de chaque semaine : une ligne par créneau (un cours le lundi et le jeudi a deux lignes)."),
    (
        Column(
            "course",
            _("Identifiant cours"),
            "ref",
            required=True,
            ref="courses",
            help=_("L'identifiant du cours (feuille Cours)."),
        ),
        Column("weekday", kind="enum", referential="weekday", required=True, field=_f(TimeSlot, "weekday"), width=14),
        Column("starts_at", _("Heure de début"), "time", required=True, help=_("p. ex. 9:30"), width=14),
        Column("ends_at", _("Heure de fin"), "time", required=True, help=_("p. ex. 12:00"), width=14),
    ),
)

SESSIONS = Sheet(
    "sessions",
    _("Sessions"),
    _("Les dates de chaque session (rentrée de septembre, de janvier…) : une ligne par session. Facultatif."),
    (
        Column(
            "session_id",
            _("Identifiant session"),
            "id",
            required=True,
            help=_("Identifiant court et unique de la session (p. ex. COURS1-2026)."),
        ),
        Column(
            "course",
            _("Identifiant cours"),
            "ref",
            required=True,
            ref="courses",
            help=_("L'identifiant du cours (feuille Cours)."),
        ),
        Column("starts_on", _("Date de début"), "date", field=_f(Session, "starts_on"), help=_("jj/mm/aaaa")),
        Column("ends_on", _("Date de fin"), "date", field=_f(Session, "ends_on"), help=_("jj/mm/aaaa")),
        Column(
            "recruitment_status",
            kind="enum",
            referential="recruitment_status",
            field=_f(Session, "recruitment_status"),
            width=24,
        ),
        Column("seats", kind="int", field=_f(Session, "seats"), width=10),
        Column("seats_left", kind="int", field=_f(Session, "seats_left"), width=16),
    ),
)

EXAM_SESSIONS = Sheet(
    "exam_sessions",
    _("Sessions d'examen"),
    _("Pour un centre d'examen : une ligne par date d'épreuve (DELF, TCF…), avec son tarif."),
    (
        Column(
            "exam_id",
            _("Identifiant session d'examen"),
            "id",
            required=True,
            help=_("Identifiant court et unique de la session d'examen (p. ex. TCF-2027-01)."),
            width=24,
        ),
        Column(
            "structure",
            _("Identifiant structure"),
            "ref",
            required=True,
            ref="structures",
            help=_("L'identifiant du centre d'examen (feuille Structures)."),
            width=20,
        ),
        Column(
            "place",
            _("Identifiant lieu"),
            "ref",
            required=True,
            ref="places",
            help=_("L'identifiant du lieu de l'épreuve (feuille Lieux)."),
            width=18,
        ),
        Column(
            "certification",
            kind="enum",
            referential="certification",
            required=True,
            field=_f(ExamSession, "certification"),
            width=40,
        ),
        Column("exam_date", kind="date", required=True, field=_f(ExamSession, "exam_date"), help=_("jj/mm/aaaa")),
        Column(
            "registration_deadline", kind="date", field=_f(ExamSession, "registration_deadline"), help=_("jj/mm/aaaa")
        ),
        Column("price", kind="decimal", field=_f(ExamSession, "price"), help=_("En euros, p. ex. 120")),
        Column("seats_left", kind="int", field=_f(ExamSession, "seats_left"), width=16),
        Column("registration_url", kind="url", field=_f(ExamSession, "registration_url"), width=28),
    ),
)

SHEETS = {s.key: s for s in (STRUCTURES, PLACES, COURSES, TIME_SLOTS, SESSIONS, EXAM_SESSIONS)}


def flat_columns(main: Sheet) -> tuple[Column, ...]:
    """The columns of a one-entity CSV: the entity's own, then its structure's and its place's.

    The structure's and the place's identifiers are the entity's reference columns (same headers)."""
    return (
        *main.columns,
        *(c for c in STRUCTURES.columns if c.kind != "id"),
        *(c for c in PLACES.columns if c.kind != "id"),
    )
