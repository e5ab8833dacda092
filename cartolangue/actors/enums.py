"""The referential of support actors (issue #22): their kinds and the schemes they run, and what each kind
serves by default. One table: the importers, the search facets, the pages and the API read it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cartolangue.offers.enums import Audience


class ActorKind(models.TextChoices):
    MISSION_LOCALE = "mission-locale", _("Mission Locale")
    FRANCE_TRAVAIL = "france-travail", _("Agence France Travail")
    OFII = "ofii", _("Ofii – direction territoriale")
    CCAS = "ccas", _("CCAS / CIAS")
    FRANCE_SERVICES = "france-services", _("France Services")
    PLIE = "plie", _("PLIE")
    CAP_EMPLOI = "cap-emploi", _("Cap emploi")
    SIAE_ACI = "siae-aci", _("SIAE – atelier et chantier d'insertion (ACI)")
    SIAE_EI = "siae-ei", _("SIAE – entreprise d'insertion (EI)")
    SIAE_ETTI = "siae-etti", _("SIAE – entreprise de travail temporaire d'insertion (ETTI)")
    SIAE_AI = "siae-ai", _("SIAE – association intermédiaire (AI)")
    SIAE_EITI = "siae-eiti", _("SIAE – entreprise d'insertion par le travail indépendant (EITI)")
    CIDFF = "cidff", _("CIDFF – droits des femmes et des familles")
    RIGHTS = "acces-aux-droits", _("Point-justice, maison de justice et du droit")
    ILLITERACY_CENTRE = "centre-ressources-illettrisme", _("Centre ressources illettrisme")
    REFUGEES = "accompagnement-refugies", _("Accompagnement des personnes réfugiées")
    OTHER = "autre", _("Autre acteur")


class Scheme(models.TextChoices):
    """What an actor can open for a person: the schemes a counsellor orients to."""

    CEJ = "cej", _("Contrat d'engagement jeune (CEJ)")
    PLIE = "accompagnement-plie", _("Accompagnement PLIE")
    SIAE = "parcours-siae", _("Parcours en insertion par l'activité économique (SIAE)")
    AGIR = "agir-refugies", _("Programme Agir / AIR pour les réfugiés")
    CIR = "suivi-cir", _("Suivi du contrat d'intégration républicaine (CIR)")
    FUNDING = "financement-formation", _("Conseil et financement de formation (CPF, AIF)")
    JOB_SEARCH = "recherche-emploi", _("Accompagnement vers l'emploi")
    RIGHTS = "acces-aux-droits", _("Accès aux droits et démarches administratives")
    DIGITAL = "accompagnement-numerique", _("Aide aux démarches en ligne")
    LEGAL = "information-juridique", _("Information juridique")


SIAE_KINDS = (ActorKind.SIAE_ACI, ActorKind.SIAE_EI, ActorKind.SIAE_ETTI, ActorKind.SIAE_AI, ActorKind.SIAE_EITI)

# What a kind of actor serves and runs when its source does not say: the publics (the audience referential of
# the courses) and the schemes. Sources that say more add to it.
KIND_DEFAULTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ActorKind.MISSION_LOCALE: ((Audience.YOUNG,), (Scheme.CEJ, Scheme.JOB_SEARCH, Scheme.FUNDING)),
    ActorKind.FRANCE_TRAVAIL: (
        (Audience.JOB_SEEKERS, Audience.RSA, Audience.BPI),
        (Scheme.JOB_SEARCH, Scheme.FUNDING, Scheme.CEJ),
    ),
    ActorKind.OFII: ((Audience.CIR, Audience.BPI), (Scheme.CIR, Scheme.AGIR)),
    ActorKind.CCAS: ((Audience.EVERYONE, Audience.RSA), (Scheme.RIGHTS,)),
    ActorKind.FRANCE_SERVICES: ((Audience.EVERYONE,), (Scheme.RIGHTS, Scheme.DIGITAL)),
    ActorKind.PLIE: ((Audience.JOB_SEEKERS, Audience.RSA), (Scheme.PLIE, Scheme.JOB_SEARCH)),
    ActorKind.CAP_EMPLOI: ((Audience.DISABILITY,), (Scheme.JOB_SEARCH,)),
    **{kind: ((Audience.JOB_SEEKERS, Audience.RSA), (Scheme.SIAE,)) for kind in SIAE_KINDS},
    ActorKind.CIDFF: ((Audience.WOMEN, Audience.FAMILIES), (Scheme.RIGHTS, Scheme.LEGAL, Scheme.JOB_SEARCH)),
    ActorKind.RIGHTS: ((Audience.EVERYONE,), (Scheme.LEGAL, Scheme.RIGHTS)),
    ActorKind.ILLITERACY_CENTRE: ((Audience.EVERYONE,), ()),
    ActorKind.REFUGEES: ((Audience.BPI, Audience.ASYLUM_SEEKERS), (Scheme.AGIR, Scheme.RIGHTS)),
    ActorKind.OTHER: ((), ()),
}
# How far an actor's help reaches when its source does not list the communes it covers (its *ressort*).
DEFAULT_REACH_KM = 10
