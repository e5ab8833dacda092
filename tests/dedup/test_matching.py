"""The matcher on hand-made pairs (each rule of cartolangue/dedup/matching.py), and its measured quality on the
labelled evaluation set at a small size (bench/dedup.py prints it at 10,000 and 100,000)."""

import datetime
from dataclasses import replace

import pytest

from cartolangue.dedup.evaluation import evaluate
from cartolangue.dedup.matching import DIFFERENT, MAYBE, SAME, Offer, level_of, match_offers

BASE = Offer(
    id=1,
    source="lheo",
    commune=10,
    latitude=49.0,
    longitude=2.1,
    structure=5,
    siret="12345678900012",
    structure_name="Association Lire Ensemble",
    title="Français langue étrangère – niveau A2",
    course_type="fle",
    level=30,
    slots=frozenset({(0, 9 * 60), (3, 9 * 60)}),
    first_session=datetime.date(2026, 9, 14),
)


def copy(**changes) -> Offer:
    return replace(BASE, id=changes.pop("id", 2), source=changes.pop("source", "data-inclusion"), **changes)


def verdict(*offers: Offer) -> str:
    pairs = match_offers(offers, keep_different=True)
    return next((p.verdict for p in pairs if {p.first, p.second} == {1, 2}), DIFFERENT)


def test_a_copy_with_the_losses_and_spellings_of_another_source_is_the_same_offer():
    lossy = copy(
        title="FLE - niv. A2",
        structure_name="Asso Lire Ensemble (Argenteuil)",
        latitude=49.0006,  # 67 m away
        level=None,  # data·inclusion has no level field: the title says A2
        slots=frozenset(),
        first_session=None,
        course_type="autre",  # a type it could not read
    )
    assert level_of(lossy) == 30
    assert verdict(BASE, lossy) == SAME


def test_the_same_source_is_never_compared_with_itself():
    assert verdict(BASE, copy(source="lheo")) == DIFFERENT


@pytest.mark.parametrize(
    "changes",
    [
        {"level": 40, "title": "Français langue étrangère – niveau B1"},  # another level
        {"slots": frozenset({(1, 14 * 60), (4, 14 * 60)})},  # other days and hours
        {"first_session": datetime.date(2027, 1, 20)},  # another session of the year
        {"latitude": 49.02},  # 2 km away
    ],
)
def test_a_near_miss_of_the_same_structure_is_another_offer(changes):
    assert verdict(BASE, copy(**changes)) == DIFFERENT


def test_a_remote_or_commune_centre_point_does_not_separate_a_copy():
    assert verdict(BASE, copy(latitude=49.05, approximate=True)) == SAME


def test_a_copy_that_fits_two_workshops_of_one_source_goes_to_review():
    monday = replace(BASE, id=3, slots=frozenset({(0, 9 * 60)}))
    thursday = replace(BASE, id=4, slots=frozenset({(3, 9 * 60)}))
    without_timetable = copy(slots=frozenset())
    pairs = match_offers([monday, thursday, without_timetable])
    assert {p.verdict for p in pairs} == {MAYBE} and len(pairs) == 2


def test_a_republished_record_settles_the_two_workshops():
    """data·inclusion keeps the id its producer gave: "<producer>--<id>". Our own export's producer names our
    records ("<source>:<id>"); another producer's id counts only for a record of that producer's source."""
    monday = replace(BASE, id=3, slots=frozenset({(0, 9 * 60)}), record_id="lheo:monday")
    thursday = replace(BASE, id=4, slots=frozenset({(3, 9 * 60)}), record_id="lheo:thursday")
    ours = copy(
        slots=frozenset(), record_id="carto-langue--lheo:thursday", republished=("carto-langue", "lheo:thursday")
    )
    pairs = {frozenset((p.first, p.second)): p.verdict for p in match_offers([monday, thursday, ours])}
    assert pairs == {frozenset((2, 4)): SAME}
    # Another producer whose ids happen to equal a record's id of a source that is not that producer: no proof.
    theirs = copy(slots=frozenset(), record_id="soliguide--lheo:thursday", republished=("soliguide", "lheo:thursday"))
    assert {p.verdict for p in match_offers([monday, thursday, theirs])} == {MAYBE}


def test_the_clear_match_wins_and_the_other_workshop_is_left_apart():
    other = replace(BASE, id=3, title="Atelier de conversation – niveau A2", slots=frozenset())
    pairs = {frozenset((p.first, p.second)): p.verdict for p in match_offers([BASE, other, copy(slots=frozenset())])}
    assert pairs == {frozenset((1, 2)): SAME}


def test_the_evaluation_set_meets_its_precision_and_nearly_its_recall():
    """At 3,000 courses: the figures bench/dedup.py prints at 100,000 (docs/bench/dedup-2026-12-04.md)."""
    figures = evaluate(3000, seed=5)
    assert figures.true_pairs > 1000
    assert figures.precision >= 0.99
    assert figures.recall >= 0.92
    assert figures.recall_with_review >= 0.98
    assert figures.review_share <= 0.13
