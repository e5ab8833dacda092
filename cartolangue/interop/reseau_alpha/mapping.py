"""Réseau Alpha vocabulary → our referentials.

`cartographie.json` (reseau-alpha.org) carries either the front-end keys (`PUBLIC_RSA`, `NIVEAU_CECR_A1`) or
the labels shown on reseau-alpha.org ("Bénéficiaires du RSA", "A1 (CECRL)"); both are accepted, compared after
folding case, accents and punctuation ("Parents d’élèves" and "Parents d'élèves" are one value). Keys and labels
are those of the MCKGL front end (`src/models/Formation.model.ts`) and of data·inclusion's staging models, listed
in tests/data/reseau_alpha/reseau-alpha-vocabulaire.csv.

Decisions (a value with no counterpart here is reported as a warning on the course, never guessed):
- Publics: the keys in `enums.RESEAU_ALPHA_AUDIENCES`, plus "Parents" and "Famille monoparentale" →
  `Audience.FAMILIES` (as data·inclusion does). "Orienté par des prescripteurs" is not a public but a way in:
  registration on prescription. "Habitant un territoire précis" and "Minorités de genre" have no audience: kept
  in the description, with a warning (an exclusive one restricts who may attend).
- Levels: CECRL values → `CecrlLevel`; "Infra A1.1" accepted at entry means no entry requirement;
  "Aucun niveau spécifique visé" and "Critère indifférent" say nothing. CNR ANLCI illiteracy degrees
  ("Degré 1"…"Degré 4") are not CECRL levels: kept in the description.
- Course type, in this order: the keywords of the course or programme name (ASL, OEPRE, FLE, alpha…, see
  `course_type_from_text`); "Français à visée professionnelle" → FOS; a course whose only objective is a French
  diploma → certification preparation; "Lutte contre l'illettrisme / Remise à niveau" → alpha (as the LHEO
  reader does for Formacode 15022); a course for people never or little schooled → alpha; "Français à visée
  sociale et communicative" → FLE; otherwise `autre`, with a warning.
- Parcours: professional French → professionnel; an employment or vocational-training objective →
  insertion socio-professionnelle; social French or an everyday-life, citizenship or parenting objective →
  intégration; otherwise empty.
- `joursHoraires` ("lundi:matin") only when `joursHorairesDetails` is absent: conventional slots (morning
  9:00–12:00, noon 12:00–14:00, afternoon 14:00–17:00, evening 18:00–21:00), reported as approximate.
"""

import re
from collections.abc import Iterable, Iterator
from datetime import time
from typing import Any

from django.utils.translation import gettext_lazy as _

from cartolangue.interop.common import course_type_from_text
from cartolangue.offers import enums
from cartolangue.text import fold

SOCIAL = "social"
PROFESSIONAL = "professionnel"
ILLITERACY = "illettrisme"

NO_LEVEL = "none"
BELOW_A1_1 = "infra"
ANLCI = "anlci"


def vocab_key(value: object) -> str:
    """'Parents d’élèves' and 'PARENTS_D_ELEVES ' → 'parents d eleves'."""
    return " ".join(re.sub(r"[^a-z0-9.]+", " ", fold(str(value))).split())


def _table(rows):
    """(key, label, value) rows → lookup on the folded key and the folded label."""
    table = {}
    for key, label, value in rows:
        for name in (key, label):
            if name:
                table[vocab_key(name)] = value
    return table


ACTIVITIES = _table(
    [
        ("ACTIVITE_LINGUISTIQUE_VISEE_AUTONOMIE_SOCIAL", "Français à visée sociale et communicative", SOCIAL),
        ("ACTIVITE_LINGUISTIQUE_VISEE_PRO", "Français à visée professionnelle", PROFESSIONAL),
        ("ACTIVITE_LINGUISTIQUE_LUTTE_CONTRE_ILLETTRISME", "Lutte contre l’illettrisme / Remise à niveau", ILLITERACY),
    ]
)

SCHOOLING = _table(
    [
        (
            "SCOLARISATION_JAMAIS_OU_PEU",
            "Jamais ou peu scolarisé (-3ans)",
            enums.Schooling.NONE_OR_LITTLE,
        ),
        (
            "SCOLARISATION_EN_LANGUE_ETRANGERE",
            "Scolarisé (3ans et +) en langue étrangère",
            enums.Schooling.FOREIGN_LANGUAGE,
        ),
        (
            "SCOLARISATION_EN_LANGUE_FRANCAISE",
            "Scolarisé (3ans et +) en langue française en France ou à l'étranger [illettrisme/remise à niveau]",
            enums.Schooling.FRENCH,
        ),
        ("", "Scolarisé (3ans et +) en langue française en France ou à l'étranger", enums.Schooling.FRENCH),
        ("SCOLARISATION_NEST_PAS_CRITERE", "Niveau de scolarisation indifférent", NO_LEVEL),
    ]
)

_CECRL_LABELS = {
    enums.CecrlLevel.A1_1: "A1.1",
    enums.CecrlLevel.A1: "A1",
    enums.CecrlLevel.A2: "A2",
    enums.CecrlLevel.B1: "B1",
    enums.CecrlLevel.B2: "B2",
    enums.CecrlLevel.C1: "C1",
    enums.CecrlLevel.C2: "C2",
}
LEVELS = _table(
    [(key, f"{_CECRL_LABELS[level]} (CECRL)", level) for key, level in enums.RESEAU_ALPHA_CECRL.items()]
    + [("", label, level) for level, label in _CECRL_LABELS.items()]
    + [
        ("", "Infra A1.1", BELOW_A1_1),
        ("", "Aucun niveau spécifique visé", NO_LEVEL),
        ("", "Critère indifférent", NO_LEVEL),
        ("", "Indifférent", NO_LEVEL),
        ("", "Aucun", NO_LEVEL),
    ]
)
_ANLCI = re.compile(r"^(?:cnr )?(?:anlci )?(?:illettrisme |illetrisme )?degre ([1-4])(?: cnr)?(?: anlci)?$")
# "CECRL : A2, B1", "Oral : A2", "Écrit : A2" prefixes, as on the pages
_LEVEL_PREFIX = re.compile(r"^\s*(?:cecrl?|oral|[ée]crit|cnr anlci(?: illettrisme| illetrisme)?)\s*:\s*", re.I)

FAMILIES_EXTRA = [
    ("PUBLIC_PARENTS", "Parents", enums.Audience.FAMILIES),
    ("PUBLIC_FAMILLE_MONOPARENTALE", "Famille monoparentale", enums.Audience.FAMILIES),
]
PRESCRIPTION = "prescription"
NO_AUDIENCE = None
_AUDIENCE_LABELS = {
    "PUBLIC_TOUS": "Tout public",
    "PUBLIC_RSA": "Bénéficiaires du RSA",
    "PUBLIC_HABITANT_QUARTIER_POLITIQUE_VILLE": "Habitant Quartier Politique de la Ville",
    "PUBLIC_JEUNES": "Jeune (16-25 ans)",
    "PUBLIC_PERSONNES_AGEES": "Personnes âgées (+60 ans)",
    "PUBLIC_FEMMES": "Femmes",
    "PUBLIC_PARENTS_ELEVES": "Parents d’élèves",
    "PUBLIC_SITUATION_HANDICAP": "Publics en situation de handicap",
    "PUBLIC_PRIMO_ARRIVANTS": "Primo-arrivants signataires du CIR",
    "PUBLIC_REFUGIES": "Réfugiés / Bénéficiaires de la protection internationale",
    "PUBLIC_DEMANDEURS_D_ASILE": "Demandeurs d'asile",
    "PUBLIC_RESIDENTS_CADA": "Résidents de centre d'hébergement ou de CADA",
    "PUBLIC_PROTECTION_TEMPORAIRE": "Bénéficiaires de la protection temporaire (déplacés ukrainiens)",
}
AUDIENCES = _table(
    [(key, _AUDIENCE_LABELS[key], audience) for key, audience in enums.RESEAU_ALPHA_AUDIENCES.items()]
    + FAMILIES_EXTRA
    + [
        ("", "Tous publics", enums.Audience.EVERYONE),
        ("PUBLIC_PRESCRIPTEUR", "Orienté par des prescripteurs", PRESCRIPTION),
        ("PUBLIC_HABITANT_TERRITOIRE", "Habitant un territoire précis", NO_AUDIENCE),
        ("PUBLIC_MINORITES_GENRE", "Minorités de genre", NO_AUDIENCE),
    ]
)
PUBLIC_LABELS = _table(
    [(key, label, label) for key, label in _AUDIENCE_LABELS.items()]
    + [(key, label, label) for key, label, _audience in FAMILIES_EXTRA]
    + [
        ("PUBLIC_PRESCRIPTEUR", "Orienté par des prescripteurs", "Orienté par des prescripteurs"),
        ("PUBLIC_HABITANT_TERRITOIRE", "Habitant un territoire précis", "Habitant un territoire précis"),
        ("PUBLIC_MINORITES_GENRE", "Minorités de genre", "Minorités de genre"),
    ]
)
AUDIENCE_MODES = {
    "prioritaire": enums.AudienceMode.PRIORITY,
    "priorite": enums.AudienceMode.PRIORITY,
    "exclusif": enums.AudienceMode.EXCLUSIVE,
    "exclusive": enums.AudienceMode.EXCLUSIVE,
}

# Objectives: our code → (key, label)
EMPLOYMENT = "emploi"
VOCATIONAL_TRAINING = "formation-professionnelle"
ARTS = "pratiques-artistiques"
EVERYDAY_LIFE = "autonomie"
STUDIES = "etudes"
DIPLOMA = "diplome"
BASIC_SKILLS = "savoirs-de-base"
CITIZENSHIP = "citoyennete"
PARENTING = "parentalite"
WRITTEN = "ecrit"
ORAL = "oral"
COMPUTING = "informatique"
OBJECTIVE_ROWS = [
    ("OBJECTIF_VISE_ACCES_EMPLOI", "Accéder à un emploi", EMPLOYMENT),
    (
        "OBJECTIF_VISE_FORMATION_PROFESSIONNELLE",
        "Accéder à une formation ou à une certification professionnelle",
        VOCATIONAL_TRAINING,
    ),
    ("OBJECTIF_VISE_PRATIQUES_ARTISTIQUES", "Développer des pratiques artistiques", ARTS),
    ("OBJECTIF_VISE_AUTONOMIE_SOCIAL", "Devenir autonome au quotidien", EVERYDAY_LIFE),
    ("OBJECTIF_VISE_ETUDES", "Poursuivre des études", STUDIES),
    ("OBJECTIF_VISE_DIPLOME", "Préparer un diplôme ou une certification de langue française", DIPLOMA),
    ("OBJECTIF_VISE_SAVOIRS_DE_BASE", "S'approprier ou renforcer les savoirs/compétences de base", BASIC_SKILLS),
    ("OBJECTIF_VISE_CITOYENNETE", "Se former aux questions civiques et de citoyenneté", CITIZENSHIP),
    ("OBJECTIF_VISE_PARENTALITE", "Suivre la scolarité des enfants / parentalité", PARENTING),
    ("OBJECTIF_VISE_TRAVAILLER_ECRIT", "Travailler l’écrit", WRITTEN),
    ("OBJECTIF_VISE_TRAVAILLER_ORAL", "Travailler l’oral", ORAL),
    ("OBJECTIF_VISE_INFORMATIQUE", "Utiliser l’informatique", COMPUTING),
]
OBJECTIVES = _table(OBJECTIVE_ROWS)
OBJECTIVE_LABELS = {code: label for _key, label, code in OBJECTIVE_ROWS}

WEEKDAYS = _table(
    [
        ("JOUR_LUNDI", "lundi", enums.Weekday.MONDAY),
        ("JOUR_MARDI", "mardi", enums.Weekday.TUESDAY),
        ("JOUR_MERCREDI", "mercredi", enums.Weekday.WEDNESDAY),
        ("JOUR_JEUDI", "jeudi", enums.Weekday.THURSDAY),
        ("JOUR_VENDREDI", "vendredi", enums.Weekday.FRIDAY),
        ("JOUR_SAMEDI", "samedi", enums.Weekday.SATURDAY),
        ("JOUR_DIMANCHE", "dimanche", enums.Weekday.SUNDAY),
    ]
)
# Conventional slots for the coarse `joursHoraires` ("lundi:matin"): they keep the search's morning /
# afternoon / evening semantics (ADR 0006), and the report says they are approximate.
MOMENTS = _table(
    [
        ("MATIN", "matin", (time(9), time(12))),
        ("MIDI", "midi", (time(12), time(14))),
        ("APRES_MIDI", "après-midi", (time(14), time(17))),
        ("SOIREE", "soirée", (time(18), time(21))),
    ]
)

STRUCTURE_KINDS = [
    ("centre social", enums.StructureKind.SOCIAL_CENTRE),
    ("association", enums.StructureKind.ASSOCIATION),
    ("organisme de formation", enums.StructureKind.TRAINING_BODY),
    ("collectivite", enums.StructureKind.COLLECTIVITY),
    ("mairie", enums.StructureKind.COLLECTIVITY),
    ("ccas", enums.StructureKind.COLLECTIVITY),
    ("etablissement public", enums.StructureKind.PUBLIC_BODY),
]

FREE_COSTS = {"0", "0 e", "0e", "0 euro", "0 euros", "0.00", "0.0", "0,00", "gratuit", "gratuite", "gratuit e"}


def split_levels(values: Iterable[object]) -> Iterator[str]:
    """The level values of a list, page prefixes ("CECRL : A2, B1") removed and commas split."""
    for value in values:
        text, previous = str(value), None
        while text != previous:  # "CECRL : Oral : A2"
            previous, text = text, _LEVEL_PREFIX.sub("", text)
        yield from (part.strip() for part in text.split(",") if part.strip())


def parse_level(value: object) -> tuple[str | None, Any]:
    """(kind, level): kind is "cecrl" (level a CecrlLevel), BELOW_A1_1 ("Infra A1.1"), NO_LEVEL ("Critère
    indifférent"), ANLCI (level "Degré N") or None (unknown)."""
    key = vocab_key(value)
    if key in LEVELS:
        level = LEVELS[key]
        return (level, None) if level in (NO_LEVEL, BELOW_A1_1) else ("cecrl", level)
    match = _ANLCI.match(key)
    if match:
        return ANLCI, _("Degré %(n)s") % {"n": match.group(1)}
    return None, None


def course_type_for(
    *, name: str, programmes: list[str], activity: str | None, objectives: list[str], schooling: list[str]
) -> tuple[str, bool]:
    """The course type and whether it was found (False: `autre`, to be reported)."""
    found = course_type_from_text(name, *programmes)
    if found:
        return found, True
    if activity == PROFESSIONAL:
        return enums.CourseType.WORK, True
    if objectives and set(objectives) == {DIPLOMA}:
        return enums.CourseType.CERTIFICATION_PREP, True
    if activity == ILLITERACY:
        return enums.CourseType.ALPHA, True
    if schooling and set(schooling) == {enums.Schooling.NONE_OR_LITTLE}:
        return enums.CourseType.ALPHA, True
    if activity == SOCIAL:
        return enums.CourseType.FLE, True
    return enums.CourseType.OTHER, False


def parcours_for(*, activity: str | None, objectives: Iterable[str]) -> str:
    objectives = set(objectives)
    if activity == PROFESSIONAL:
        return enums.Parcours.PRO
    if objectives & {EMPLOYMENT, VOCATIONAL_TRAINING}:
        return enums.Parcours.SOCIO_PRO
    if activity == SOCIAL or objectives & {EVERYDAY_LIFE, CITIZENSHIP, PARENTING}:
        return enums.Parcours.INTEGRATION
    return ""


def structure_kind(value: object) -> str | None:
    key = vocab_key(value)
    for words, kind in STRUCTURE_KINDS:
        if words in key:
            return kind
    return None
