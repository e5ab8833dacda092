"""Vocabulary of the demo generator: course profiles by type (levels, schooling, names), structure kinds
and names, streets, people, time slots. Plausible for Île-de-France; every name is fictitious."""

import datetime

from cartolangue.offers import enums

T = enums.CourseType
L = enums.CecrlLevel
S = enums.Schooling
A = enums.Audience

# Course type → weight, parcours, target levels, entry level offset, schooling, name stems
COURSE_PROFILES = {
    T.ASL: (
        24,
        enums.Parcours.INTEGRATION,
        [L.A1, L.A2],
        None,
        [S.NONE_OR_LITTLE, S.FOREIGN_LANGUAGE],
        ["Atelier sociolinguistique", "ASL vie quotidienne", "ASL santé et démarches", "ASL découverte de la ville"],
    ),
    T.FLE: (
        24,
        enums.Parcours.INTEGRATION,
        [L.A1, L.A2, L.B1, L.B2],
        1,
        [S.FOREIGN_LANGUAGE, S.FRENCH],
        ["Cours de français langue étrangère", "FLE", "Français langue étrangère", "Conversation en français"],
    ),
    T.ALPHA: (
        14,
        enums.Parcours.INTEGRATION,
        [L.A1_1],
        None,
        [S.NONE_OR_LITTLE],
        ["Alphabétisation", "Apprendre à lire et écrire", "Alphabétisation – premiers pas"],
    ),
    T.POST_ALPHA: (
        8,
        enums.Parcours.INTEGRATION,
        [L.A1, L.A2],
        0,
        [S.NONE_OR_LITTLE],
        ["Post-alphabétisation", "Lire et écrire au quotidien"],
    ),
    T.OEPRE: (
        7,
        enums.Parcours.INTEGRATION,
        [L.A1, L.A2],
        None,
        [S.NONE_OR_LITTLE, S.FOREIGN_LANGUAGE],
        ["OEPRE – Ouvrir l'école aux parents", "Atelier parents OEPRE"],
    ),
    T.WORK: (
        9,
        enums.Parcours.PRO,
        [L.A2, L.B1],
        1,
        [S.FOREIGN_LANGUAGE, S.FRENCH],
        ["Français à visée professionnelle", "Français pour l'emploi", "Français des métiers du service"],
    ),
    T.CIR: (
        3,
        enums.Parcours.INTEGRATION,
        [L.A1],
        None,
        [S.NONE_OR_LITTLE, S.FOREIGN_LANGUAGE, S.FRENCH],
        ["Formation linguistique CIR", "Parcours linguistique Ofii"],
    ),
    T.CERTIFICATION_PREP: (
        7,
        enums.Parcours.SOCIO_PRO,
        [L.A2, L.B1, L.B2],
        1,
        [S.FOREIGN_LANGUAGE, S.FRENCH],
        ["Préparation au DELF", "Préparation TCF IRN", "Préparation aux tests de français"],
    ),
    T.OTHER: (
        4,
        enums.Parcours.SOCIO_PRO,
        [L.A1, L.A2, L.B1],
        1,
        [S.FOREIGN_LANGUAGE, S.FRENCH],
        ["Atelier d'écriture", "Français et numérique", "Théâtre en français"],
    ),
}
LEVEL_WORDS = {L.A1_1: "débutants", L.A1: "niveau A1", L.A2: "niveau A2", L.B1: "niveau B1", L.B2: "niveau B2"}

STRUCTURE_KINDS = [
    (enums.StructureKind.ASSOCIATION, 62),
    (enums.StructureKind.TRAINING_BODY, 20),
    (enums.StructureKind.SOCIAL_CENTRE, 12),
    (enums.StructureKind.COLLECTIVITY, 6),
]
ASSOCIATION_NAMES = [
    "Alpha Solidarité",
    "Lire et Dire",
    "Mots Partagés",
    "La Passerelle",
    "Français pour Tous",
    "Les Amis des Mots",
    "Langues et Cultures",
    "Accueil et Partage",
    "Savoirs en Commun",
    "Entraide Alpha",
    "Le Fil des Langues",
    "Ensemble pour Apprendre",
    "Plume et Parole",
    "Rencontres Interculturelles",
    "Voix de Femmes",
]
TRAINING_NAMES = [
    "Horizon Formation",
    "Institut Langues Emploi",
    "Cap Compétences",
    "Formapro",
    "Trajectoires",
    "Linguaform",
    "Parcours Avenir",
    "Atelier du Français Pro",
]
SOCIAL_CENTRE_NAMES = [
    "Centre social Les Tilleuls",
    "Centre social La Fontaine",
    "Maison de quartier du Moulin",
    "Espace social Saint-Exupéry",
    "Centre social Arc-en-Ciel",
    "Maison pour tous Jean-Moulin",
]
STREET_TYPES = ["rue", "avenue", "place", "allée", "boulevard", "chemin"]
STREET_NAMES = [
    "de la République",
    "Jean Jaurès",
    "Victor Hugo",
    "de la Gare",
    "du Général de Gaulle",
    "Pasteur",
    "des Écoles",
    "de Paris",
    "Jules Ferry",
    "de la Mairie",
    "des Lilas",
    "Louise Michel",
    "du Marché",
    "Paul Éluard",
    "Aristide Briand",
    "de l'Église",
    "Gabriel Péri",
    "Marcel Cachin",
    "des Tilleuls",
]
PLACE_NAMES = [
    "",
    "",
    "Maison des associations",
    "Salle municipale",
    "Médiathèque",
    "Centre social",
    "Foyer",
    "Maison de quartier",
    "École élémentaire",
]
FIRST_NAMES = [
    "Nadia",
    "Karim",
    "Sophie",
    "Moussa",
    "Claire",
    "Fatou",
    "Julien",
    "Amina",
    "Hélène",
    "Yacine",
    "Marie",
    "Ousmane",
    "Isabelle",
    "Samir",
    "Aïcha",
    "Thomas",
]
LAST_NAMES = [
    "Martin",
    "Diallo",
    "Bernard",
    "Benali",
    "Petit",
    "Traoré",
    "Durand",
    "Haddad",
    "Leroy",
    "Nguyen",
    "Moreau",
    "Camara",
    "Fournier",
    "Mansouri",
]
SLOT_PATTERNS = [
    (datetime.time(9, 0), datetime.time(11, 30)),
    (datetime.time(9, 30), datetime.time(12, 0)),
    (datetime.time(10, 0), datetime.time(12, 0)),
    (datetime.time(13, 30), datetime.time(15, 30)),
    (datetime.time(14, 0), datetime.time(16, 30)),
    (datetime.time(18, 30), datetime.time(20, 30)),
    (datetime.time(19, 0), datetime.time(21, 0)),
]
EXAM_CERTIFICATIONS = ["tcf-irn", "tef-irn", "delf-a2", "delf-b1", "delf-b2", "dcl-fle", "tcf-tp", "clea"]
