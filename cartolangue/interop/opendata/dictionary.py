"""The open data files and their columns: one declaration read by the writer (CSV header, GeoJSON properties),
the data dictionary and the "Données" page, so that a column cannot exist without its description.

Over 400 lines on purpose: each table is a declaration of its columns, read top to bottom like the dictionary it
produces; a new table goes in its own module (actors_table.py) and joins TABLES at the end.

Column names are French (the boundary: reusers are French public bodies and associations), codes come from
our referentials (`offers/enums.py`) with a French label column beside each one.

In the CSV files, a text value that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
carriage return, and is not a plain signed number) is written after a single quote (`interop/formulas.py`);
the README of the export and the "Données" page say so (`writer.formula_note`).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Choices, Prefetch, Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cartolangue.geo.loading import departement_of
from cartolangue.offers import enums
from cartolangue.offers.enums import PublicationStatus
from cartolangue.offers.models import DEMO_SOURCE, Course, ExamSession, Place, Session, Structure

# Value kinds: how a value is written in CSV and GeoJSON, and how the dictionary names it.
KINDS = {
    "texte": _("texte"),
    "entier": _("nombre entier"),
    "decimal": _("nombre décimal (point comme séparateur)"),
    "booleen": _("booléen : true ou false, vide si inconnu"),
    "date": _("date AAAA-MM-JJ"),
    "date-heure": _("date et heure ISO 8601 avec décalage horaire"),
    "code": _("code d'un référentiel"),
    "liste": _("liste de valeurs séparées par « | » (tableau dans le GeoJSON)"),
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: Any  # lazy French text
    get: Callable[[Any], Any]
    # The referential whose codes (or, with `labels`, French labels) the column holds.
    choices: Any = None
    labels: bool = False


@dataclass(frozen=True)
class Table:
    name: str  # file stem: cours → cours.csv, cours.geojson
    title: Any
    description: Any
    columns: tuple
    queryset: Callable[[bool], QuerySet]  # include_demo → every row, in a stable order
    geometry: Callable[[Any], dict | None]

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


# --- value helpers ---------------------------------------------------------------------------------------


def _text(value):
    return value if value not in (None, "") else None


@functools.cache
def _labels(choices):
    # Lazy labels, kept once per referential: str() translates them at write time.
    return dict(choices.choices)


def label_of(choices: type[Choices], value: object) -> str | None:
    """The label of a referential value, translated at call time (much faster than `get_FOO_display`)."""
    if value in (None, ""):
        return None
    return str(_labels(choices).get(value, value))


def _level(value):
    return enums.CecrlLevel(value).label if value is not None else None


def _point(place):
    return {"type": "Point", "coordinates": [round(place.longitude, 6), round(place.latitude, 6)]}


def _choice(name, attribute, choices, description):
    """A referential value as two columns: its code and its French label."""
    return (
        Column(name, "code", description, lambda o: _text(getattr(o, attribute)), choices),
        Column(
            f"{name}_libelle",
            "texte",
            format_lazy(_("Libellé de la colonne {column}."), column=name),
            lambda o: label_of(choices, getattr(o, attribute)),
            choices,
            labels=True,
        ),
    )


def _choices(name, values, choices, description):
    """A multi-valued referential as two list columns: codes and French labels, in the same order."""
    return (
        Column(name, "liste", description, lambda o: [str(v) for v in values(o)], choices),
        Column(
            f"{name}_libelles",
            "liste",
            format_lazy(_("Libellés de la colonne {column}, dans le même ordre."), column=name),
            lambda o: [label_of(choices, v) for v in values(o)],
            choices,
            labels=True,
        ),
    )


def _provenance():
    return (
        Column(
            "source",
            "texte",
            _("Source de la fiche : reseau-alpha, lheo…, saisie (Carto-Langue)."),
            lambda o: o.source,
        ),
        Column("id_source", "texte", _("Identifiant de la fiche dans sa source."), lambda o: o.source_id),
    )


def _updated():
    return (
        Column(
            "date_maj", "date-heure", _("Dernière mise à jour de la fiche dans sa source."), lambda o: o.updated_at
        ),
        Column(
            "demonstration",
            "booleen",
            _("true pour une fiche fictive de démonstration (exclues sauf demande expresse)."),
            lambda o: o.is_demo,
        ),
    )


def _location(place_of):
    return (
        Column("code_insee", "code", _("Code INSEE de la commune du lieu."), lambda o: place_of(o).commune.code_insee),
        Column("commune", "texte", _("Nom de la commune du lieu."), lambda o: place_of(o).commune.name),
        Column("code_postal", "code", _("Code postal du lieu."), lambda o: place_of(o).post_code),
        Column("latitude", "decimal", _("Latitude du lieu (WGS 84)."), lambda o: round(place_of(o).latitude, 6)),
        Column("longitude", "decimal", _("Longitude du lieu (WGS 84)."), lambda o: round(place_of(o).longitude, 6)),
        Column(
            "localisation_approximative",
            "booleen",
            _("true si le point est le centre de la commune, faute d'adresse géolocalisée."),
            lambda o: place_of(o).location_is_approximate,
        ),
    )


def _not_demo(include_demo, *paths):
    """Demo records are left out unless asked for, with their parents (a course of a demo place…)."""
    if include_demo:
        return Q()
    condition = Q()
    for path in paths:
        condition &= ~Q(**{path: DEMO_SOURCE})
    return condition


# --- structures ------------------------------------------------------------------------------------------


def _structures(include_demo):
    places = Place.objects.order_by("pk").only("id", "structure_id", "latitude", "longitude")
    return (
        Structure.objects.filter(_not_demo(include_demo, "source"))
        .prefetch_related(Prefetch("places", queryset=places))
        .order_by("pk")
    )


def _structure_geometry(structure):
    points = [[round(p.longitude, 6), round(p.latitude, 6)] for p in structure.places.all()]
    return {"type": "MultiPoint", "coordinates": points} if points else None


STRUCTURES = Table(
    name="structures",
    title=_("Structures"),
    description=_(
        "Les structures qui donnent des cours de français ou font passer des tests : associations, organismes de "
        "formation, centres sociaux, collectivités, centres d'examen. Géométrie : leurs lieux (MultiPoint)."
    ),
    columns=(
        Column("id", "entier", _("Identifiant Carto-Langue de la structure."), lambda o: o.pk),
        *_provenance(),
        Column("url_source", "texte", _("Adresse de la fiche dans sa source."), lambda o: _text(o.source_url)),
        Column("nom", "texte", _("Nom de la structure."), lambda o: o.name),
        Column("sigle", "texte", _("Sigle."), lambda o: _text(o.acronym)),
        Column("siret", "code", _("Numéro SIRET (14 chiffres)."), lambda o: _text(o.siret)),
        *_choice("type", "kind", enums.StructureKind, _("Type de structure.")),
        *_choices("reseaux", lambda o: o.networks, enums.Network, _("Réseaux dont la structure est membre.")),
        Column("description", "texte", _("Présentation de la structure."), lambda o: _text(o.description)),
        Column("site_web", "texte", _("Site internet."), lambda o: _text(o.website)),
        Column("courriel", "texte", _("Courriel de contact."), lambda o: _text(o.email)),
        Column("telephone", "texte", _("Téléphone de contact."), lambda o: _text(o.phone)),
        Column("nombre_lieux", "entier", _("Nombre de lieux de la structure."), lambda o: len(o.places.all())),
        *_updated(),
    ),
    queryset=_structures,
    geometry=_structure_geometry,
)

# --- places ----------------------------------------------------------------------------------------------


def _places(include_demo):
    return (
        Place.objects.filter(_not_demo(include_demo, "source", "structure__source"))
        .select_related("commune")
        .defer("commune__geometry")
        .order_by("pk")
    )


PLACES = Table(
    name="lieux",
    title=_("Lieux"),
    description=_("Les adresses où ont lieu les cours et les tests, géolocalisées (Point)."),
    columns=(
        Column("id", "entier", _("Identifiant Carto-Langue du lieu."), lambda o: o.pk),
        Column(
            "structure_id", "entier", _("Identifiant de la structure (fichier structures)."), lambda o: o.structure_id
        ),
        *_provenance(),
        Column("nom", "texte", _("Nom du lieu (centre social, école…)."), lambda o: _text(o.name)),
        Column("adresse", "texte", _("Numéro et voie."), lambda o: o.address),
        Column("complement_adresse", "texte", _("Complément d'adresse."), lambda o: _text(o.address_complement)),
        *_location(lambda o: o),
        Column("departement", "code", _("Code du département."), lambda o: departement_of(o.commune.code_insee)),
        Column(
            "accessible_fauteuil",
            "booleen",
            _("Accessible en fauteuil roulant ; vide si inconnu."),
            lambda o: o.step_free_access,
        ),
        *_updated(),
    ),
    queryset=_places,
    geometry=_point,
)

# --- courses ---------------------------------------------------------------------------------------------


def _courses(include_demo):
    return (
        Course.objects.public()
        .filter(_not_demo(include_demo, "source", "structure__source", "place__source"))
        .for_display()
        .order_by("pk")
    )


def _audiences(mode):
    return lambda course: [a.audience for a in course.audiences.all() if a.mode == mode]


def _time_slot(slot):
    return f"{enums.Weekday(slot.weekday).label} {slot.starts_at:%H:%M}-{slot.ends_at:%H:%M}"


COURSES = Table(
    name="cours",
    title=_("Cours"),
    description=_(
        "Les cours de français (une action de formation à un lieu) avec leur détail : niveaux, publics, "
        "scolarisation, créneaux, coût. Géométrie : le lieu du cours (Point)."
    ),
    columns=(
        Column("id", "entier", _("Identifiant Carto-Langue du cours (page /cours/<id>/)."), lambda o: o.pk),
        Column(
            "structure_id", "entier", _("Identifiant de la structure (fichier structures)."), lambda o: o.structure_id
        ),
        Column("structure_nom", "texte", _("Nom de la structure."), lambda o: o.structure.name),
        Column("lieu_id", "entier", _("Identifiant du lieu (fichier lieux)."), lambda o: o.place_id),
        *_provenance(),
        Column("url_source", "texte", _("Adresse de la fiche dans sa source."), lambda o: _text(o.source_url)),
        Column("nom", "texte", _("Intitulé du cours."), lambda o: o.name),
        Column("description", "texte", _("Présentation du cours."), lambda o: _text(o.description)),
        *_choice("type", "course_type", enums.CourseType, _("Type de cours.")),
        *_choice("parcours", "parcours", enums.Parcours, _("Parcours.")),
        Column(
            "niveau_vise",
            "code",
            _("Niveau CECRL visé."),
            lambda o: _level(o.cecrl_level_target),
            enums.CecrlLevel,
        ),
        Column(
            "niveau_entree_oral",
            "code",
            _("Niveau CECRL demandé à l'entrée, à l'oral ; vide : aucun prérequis."),
            lambda o: _level(o.entry_level_oral),
            enums.CecrlLevel,
        ),
        Column(
            "niveau_entree_ecrit",
            "code",
            _("Niveau CECRL demandé à l'entrée, à l'écrit ; vide : aucun prérequis."),
            lambda o: _level(o.entry_level_written),
            enums.CecrlLevel,
        ),
        *_choices(
            "scolarisation",
            lambda o: [s.schooling for s in o.schooling.all()],
            enums.Schooling,
            _("Scolarisation attendue des apprenants (l'une au moins)."),
        ),
        *_choices(
            "publics_prioritaires",
            _audiences(enums.AudienceMode.PRIORITY),
            enums.Audience,
            _("Publics prioritaires : le cours leur est ouvert en priorité, sans être réservé."),
        ),
        *_choices(
            "publics_exclusifs",
            _audiences(enums.AudienceMode.EXCLUSIVE),
            enums.Audience,
            _("Publics exclusifs : le cours leur est réservé."),
        ),
        Column(
            "creneaux",
            "liste",
            _("Créneaux hebdomadaires, « jour HH:MM-HH:MM »."),
            lambda o: [_time_slot(s) for s in o.time_slots.all()],
        ),
        Column("heures_par_semaine", "decimal", _("Heures de cours par semaine."), lambda o: o.hours_per_week),
        Column("duree_totale_heures", "entier", _("Durée totale en heures."), lambda o: o.total_hours),
        Column("gratuit", "booleen", _("true si le cours est gratuit pour l'apprenant."), lambda o: o.is_free),
        Column("cout_euros", "decimal", _("Coût pour l'apprenant, en euros."), lambda o: o.cost_amount),
        Column("cout_precisions", "texte", _("Précisions sur le coût (adhésion…)."), lambda o: _text(o.cost_details)),
        Column("garde_enfants", "booleen", _("Garde d'enfants proposée ; vide si inconnu."), lambda o: o.childcare),
        *_choice("modalite", "modality", enums.Modality, _("Présentiel, à distance ou mixte.")),
        *_choice("inscription", "registration_mode", enums.RegistrationMode, _("Modalité d'inscription.")),
        Column(
            "places_disponibles", "booleen", _("Places disponibles ; vide si inconnu."), lambda o: o.places_available
        ),
        *_choices(
            "financeurs", lambda o: [f.funder for f in o.funders.all()], enums.Funder, _("Financeurs du cours.")
        ),
        Column(
            "certifications",
            "liste",
            _("Codes des certifications préparées (delf-a2, tcf-irn…)."),
            lambda o: [c.code for c in o.certifications.all()],
        ),
        Column(
            "certifications_libelles",
            "liste",
            _("Intitulés des certifications préparées, dans le même ordre."),
            lambda o: [c.name for c in o.certifications.all()],
        ),
        Column(
            "formacode", "code", _("Code Formacode (15235 FLE, 15043 alphabétisation…)."), lambda o: _text(o.formacode)
        ),
        Column(
            "code_rs", "code", _("Code au Répertoire spécifique (France compétences)."), lambda o: _text(o.rs_code)
        ),
        Column("code_rncp", "code", _("Code RNCP."), lambda o: _text(o.rncp_code)),
        Column(
            "contact_telephone",
            "texte",
            _("Téléphone pour s'inscrire ou se renseigner."),
            lambda o: _text(o.public_contact.phone),  # never a non-public person's (ADR 0019)
        ),
        Column(
            "contact_courriel",
            "texte",
            _("Courriel pour s'inscrire ou se renseigner."),
            lambda o: _text(o.public_contact.email),
        ),
        Column("verifie_le", "date", _("Date de la dernière vérification de la fiche."), lambda o: o.verified_on),
        *_location(lambda o: o.place),
        *_updated(),
    ),
    queryset=_courses,
    geometry=lambda o: _point(o.place),
)

# --- sessions --------------------------------------------------------------------------------------------


def _sessions(include_demo):
    return (
        Session.objects.filter(
            _not_demo(include_demo, "source", "course__source", "course__structure__source", "course__place__source"),
            course__status=PublicationStatus.PUBLISHED,
        )
        .select_related("course__place")
        .only(
            *(f.name for f in Session._meta.concrete_fields),
            "course__id",
            "course__place__id",
            "course__place__latitude",
            "course__place__longitude",
        )
        .order_by("pk")
    )


SESSIONS = Table(
    name="sessions",
    title=_("Sessions de cours"),
    description=_("Les sessions datées des cours (rentrées, dates de fin, places). Géométrie : le lieu du cours."),
    columns=(
        Column("id", "entier", _("Identifiant Carto-Langue de la session."), lambda o: o.pk),
        Column("cours_id", "entier", _("Identifiant du cours (fichier cours)."), lambda o: o.course_id),
        *_provenance(),
        Column("debut", "date", _("Date de début."), lambda o: o.starts_on),
        Column("fin", "date", _("Date de fin."), lambda o: o.ends_on),
        *_choice("etat_recrutement", "recruitment_status", enums.RecruitmentStatus, _("État du recrutement.")),
        Column("places", "entier", _("Nombre de places."), lambda o: o.seats),
        Column("places_restantes", "entier", _("Nombre de places restantes."), lambda o: o.seats_left),
        *_updated(),
    ),
    queryset=_sessions,
    geometry=lambda o: _point(o.course.place),
)

# --- exam sessions ---------------------------------------------------------------------------------------


def _exam_sessions(include_demo):
    return (
        ExamSession.objects.filter(_not_demo(include_demo, "source", "structure__source", "place__source"))
        .select_related("certification", "structure", "place__commune")
        .defer("place__commune__geometry")
        .order_by("pk")
    )


EXAM_SESSIONS = Table(
    name="sessions-examen",
    title=_("Sessions de tests de français"),
    description=_("Les dates des tests et diplômes de français (TCF, TEF, DELF, DCL…) dans les centres d'examen."),
    columns=(
        Column("id", "entier", _("Identifiant Carto-Langue de la session d'examen."), lambda o: o.pk),
        Column(
            "certification", "code", _("Code de la certification (delf-a2, tcf-irn…)."), lambda o: o.certification.code
        ),
        Column("certification_libelle", "texte", _("Intitulé de la certification."), lambda o: o.certification.name),
        Column(
            "famille",
            "code",
            _("Famille de la certification."),
            lambda o: o.certification.family,
            enums.CertificationFamily,
        ),
        Column(
            "niveau_cecrl",
            "code",
            _("Niveau CECRL certifié ; vide pour un test qui mesure tous les niveaux."),
            lambda o: _level(o.certification.level),
            enums.CecrlLevel,
        ),
        Column("eligible_cpf", "booleen", _("Éligible au CPF."), lambda o: o.certification.cpf_eligible),
        Column(
            "structure_id",
            "entier",
            _("Identifiant du centre d'examen (fichier structures)."),
            lambda o: o.structure_id,
        ),
        Column("structure_nom", "texte", _("Nom du centre d'examen."), lambda o: o.structure.name),
        Column("lieu_id", "entier", _("Identifiant du lieu (fichier lieux)."), lambda o: o.place_id),
        *_provenance(),
        Column("date_epreuve", "date", _("Date de l'épreuve."), lambda o: o.exam_date),
        Column("date_limite_inscription", "date", _("Date limite d'inscription."), lambda o: o.registration_deadline),
        Column("tarif_euros", "decimal", _("Tarif en euros."), lambda o: o.price),
        Column("places_restantes", "entier", _("Nombre de places restantes."), lambda o: o.seats_left),
        Column("lien_inscription", "texte", _("Lien d'inscription."), lambda o: _text(o.registration_url)),
        *_location(lambda o: o.place),
        *_updated(),
    ),
    queryset=_exam_sessions,
    geometry=lambda o: _point(o.place),
)

# Last: the actors' table is declared in its own module with the helpers above.
from cartolangue.interop.opendata.actors_table import ACTORS  # noqa: E402

TABLES = {t.name: t for t in (STRUCTURES, PLACES, COURSES, SESSIONS, EXAM_SESSIONS, ACTORS)}
