"""The parcours guide's questions and the pathway it derives (issue #22). Stateless: the answers are query-string
parameters; each question is declared once (its parameter, its sentence, its choices, its pictogram), and the
pathway's filters are the search engine's own parameters (search/filters.py), so the links it gives open the
same search a counsellor would type."""

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cartolangue.actors.enums import ActorKind
from cartolangue.offers.enums import Audience, CecrlLevel, Schooling
from cartolangue.parcours.rules import GOALS, Goal

UNKNOWN = "nsp"  # "je ne sais pas"
LEVELS = [None, CecrlLevel.A1, CecrlLevel.A2, CecrlLevel.B1, CecrlLevel.B2]  # None: not yet A1
LEVEL_VALUES = {"aucun": None, "A1": CecrlLevel.A1, "A2": CecrlLevel.A2, "B1": CecrlLevel.B1, "B2": CecrlLevel.B2}


@dataclass(frozen=True)
class Question:
    param: str
    sentence: Promise
    hint: Promise
    choices: tuple[tuple[str, Promise], ...]
    pictogram: str  # a name of parcours/_pictogram.html
    several: bool = False  # checkboxes (any number) rather than one choice
    optional: bool = False  # "passer" is allowed


QUESTIONS: tuple[Question, ...] = (
    Question(
        "objectif",
        _("Pourquoi voulez-vous apprendre le français ?"),
        _("Choisissez ce qui compte le plus pour vous maintenant."),
        tuple((code, goal.label) for code, goal in GOALS.items()),
        "goal",
    ),
    Question(
        "oral",
        _("Quand vous parlez français, vous pouvez…"),
        _("Choisissez la phrase la plus proche de vous."),
        (
            ("aucun", _("Pas encore : je connais quelques mots")),
            ("A1", _("Dire bonjour, mon nom, mon adresse, comprendre des phrases très simples (A1)")),
            ("A2", _("Parler de moi, faire des courses, prendre un rendez-vous (A2)")),
            ("B1", _("Raconter, expliquer un problème, parler au travail (B1)")),
            ("B2", _("Discuter de beaucoup de sujets sans difficulté (B2)")),
            (UNKNOWN, _("Je ne sais pas")),
        ),
        "speak",
    ),
    Question(
        "ecrit",
        _("Quand vous lisez et écrivez en français, vous pouvez…"),
        _("Choisissez la phrase la plus proche de vous."),
        (
            ("aucun", _("Pas encore : je ne lis pas ou peu l'alphabet latin")),
            ("A1", _("Lire et écrire mon nom, une adresse, un formulaire simple (A1)")),
            ("A2", _("Lire un message court, écrire un petit mot (A2)")),
            ("B1", _("Lire un courrier, écrire une lettre simple (B1)")),
            ("B2", _("Lire et écrire des textes longs (B2)")),
            (UNKNOWN, _("Je ne sais pas")),
        ),
        "write",
    ),
    Question(
        "scolarite",
        _("Combien d'années êtes-vous allé(e) à l'école ?"),
        _("Dans votre pays ou en France."),
        tuple((value, label) for value, label in Schooling.choices),
        "school",
    ),
    Question(
        "age",
        _("Quel âge avez-vous ?"),
        _("Certains accompagnements dépendent de l'âge."),
        (("moins-26", _("Moins de 26 ans")), ("26-64", _("De 26 à 64 ans")), ("65-plus", _("65 ans ou plus"))),
        "age",
    ),
    Question(
        "situation",
        _("Votre situation"),
        _("Cochez tout ce qui vous concerne, ou rien."),
        (
            ("cir", _("J'ai signé le contrat d'intégration républicaine (CIR) avec l'Ofii")),
            ("demandeur-emploi", _("Je cherche un emploi (inscrit ou non à France Travail)")),
            ("rsa", _("Je touche le RSA")),
            ("refugie", _("Je suis réfugié(e) ou protégé(e)")),
        ),
        "situation",
        several=True,
        optional=True,
    ),
    Question(
        "contraintes",
        _("Ce qu'il vous faut"),
        _("Cochez tout ce qui compte, ou rien."),
        (
            ("garde", _("Une garde pour mes enfants pendant le cours")),
            ("matin", _("Des cours le matin")),
            ("apres-midi", _("Des cours l'après-midi")),
            ("soir", _("Des cours le soir")),
            ("gratuit", _("Des cours gratuits")),
        ),
        "needs",
        several=True,
        optional=True,
    ),
)
PARAMS = [q.param for q in QUESTIONS]
# Situation → the course audience it opens (offers.enums.Audience) and the actor who can help.
SITUATION_AUDIENCE = {
    "cir": Audience.CIR,
    "demandeur-emploi": Audience.JOB_SEEKERS,
    "rsa": Audience.RSA,
    "refugie": Audience.BPI,
}
SLOT_NEEDS = ("matin", "apres-midi", "soir")


@dataclass
class Answers:
    values: dict[str, list[str]] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)  # parameters whose value was not one of the choices

    def one(self, param: str) -> str | None:
        return (self.values.get(param) or [None])[0]

    def many(self, param: str) -> list[str]:
        return self.values.get(param, [])

    def answered(self, question: Question) -> bool:
        return question.param in self.values

    def query(self, upto: int | None = None) -> QueryDict:
        """The answers as a query string, those of the first `upto` questions only when given."""
        out = QueryDict(mutable=True)
        for question in QUESTIONS[:upto]:
            if question.param in self.values:
                out.setlist(question.param, self.values[question.param] or [""])
        return out


def read_answers(params: QueryDict) -> Answers:
    """The answers in a query string, each checked against its question's choices (an unknown value is dropped
    and said, so that its question is asked again)."""
    answers = Answers()
    for question in QUESTIONS:
        if question.param not in params:
            continue
        allowed = {value for value, _label in question.choices}
        given = [v for v in params.getlist(question.param) if v != ""]
        valid = [v for v in given if v in allowed]
        if len(valid) != len(given) or (not question.several and len(valid) != 1 and not question.optional):
            answers.invalid.append(question.param)
            continue
        answers.values[question.param] = list(dict.fromkeys(valid if question.several else valid[:1]))
    return answers


def next_question(answers: Answers) -> int | None:
    """The position of the first question not answered yet, or None when all are."""
    return next((i for i, q in enumerate(QUESTIONS) if not answers.answered(q)), None)


@dataclass
class Pathway:
    goal: Goal
    oral: CecrlLevel | None
    written: CecrlLevel | None
    level_unknown: bool  # "je ne sais pas" to one of the two: a positioning test comes first
    reached: bool  # the target is reached at the oral and the written
    steps: list[CecrlLevel]  # the levels still to reach, in order, up to the goal's
    course_params: list[tuple[str, str]]  # the search engine's parameters of the matching courses
    exam_params: list[tuple[str, str]]  # the tests' tab parameters of the accepted certifications
    actor_kinds: list[str]  # the support actors who can help, in order

    @property
    def course_query(self) -> str:
        return urlencode(self.course_params)

    @property
    def exam_query(self) -> str:
        return urlencode(self.exam_params)


def _level(value: str | None) -> CecrlLevel | None:
    return LEVEL_VALUES.get(value or "aucun")


def pathway(answers: Answers) -> Pathway:
    """What the answers lead to: the target level and why (the rules table), the levels between, the search
    filters of the matching courses, the certifications, and the actors to see."""
    goal = GOALS[answers.one("objectif")]
    oral_answer, written_answer = answers.one("oral"), answers.one("ecrit")
    unknown = UNKNOWN in (oral_answer, written_answer)
    oral = None if oral_answer == UNKNOWN else _level(oral_answer)
    written = None if written_answer == UNKNOWN else _level(written_answer)
    lowest = min((lvl for lvl in (oral, written) if lvl is not None), default=None)
    if oral is None or written is None:
        lowest = None
    reached = not unknown and lowest is not None and lowest >= goal.level
    steps = [lvl for lvl in LEVELS[1:] if lvl <= goal.level and (lowest is None or lvl > lowest)]
    course = []
    if not unknown:
        course += [("niveau_entree_oral", _label(oral)), ("niveau_entree_ecrit", _label(written))]
    if answers.one("scolarite"):
        course.append(("scolarisation", answers.one("scolarite")))
    course += [("type", t) for t in goal.course_types]
    course += [("public", SITUATION_AUDIENCE[s]) for s in answers.many("situation")]
    needs = answers.many("contraintes")
    course += [("creneau", n) for n in needs if n in SLOT_NEEDS]
    if "garde" in needs:
        course.append(("garde_enfants", "oui"))
    if "gratuit" in needs:
        course.append(("gratuit", "oui"))
    exams = [("onglet", "tests"), *(("certification", c) for c in goal.certifications)]
    kinds = []
    if answers.one("age") == "moins-26":
        kinds.append(ActorKind.MISSION_LOCALE)
    if {"demandeur-emploi", "rsa"} & set(answers.many("situation")) or goal.code == "emploi":
        kinds.append(ActorKind.FRANCE_TRAVAIL)
    if {"cir", "refugie"} & set(answers.many("situation")):
        kinds.append(ActorKind.OFII)
    kinds.append(ActorKind.FRANCE_SERVICES)
    return Pathway(goal, oral, written, unknown, reached, steps, course, exams if goal.certifications else [], kinds)


def _label(level: CecrlLevel | None) -> str:
    return "aucun" if level is None else level.label
