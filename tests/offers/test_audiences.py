"""The audience referential: one value per meaning, the retired values read everywhere they may still come
from (stored rows, links, files), each kept value exported to its data·inclusion public, and the facet shown in
the declared order."""

import importlib
import io
import re

import pytest
from data_inclusion.schema.v1 import Public
from django.apps import apps as django_apps
from django.core.management import call_command
from django.http import QueryDict

from cartolangue.interop.data_inclusion.mapping import _publics
from cartolangue.interop.lheo import conventions
from cartolangue.interop.lheo.writer import write_lheo
from cartolangue.interop.reseau_alpha import mapping as reseau_alpha
from cartolangue.interop.spreadsheet.cells import referential_lookups
from cartolangue.interop.spreadsheet.columns import normalise
from cartolangue.offers import enums
from cartolangue.offers.models import Course, CourseAudience, Place, Structure
from cartolangue.search.params import parse_course_query
from tests.factories import CourseFactory

MIGRATION = importlib.import_module("cartolangue.offers.migrations.0009_audiences_one_value_per_meaning")
YOUNG = enums.Audience.YOUNG.value


def _meaning(label):
    """A label without its parenthesised precision: "Jeunes (16-25 ans)" and "Jeunes" say the same thing."""
    return re.sub(r"\s*\(.*?\)", "", str(label)).strip().casefold()


def test_no_two_audiences_share_a_meaning():
    meanings = [_meaning(label) for _value, label in enums.Audience.choices]
    assert len(meanings) == len(set(meanings)), sorted(m for m in meanings if meanings.count(m) > 1)


def test_every_source_reads_young_people_as_one_value():
    assert enums.RESEAU_ALPHA_AUDIENCES["PUBLIC_JEUNES"] == YOUNG
    assert reseau_alpha.AUDIENCES[reseau_alpha.vocab_key("Jeune (16-25 ans)")] == YOUNG
    publics = conventions.public_code_map()
    for code in ("81024", "81032", "81033"):  # Formacode: Jeune 16-25 ans, Jeune, Jeune 16-29 ans
        assert publics[code] == {YOUNG}, code
    assert Public.JEUNES.value == YOUNG  # data·inclusion's own value, read as it is


@pytest.mark.django_db
def test_retired_values_are_read_in_spreadsheets_and_search_links():
    lookup = referential_lookups()["audience"]
    assert lookup[normalise("jeunes-16-25")] == YOUNG
    assert lookup[normalise("Jeunes (16-25 ans)")] == YOUNG
    for strict in (False, True):
        query = parse_course_query(QueryDict("public=jeunes-16-25&public=femmes"), strict=strict)
        assert query.audiences == [YOUNG, "femmes"]
        assert not query.errors


@pytest.mark.django_db
def test_migration_rewrites_stored_values_and_merges_a_course_that_had_both():
    only_old, both, other = CourseFactory(), CourseFactory(), CourseFactory()
    CourseAudience.objects.create(course=only_old, audience="jeunes-16-25", mode="prioritaire")
    CourseAudience.objects.create(course=both, audience="jeunes-16-25", mode="exclusif")
    CourseAudience.objects.create(course=both, audience=YOUNG, mode="prioritaire")
    CourseAudience.objects.create(course=other, audience="femmes", mode="exclusif")

    MIGRATION.rewrite_retired_audiences(django_apps, None)

    rows = set(CourseAudience.objects.values_list("course_id", "audience", "mode"))
    assert rows == {
        (only_old.pk, YOUNG, "prioritaire"),
        (both.pk, YOUNG, "exclusif"),  # reserved to young people before, still reserved
        (other.pk, "femmes", "exclusif"),
    }
    MIGRATION.rewrite_retired_audiences(django_apps, None)  # a second run changes nothing
    assert set(CourseAudience.objects.values_list("course_id", "audience", "mode")) == rows


@pytest.mark.django_db
def test_every_audience_exports_to_its_data_inclusion_public_and_round_trips_through_lheo(tmp_path):
    di_values = {p.value for p in Public}
    for audience in enums.Audience:
        course = CourseFactory(name=f"Cours {audience.value}")
        course.audiences.create(audience=audience, mode=enums.AudienceMode.EXCLUSIVE)
        expected = str(enums.AUDIENCE_TO_DI_PUBLIC.get(audience, audience))
        assert expected in di_values
        assert _publics(Course.objects.prefetch_related("audiences").get(pk=course.pk)) == [expected]

    before = set(CourseAudience.objects.values_list("course__name", "audience", "mode"))
    path = tmp_path / "offer.xml"
    with path.open("wb") as out:
        write_lheo(out, Course.objects.all())
    Course.objects.all().delete()
    Place.objects.all().delete()
    Structure.objects.all().delete()
    call_command("import_lheo", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert set(CourseAudience.objects.values_list("course__name", "audience", "mode")) == before


@pytest.mark.django_db
def test_lheo_files_written_with_the_retired_value_are_read_as_the_kept_one(tmp_path):
    course = CourseFactory(name="Cours jeunes")
    course.audiences.create(audience=YOUNG, mode=enums.AudienceMode.EXCLUSIVE)
    out = io.BytesIO()
    write_lheo(out, Course.objects.all())
    document = out.getvalue()
    old = document.replace(b'info="public" tag="exclusif">jeunes<', b'info="public" tag="exclusif">jeunes-16-25<')
    assert old != document
    path = tmp_path / "old.xml"
    path.write_bytes(old)
    Course.objects.all().delete()
    call_command("import_lheo", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert list(CourseAudience.objects.values_list("audience", "mode")) == [(YOUNG, "exclusif")]


@pytest.mark.django_db
def test_the_audience_facet_is_rendered_once_per_meaning_in_the_declared_order(client):
    CourseFactory().audiences.create(audience=enums.Audience.CIR, mode=enums.AudienceMode.EXCLUSIVE)
    CourseFactory()
    html = client.get("/").content.decode()
    rendered = re.findall(r'<input type="checkbox" name="public" value="([^"]+)"', html)
    assert rendered == list(enums.Audience.values)
    # The declared order: the situations that open a dedicated offer first, "Tous publics" last.
    assert rendered[:4] == ["signataires-cir", "bpi", "demandeurs-asile", "protection-temporaire"]
    assert rendered[-1] == "tous-publics"
    assert "jeunes-16-25" not in rendered and "Jeunes (16-25 ans)" not in html


@pytest.mark.django_db
def test_the_api_lists_the_audience_facet_in_the_same_order(client):
    CourseFactory().audiences.create(audience=enums.Audience.YOUNG, mode=enums.AudienceMode.EXCLUSIVE)
    facet = client.get("/api/v1/courses").json()["facets"]["public"]
    assert [f["value"] for f in facet] == list(enums.Audience.values)
    assert [
        f["value"]
        for f in client.get("/api/v1/courses", {"public": "jeunes-16-25"}).json()["facets"]["public"]
        if f["selected"]
    ] == [YOUNG]
