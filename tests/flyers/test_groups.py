"""The flyer's groups against a plain reading of their titles, for every course type × target level."""

import itertools

import pytest
from django.http import QueryDict

from cartolangue.flyers.content import GROUPS, group_of
from cartolangue.flyers.views import flyer_context
from cartolangue.geo.models import Commune
from cartolangue.offers import enums
from tests.factories import CourseFactory, PlaceFactory, StructureFactory

T, L = enums.CourseType, enums.CecrlLevel


def plain_reading(course_type, level):
    """What each title says, written independently of the rules: literacy is for beginners; FLE, the CIR
    course and the others are for beginners only up to A1 (A1.1, A1), beyond it or without a stated level one
    "progresses"; workshops, French for work and exam preparation are their own groups at every level."""
    if course_type in (T.ALPHA, T.POST_ALPHA):
        return "debuter"
    if course_type in (T.ASL, T.OEPRE):
        return "asl"
    if course_type == T.WORK:
        return "emploi"
    if course_type == T.CERTIFICATION_PREP:
        return "diplome"
    return "debuter" if level in (L.A1_1, L.A1) else "progresser"


@pytest.mark.parametrize(("course_type", "level"), list(itertools.product(T, [*L, None])))
def test_every_course_type_and_level_is_in_the_one_group_its_title_says(course_type, level):
    assert group_of(course_type, level) == plain_reading(course_type, level)


def test_every_group_has_a_title_and_a_rule():
    assert [g.key for g in GROUPS] == ["debuter", "progresser", "asl", "emploi", "diplome"]


@pytest.mark.django_db
def test_fle_b2_is_listed_to_progress_not_to_start():
    argenteuil = Commune.objects.get(code_insee="95018")
    structure = StructureFactory(name="Maison des langues")
    place = PlaceFactory(
        structure=structure, commune=argenteuil, latitude=argenteuil.latitude, longitude=argenteuil.longitude
    )
    for name, course_type, level in (
        ("FLE – niveau B2", T.FLE, L.B2),
        ("FLE – niveau A1", T.FLE, L.A1),
        ("FLE – niveau non dit", T.FLE, None),
        ("Alphabétisation – B1 visé", T.ALPHA, L.B1),
    ):
        CourseFactory(structure=structure, place=place, name=name, course_type=course_type, cecrl_level_target=level)
    flyer = flyer_context(QueryDict("commune=95018"), "fr", "https://carto-langue.example.org")["flyer"]
    listed = {g.key: [item.course.name for item in g.items] for g in flyer.groups}
    assert sorted(listed["debuter"]) == ["Alphabétisation – B1 visé", "FLE – niveau A1"]
    assert sorted(listed["progresser"]) == ["FLE – niveau B2", "FLE – niveau non dit"]
