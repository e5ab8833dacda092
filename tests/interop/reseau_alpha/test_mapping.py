import csv
from datetime import date, time
from pathlib import Path

import pytest

from cartolangue.interop.reseau_alpha import mapping as m
from cartolangue.interop.reseau_alpha.fields import parse_bool, parse_date, parse_time
from cartolangue.offers import enums

VOCABULARY = Path(__file__).resolve().parents[2] / "data" / "reseau_alpha" / "reseau-alpha-vocabulaire.csv"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Parents d’élèves", enums.Audience.PARENTS),
        ("Parents d'élèves", enums.Audience.PARENTS),
        ("PUBLIC_PARENTS_ELEVES", enums.Audience.PARENTS),
        ("  bénéficiaires DU rsa ", enums.Audience.RSA),
        ("Demandeurs d’asile", enums.Audience.ASYLUM_SEEKERS),
        ("Résidents de centre d'hébergement ou de CADA", enums.Audience.SHELTER),
        ("Parents", enums.Audience.FAMILIES),
        ("Famille monoparentale", enums.Audience.FAMILIES),
        ("Tout public", enums.Audience.EVERYONE),
        ("Orienté par des prescripteurs", m.PRESCRIPTION),
        ("Habitant un territoire précis", m.NO_AUDIENCE),
        ("PUBLIC_MINORITES_GENRE", m.NO_AUDIENCE),
    ],
)
def test_audiences_by_key_or_label_whatever_the_apostrophe(value, expected):
    assert m.AUDIENCES[m.vocab_key(value)] == expected


def test_every_vocabulary_label_is_known():
    """Every value of the vocabulary Réseau Alpha shows is mapped (or deliberately has no counterpart)."""
    tables = {
        "activite_formation": m.ACTIVITIES,
        "criteres_scolarisation": m.SCHOOLING,
        "competences_linguistiques_visees": m.LEVELS,
        "objectif_vise": m.OBJECTIVES,
        "publics_specifiques": m.AUDIENCES,
        "jours_semaine": m.WEEKDAYS,
        "horaires": m.MOMENTS,
    }
    with open(VOCABULARY, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 55
    for row in rows:
        table = tables[row["categorie"]]
        assert m.vocab_key(row["libelle_reseau_alpha"]) in table, row
        if row["cle_front_mckgl"]:
            assert m.vocab_key(row["cle_front_mckgl"]) in table, row


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["CECRL : A2, B1"], [("cecrl", 30), ("cecrl", 40)]),
        (["CECRL : Oral : Infra A1.1"], [(m.BELOW_A1_1, None)]),
        (["Écrit : A2, B1, B2"], [("cecrl", 30), ("cecrl", 40), ("cecrl", 50)]),
        (["CNR ANLCI illetrisme : Degré 1"], [(m.ANLCI, "Degré 1")]),
        (["CNR ANLCI illetrisme : Critère indifférent"], [(m.NO_LEVEL, None)]),
        (
            ["Aucun niveau spécifique visé", "NIVEAU_CECR_A1_1", "C2 (CECRL)"],
            [(m.NO_LEVEL, None), ("cecrl", 10), ("cecrl", 70)],
        ),
        (["Degré 4 (CNR ANLCI)", "A3"], [(m.ANLCI, "Degré 4"), (None, None)]),
    ],
)
def test_levels(values, expected):
    assert [m.parse_level(v) for v in m.split_levels(values)] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("09:00", time(9)),
        ("9:30", time(9, 30)),
        ("18:45:00", time(18, 45)),
        ("14h", time(14)),
        ("14h15", time(14, 15)),
        ("1970-01-01T14:00:00+01:00", time(14)),
        ("2026-01-05 08:30:00", time(8, 30)),
        ("25:00", None),
        ("midi", None),
        (None, None),
    ],
)
def test_parse_time(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-05", date(2026, 1, 5)),
        ("2026-01-05T00:00:00+01:00", date(2026, 1, 5)),
        ("05/01/2026", date(2026, 1, 5)),
        ("31/02/2026", None),
        ("janvier", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_parse_bool():
    assert [parse_bool(v) for v in (True, False, "true", "Oui", "0", None, "")] == [
        True,
        False,
        True,
        True,
        False,
        None,
        None,
    ]
    assert parse_bool("peut-être") not in (True, False, None)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"name": "Atelier sociolinguistique", "activity": m.PROFESSIONAL}, (enums.CourseType.ASL, True)),
        ({"name": "Cours", "programmes": ["OEPRE"]}, (enums.CourseType.OEPRE, True)),
        ({"name": "Hygi'pro", "activity": m.PROFESSIONAL}, (enums.CourseType.WORK, True)),
        ({"name": "Cours", "objectives": [m.DIPLOMA]}, (enums.CourseType.CERTIFICATION_PREP, True)),
        ({"name": "Cours", "objectives": [m.DIPLOMA, m.ORAL], "activity": m.SOCIAL}, (enums.CourseType.FLE, True)),
        ({"name": "Cours", "activity": m.ILLITERACY}, (enums.CourseType.ALPHA, True)),
        (
            {"name": "DDS", "activity": m.SOCIAL, "schooling": [enums.Schooling.NONE_OR_LITTLE]},
            (enums.CourseType.ALPHA, True),
        ),
        ({"name": "Cours", "activity": m.SOCIAL}, (enums.CourseType.FLE, True)),
        ({"name": "Cours"}, (enums.CourseType.OTHER, False)),
    ],
)
def test_course_type(kwargs, expected):
    arguments = {"name": "", "programmes": [], "activity": None, "objectives": [], "schooling": [], **kwargs}
    assert m.course_type_for(**arguments) == expected


@pytest.mark.parametrize(
    ("activity", "objectives", "expected"),
    [
        (m.PROFESSIONAL, [m.EVERYDAY_LIFE], enums.Parcours.PRO),
        (m.SOCIAL, [m.EMPLOYMENT], enums.Parcours.SOCIO_PRO),
        (None, [m.VOCATIONAL_TRAINING], enums.Parcours.SOCIO_PRO),
        (m.SOCIAL, [], enums.Parcours.INTEGRATION),
        (None, [m.PARENTING], enums.Parcours.INTEGRATION),
        (m.ILLITERACY, [m.ORAL], ""),
    ],
)
def test_parcours(activity, objectives, expected):
    assert m.parcours_for(activity=activity, objectives=objectives) == expected
