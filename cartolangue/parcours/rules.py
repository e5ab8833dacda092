"""The rules the parcours guide applies, as data, in one table (docs/parcours-regles.md gives the same table with
its legal references; a test pins one to the other).

For a residence or nationality step, the level of French the law requires since 1 January 2026 (loi n° 2024-42
du 26 janvier 2024 « pour contrôler l'immigration, améliorer l'intégration », and its texts of application), and
the certifications of our referential that can prove it. For the other goals, the level the guide advises, said
as advice. The guide informs: the prefecture decides, and the list of accepted diplomas is fixed by arrêté."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cartolangue.offers.enums import CecrlLevel, CourseType


@dataclass(frozen=True)
class Goal:
    code: str
    label: Promise
    level: CecrlLevel  # the level to reach
    required_by_law: bool  # True: a legal condition; False: the guide's advice
    why: Promise
    certifications: tuple[str, ...]  # Certification codes that prove the level (empty: none is required)
    references: tuple[str, ...]  # legal texts, for docs/parcours-regles.md
    course_types: tuple[str, ...] = ()  # course types that lead there (empty: any)


# Multi-level tests whose result states the level reached, accepted for the three residence/nationality steps.
IRN_TESTS = ("tcf-irn", "tef-irn")
LAW = "Loi n° 2024-42 du 26 janvier 2024"  # « pour contrôler l'immigration, améliorer l'intégration »
IN_FORCE = "décret du 15 juillet 2025"  # the levels apply to first applications since 1 January 2026
LIST = "arrêté du 22 décembre 2025"  # the diplomas and certifications accepted

GOALS: dict[str, Goal] = {
    g.code: g
    for g in (
        Goal(
            "carte-pluriannuelle",
            _("Obtenir une carte de séjour de plusieurs années (carte pluriannuelle)"),
            CecrlLevel.A2,
            True,
            _("La première carte de séjour pluriannuelle demande le niveau A2 en français, à l'oral et à l'écrit."),
            ("delf-a2", "delf-b1", "delf-b2", "dalf-c1", "dalf-c2", *IRN_TESTS),
            (LAW, "CESEDA, art. L. 433-4", IN_FORCE, LIST),
        ),
        Goal(
            "carte-resident",
            _("Obtenir la carte de résident (10 ans)"),
            CecrlLevel.B1,
            True,
            _("La première carte de résident demande le niveau B1 en français, à l'oral et à l'écrit."),
            ("delf-b1", "delf-b2", "dalf-c1", "dalf-c2", *IRN_TESTS),
            (LAW, "CESEDA, art. L. 413-7", IN_FORCE, LIST),
        ),
        Goal(
            "nationalite",
            _("Devenir français (naturalisation)"),
            CecrlLevel.B2,
            True,
            _("La naturalisation demande le niveau B2 en français, à l'oral et à l'écrit."),
            ("delf-b2", "dalf-c1", "dalf-c2", *IRN_TESTS, "tcf-anf"),
            (LAW, "Code civil, art. 21-24", IN_FORCE, LIST),
        ),
        Goal(
            "emploi",
            _("Trouver un emploi ou une formation"),
            CecrlLevel.B1,
            False,
            _("Pour la plupart des emplois et des formations qualifiantes, le niveau B1 est conseillé."),
            (),
            (),
            (CourseType.FLE, CourseType.WORK, CourseType.POST_ALPHA, CourseType.ALPHA),
        ),
        Goal(
            "vie-quotidienne",
            _("Me débrouiller au quotidien (démarches, santé, transports)"),
            CecrlLevel.A2,
            False,
            _("Le niveau A2 permet de se débrouiller seul dans la vie de tous les jours."),
            (),
            (),
            (CourseType.ASL, CourseType.ALPHA, CourseType.POST_ALPHA, CourseType.FLE),
        ),
        Goal(
            "ecole-enfants",
            _("Suivre la scolarité de mes enfants"),
            CecrlLevel.A2,
            False,
            _(
                "Les ateliers « Ouvrir l'école aux parents » (OEPRE) aident à comprendre l'école et à échanger "
                "avec elle."
            ),
            (),
            (),
            (CourseType.OEPRE, CourseType.ASL, CourseType.ALPHA, CourseType.FLE),
        ),
    )
}


def uses_of(certification_code: str) -> list[Goal]:
    """The residence and nationality steps a certification can prove the level of (was Certification.usage)."""
    return [g for g in GOALS.values() if g.required_by_law and certification_code in g.certifications]
