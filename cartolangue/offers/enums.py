"""Referentials of the language offer: English members, French labels, external codes beside them.

Audiences reuse the values of data·inclusion's `Public` (data-inclusion-schema) where they fit; the
language-specific referentials (course types, CECRL levels, schooling) are ours. External codes
(Réseau Alpha keys, LHEO funder codes) are in the mappings at the end of this module.
"""

from data_inclusion.schema.v1 import Public
from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseType(models.TextChoices):
    ALPHA = "alpha", _("Alphabétisation")
    POST_ALPHA = "post-alpha", _("Post-alphabétisation")
    FLE = "fle", _("Français langue étrangère (FLE)")
    ASL = "asl", _("Atelier sociolinguistique (ASL)")
    OEPRE = "oepre", _("Ouvrir l'école aux parents pour la réussite des enfants (OEPRE)")
    WORK = "fos", _("Français à visée professionnelle")
    CIR = "cir", _("Formation linguistique du CIR (Ofii)")
    CERTIFICATION_PREP = "preparation-certification", _("Préparation à une certification")
    OTHER = "autre", _("Autre")


class Parcours(models.TextChoices):
    INTEGRATION = "integration", _("Intégration")
    SOCIO_PRO = "insertion-socio-professionnelle", _("Insertion socio-professionnelle")
    PRO = "professionnel", _("Professionnel")


class CecrlLevel(models.IntegerChoices):
    """CECRL levels; the integer order is the learning order, so the database can compare levels."""

    A1_1 = 10, "A1.1"
    A1 = 20, "A1"
    A2 = 30, "A2"
    B1 = 40, "B1"
    B2 = 50, "B2"
    C1 = 60, "C1"
    C2 = 70, "C2"


class Schooling(models.TextChoices):
    """Réseau Alpha's schooling criteria (years of schooling, and in which language)."""

    NONE_OR_LITTLE = "jamais-ou-peu", _("Jamais ou peu scolarisé (moins de 3 ans)")
    FOREIGN_LANGUAGE = "langue-etrangere", _("Scolarisé (3 ans et plus) en langue étrangère")
    FRENCH = "langue-francaise", _("Scolarisé (3 ans et plus) en langue française")


class Audience(models.TextChoices):
    """Who a course is for: one value per meaning, in the order a counsellor reads them (ADR 0002).

    The values of data·inclusion's `Public` are reused as they are (checked against the package in the tests);
    ours are the audiences of the language offer that data·inclusion folds into one of its own
    (`AUDIENCE_TO_DI_PUBLIC`). The member order is the order of the facet and of every list of audiences: the
    administrative situations that open a dedicated offer first (CIR, protection, asylum), then employment and
    income, age and family, then the rest, "Tous publics" last. A declared order rather than counts: the counts
    of "courses this person may attend" are nearly equal (every open course counts for every audience), and a
    fixed order keeps each box where the counsellor found it when the filters change.
    """

    CIR = "signataires-cir", _("Primo-arrivants signataires du CIR")
    BPI = "bpi", _("Réfugiés / bénéficiaires de la protection internationale")
    ASYLUM_SEEKERS = "demandeurs-asile", _("Demandeurs d’asile")
    TEMPORARY_PROTECTION = "protection-temporaire", _("Bénéficiaires de la protection temporaire")
    EXILES = Public.PERSONNES_EXILEES.value, _("Personnes exilées")
    JOB_SEEKERS = Public.DEMANDEURS_EMPLOI.value, _("Demandeurs d’emploi")
    RSA = "beneficiaires-rsa", _("Bénéficiaires du RSA")
    MINIMA_SOCIAUX = Public.BENEFICIAIRES_DES_MINIMAS_SOCIAUX.value, _("Bénéficiaires des minimas sociaux")
    WORKERS = Public.ACTIFS.value, _("Actifs")
    YOUNG = Public.JEUNES.value, _("Jeunes")
    PARENTS = "parents-eleves", _("Parents d’élèves")
    FAMILIES = Public.FAMILLES.value, _("Familles")
    WOMEN = Public.FEMMES.value, _("Femmes")
    QPV = Public.RESIDENTS_QPV_FRR.value, _("Résidents en QPV ou FRR")
    STUDENTS = Public.ETUDIANTS.value, _("Étudiants")
    SENIORS = Public.SENIORS.value, _("Séniors")
    DISABILITY = Public.PERSONNES_EN_SITUATION_DE_HANDICAP.value, _("Personnes en situation de handicap")
    SHELTER = "residents-hebergement", _("Résidents de centre d’hébergement ou de CADA")
    EMERGENCY = Public.PERSONNES_EN_SITUATION_D_URGENCE.value, _("Personnes en situation d’urgence")
    SPECIFIC_LEGAL = (
        Public.PERSONNES_EN_SITUATION_JURIDIQUE_SPECIFIQUE.value,
        _("Personnes en situation juridique spécifique"),
    )
    EVERYONE = Public.TOUS_PUBLICS.value, _("Tous publics")


# Former audience values → the value that now carries their meaning. Links, printed QR codes and files written
# before the merge still carry them: the search parameters and the importers read them through this table.
RETIRED_AUDIENCES = {
    "jeunes-16-25": Audience.YOUNG,  # "Jeunes (16-25 ans)" was data·inclusion's "jeunes" under a second value
}
# Their labels, as spreadsheets filled from an older template carry them.
RETIRED_AUDIENCE_LABELS = {"Jeunes (16-25 ans)": Audience.YOUNG}


def current_audience(value: str) -> str:
    """The audience value that carries the meaning of `value` today (itself unless it was retired)."""
    return str(RETIRED_AUDIENCES.get(value, value))


class AudienceMode(models.TextChoices):
    PRIORITY = "prioritaire", _("Prioritaire")
    EXCLUSIVE = "exclusif", _("Exclusif")


class Funder(models.TextChoices):
    """LHEO 2.3 dict-financeurs (codes in LHEO_FUNDER_CODES), plus CPF, which LHEO carries apart."""

    STATE_EMPLOYMENT = "etat-emploi", _("État – ministère chargé de l’emploi")
    STATE_EDUCATION = "etat-education", _("État – ministère de l’Éducation nationale")
    STATE_INTERIOR = "etat-interieur", _("État – ministère de l’Intérieur")
    STATE_OTHER = "etat-autre", _("État – autre")
    OFII = "ofii", _("Ofii – Office français de l’immigration et de l’intégration")
    REGION = "region", _("Conseil régional")
    DEPARTEMENT = "departement", _("Conseil départemental")
    COMMUNE = "commune", _("Commune")
    OTHER_COLLECTIVITY = "collectivite-autre", _("Autre collectivité territoriale")
    FRANCE_TRAVAIL = "france-travail", _("France Travail")
    FSE = "fse", _("Fonds européens – FSE")
    EU_OTHER = "europe-autre", _("Fonds européens – autre")
    COMPANY = "entreprise", _("Entreprise")
    OPCO = "opco", _("OPCO")
    TRANSITION_PRO = "transition-pro", _("Transition Pro")
    AGEFIPH = "agefiph", _("Agefiph")
    ACSE = "acse", _("ACSÉ (anciennement FASILD)")
    LADOM = "ladom", _("LADOM")
    LEARNER = "beneficiaire", _("Bénéficiaire de l’action")
    CPF = "cpf", _("Compte personnel de formation (CPF)")
    OTHER = "autre", _("Autre")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


class Modality(models.TextChoices):
    ON_SITE = "presentiel", _("En présentiel")
    REMOTE = "distanciel", _("À distance")
    HYBRID = "hybride", _("Mixte")


class RegistrationMode(models.TextChoices):
    OPEN = "libre", _("Inscription libre")
    PRESCRIPTION = "prescription", _("Sur prescription")
    PLACEMENT_TEST = "test-positionnement", _("Après un test de positionnement")


class RecruitmentStatus(models.TextChoices):
    """LHEO dict-etat-recrutement."""

    OPEN = "ouvert", _("Inscriptions ouvertes")
    CLOSED = "ferme", _("Inscriptions fermées")
    WAITING_LIST = "liste-attente", _("Liste d’attente")


class PublicationStatus(models.TextChoices):
    """Whether a course is shown to the public: a provider under pre-moderation proposes, a coordinator approves;
    an archived course is kept (its history, its links) but shown nowhere."""

    PUBLISHED = "publie", _("Publié")
    PENDING = "en-attente", _("En attente de validation")
    ARCHIVED = "archive", _("Archivé")


class ConfirmedBy(models.TextChoices):
    """Who last said a course's information is true (Course.verified_on, verified_by)."""

    SOURCE = "source", _("la source")
    STRUCTURE = "structure", _("la structure")
    COORDINATION = "coordination", _("la coordination")


class ContactRole(models.TextChoices):
    """The role a course's contact is shown by when the person is not a public contact point (ADR 0019)."""

    RECEPTION = "accueil", _("Accueil")
    REFERENT = "referent", _("Référent")


class StructureKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    TRAINING_BODY = "organisme-formation", _("Organisme de formation")
    PUBLIC_BODY = "organisme-public", _("Organisme public")
    COLLECTIVITY = "collectivite", _("Collectivité")
    CERTIFICATION_CENTRE = "centre-examen", _("Centre d’examen")
    SOCIAL_CENTRE = "centre-social", _("Centre social")
    OTHER = "autre", _("Autre")


class Network(models.TextChoices):
    RESEAU_ALPHA = "reseau-alpha", _("Membre du Réseau Alpha")
    OFII = "ofii", _("Prestataire de l’Ofii")
    CENTRE_SOCIAL = "centres-sociaux", _("Fédération des centres sociaux")
    FRANCE_EDUCATION = "france-education-international", _("Centre agréé France Éducation international")


class CertificationFamily(models.TextChoices):
    DILF = "dilf", "DILF"
    DELF = "delf", "DELF"
    DALF = "dalf", "DALF"
    DCL = "dcl", "DCL"
    TCF = "tcf", "TCF"
    TEF = "tef", "TEF"
    CLEA = "clea", "CléA"


# --- External codes --------------------------------------------------------------------------------

LHEO_FUNDER_CODES: dict[str, str] = {
    Funder.STATE_EMPLOYMENT: "11",
    Funder.STATE_EDUCATION: "12",
    Funder.STATE_OTHER: "13",
    Funder.STATE_INTERIOR: "19",
    Funder.OFII: "20",
    Funder.REGION: "2",
    Funder.DEPARTEMENT: "8",
    Funder.COMMUNE: "9",
    Funder.OTHER_COLLECTIVITY: "15",
    Funder.FRANCE_TRAVAIL: "4",
    Funder.FSE: "3",
    Funder.EU_OTHER: "14",
    Funder.COMPANY: "5",
    Funder.OPCO: "16",
    Funder.TRANSITION_PRO: "17",
    Funder.AGEFIPH: "7",
    Funder.ACSE: "6",
    Funder.LADOM: "18",
    Funder.LEARNER: "10",
    Funder.OTHER: "0",
}

RESEAU_ALPHA_CECRL = {
    "NIVEAU_CECR_A1_1": CecrlLevel.A1_1,
    "NIVEAU_CECR_A1": CecrlLevel.A1,
    "NIVEAU_CECR_A2": CecrlLevel.A2,
    "NIVEAU_CECR_B1": CecrlLevel.B1,
    "NIVEAU_CECR_B2": CecrlLevel.B2,
    "NIVEAU_CECR_C1": CecrlLevel.C1,
    "NIVEAU_CECR_C2": CecrlLevel.C2,
}

RESEAU_ALPHA_SCHOOLING = {
    "SCOLARISATION_JAMAIS_OU_PEU": Schooling.NONE_OR_LITTLE,
    "SCOLARISATION_EN_LANGUE_ETRANGERE": Schooling.FOREIGN_LANGUAGE,
    "SCOLARISATION_EN_LANGUE_FRANCAISE": Schooling.FRENCH,
}

RESEAU_ALPHA_AUDIENCES = {
    "PUBLIC_TOUS": Audience.EVERYONE,
    "PUBLIC_RSA": Audience.RSA,
    "PUBLIC_HABITANT_QUARTIER_POLITIQUE_VILLE": Audience.QPV,
    "PUBLIC_JEUNES": Audience.YOUNG,
    "PUBLIC_PERSONNES_AGEES": Audience.SENIORS,
    "PUBLIC_FEMMES": Audience.WOMEN,
    "PUBLIC_PARENTS_ELEVES": Audience.PARENTS,
    "PUBLIC_SITUATION_HANDICAP": Audience.DISABILITY,
    "PUBLIC_PRIMO_ARRIVANTS": Audience.CIR,
    "PUBLIC_REFUGIES": Audience.BPI,
    "PUBLIC_DEMANDEURS_D_ASILE": Audience.ASYLUM_SEEKERS,
    "PUBLIC_RESIDENTS_CADA": Audience.SHELTER,
    "PUBLIC_PROTECTION_TEMPORAIRE": Audience.TEMPORARY_PROTECTION,
}

# Our audiences → the data·inclusion public they are folded into on export.
AUDIENCE_TO_DI_PUBLIC = {
    Audience.CIR: Public.PERSONNES_EXILEES,
    Audience.BPI: Public.PERSONNES_EXILEES,
    Audience.ASYLUM_SEEKERS: Public.PERSONNES_EXILEES,
    Audience.TEMPORARY_PROTECTION: Public.PERSONNES_EXILEES,
    Audience.PARENTS: Public.FAMILLES,
    Audience.RSA: Public.BENEFICIAIRES_DES_MINIMAS_SOCIAUX,
    Audience.SHELTER: Public.PERSONNES_EN_SITUATION_D_URGENCE,
}
