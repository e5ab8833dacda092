"""The guide's rules table: pinned to its document (docs/parcours-regles.md), and what the guide derives from it for
every goal × oral level × written level, against a plain reading of the table."""

import itertools

import pytest
from django.http import QueryDict

from cartolangue.offers.enums import CecrlLevel
from cartolangue.parcours.guide import UNKNOWN, pathway, read_answers
from cartolangue.parcours.rules import GOALS, uses_of
from cartolangue.search.params import parse_course_query
from tests.conftest import ROOT

LEVELS = {"aucun": 0, "A1": CecrlLevel.A1, "A2": CecrlLevel.A2, "B1": CecrlLevel.B1, "B2": CecrlLevel.B2}


def document_rows():
    text = (ROOT / "docs" / "parcours-regles.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`") and cells[0] != "goal (`objectif`)":
            code = cells[0].strip("`")
            certs = [] if cells[3] == "–" else [c.strip() for c in cells[3].split(",")]
            rows[code] = (cells[1], cells[2].startswith("yes"), certs, cells[4])
    return rows


def test_the_table_in_code_is_the_table_in_the_document():
    rows = document_rows()
    assert set(rows) == set(GOALS)
    for code, goal in GOALS.items():
        level, required, certs, references = rows[code]
        assert (level, required, certs) == (goal.level.label, goal.required_by_law, list(goal.certifications)), code
        assert references == (" ; ".join(goal.references) or "–"), code


def test_the_law_steps_are_a2_b1_b2_and_usage_is_derived():
    assert [(g.code, g.level.label) for g in GOALS.values() if g.required_by_law] == [
        ("carte-pluriannuelle", "A2"),
        ("carte-resident", "B1"),
        ("nationalite", "B2"),
    ]
    assert [g.code for g in uses_of("delf-b1")] == ["carte-pluriannuelle", "carte-resident"]
    assert [g.code for g in uses_of("tcf-anf")] == ["nationalite"]
    assert uses_of("clea") == []


def plain(goal_code, oral, written):
    """What the table says, read by hand: the target, whether it is reached, the levels to go through, and the
    entry-level filters (none when a level is unknown)."""
    goal = GOALS[goal_code]
    if UNKNOWN in (oral, written):
        return goal.level, False, [lvl for lvl in (20, 30, 40, 50) if lvl <= goal.level], []
    lowest = min(LEVELS[oral], LEVELS[written])
    steps = [lvl for lvl in (20, 30, 40, 50) if lowest < lvl <= goal.level]
    return goal.level, lowest >= goal.level, steps, [("niveau_entree_oral", oral), ("niveau_entree_ecrit", written)]


@pytest.mark.parametrize("goal_code", list(GOALS))
def test_every_goal_and_level_gives_what_the_table_says(goal_code):
    choices = [*LEVELS, UNKNOWN]
    for oral, written in itertools.product(choices, choices):
        answers = read_answers(QueryDict(f"objectif={goal_code}&oral={oral}&ecrit={written}"))
        path = pathway(answers)
        target, reached, steps, level_filters = plain(goal_code, oral, written)
        got = [p for p in path.course_params if p[0].startswith("niveau_entree")]
        assert (path.goal.level, path.reached, [int(s) for s in path.steps], got) == (
            target,
            reached,
            steps,
            level_filters,
        ), (oral, written)
        assert dict(path.exam_params).get("onglet") == ("tests" if GOALS[goal_code].certifications else None)
        assert [v for k, v in path.exam_params if k == "certification"] == list(GOALS[goal_code].certifications)


@pytest.mark.django_db
def test_situation_and_needs_become_the_engines_own_filters():
    answers = read_answers(
        QueryDict(
            "objectif=emploi&oral=A2&ecrit=A1&scolarite=langue-etrangere&age=moins-26"
            "&situation=cir&situation=rsa&contraintes=garde&contraintes=soir&contraintes=gratuit"
        )
    )
    path = pathway(answers)
    assert path.course_params == [
        ("niveau_entree_oral", "A2"),
        ("niveau_entree_ecrit", "A1"),
        ("scolarisation", "langue-etrangere"),
        ("type", "fle"),
        ("type", "fos"),
        ("type", "post-alpha"),
        ("type", "alpha"),
        ("public", "signataires-cir"),
        ("public", "beneficiaires-rsa"),
        ("creneau", "soir"),
        ("garde_enfants", "oui"),
        ("gratuit", "oui"),
    ]
    assert path.actor_kinds == ["mission-locale", "france-travail", "ofii", "france-services"]
    assert parse_course_query(QueryDict(path.course_query), strict=True).errors == []  # the engine's own


def test_a_value_that_is_not_a_choice_is_asked_again():
    answers = read_answers(QueryDict("objectif=carte-resident&oral=C2&ecrit=A1&situation=pirate"))
    assert answers.invalid == ["oral", "situation"] and "oral" not in answers.values
