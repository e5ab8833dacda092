"""Done when (issue #23): the same offer imported through LHEO and then data·inclusion is shown once, with both
sources on its page; unlinking restores two cards; re-imports keep the links and the decisions."""

import datetime
import io

import pytest
from django.core.management import call_command

from cartolangue.dedup.models import CourseLink, Verdict
from cartolangue.dedup.store import decide, match_courses
from cartolangue.offers.demo import demo_delete, demo_generate
from cartolangue.offers.models import Course

pytestmark = pytest.mark.django_db

COURSES = 120


@pytest.fixture
def twice_imported(tmp_path):
    """The demo offer exported as LHEO and as data·inclusion, then imported from both files (no demo left)."""
    demo_generate(courses=COURSES, seed=11, reference_date=datetime.date(2026, 11, 1))
    call_command("export_lheo", str(tmp_path / "offre.xml"), "--include-demo", stdout=io.StringIO())
    call_command("export_data_inclusion", str(tmp_path / "di"), "--include-demo", stdout=io.StringIO())
    demo_delete()
    out = io.StringIO()
    call_command("import_lheo", str(tmp_path / "offre.xml"), stdout=out, stderr=io.StringIO())
    call_command(
        "import_data_inclusion",
        str(tmp_path / "di" / "services.json"),
        "--structures",
        str(tmp_path / "di" / "structures.json"),
        stdout=out,
        stderr=io.StringIO(),
    )
    return tmp_path, out.getvalue()


def test_the_same_offer_from_two_sources_is_shown_once(client, twice_imported):
    _path, output = twice_imported
    assert Course.objects.count() == 2 * COURSES
    # The truth: our data·inclusion ids embed the LHEO record's id ("carto-langue--<id>", data·inclusion's
    # "<producer>--<id>"), which the matcher reads as a republished record (and the evaluation set does not have).
    lheo = dict(Course.objects.filter(source="lheo").values_list("source_id", "pk"))
    twin = {
        pk: lheo[source_id.removeprefix("carto-langue--")]
        for pk, source_id in Course.objects.filter(source="data-inclusion").values_list("pk", "source_id")
    }
    truth = {(min(a, b), max(a, b)) for a, b in twin.items()}
    same = set(CourseLink.objects.filter(verdict=Verdict.SAME).values_list("first", "second"))
    maybe = set(CourseLink.objects.filter(verdict=Verdict.MAYBE).values_list("first", "second"))
    assert same == truth  # every twin linked, no two different courses shown as one
    assert not maybe & truth
    assert len(maybe) <= 0.2 * COURSES, f"{len(maybe)} pairs sent to review"
    # Each linked pair is one offer shown: 2 × COURSES records, one fewer per link.
    shown = Course.objects.public()
    assert shown.count() == 2 * COURSES - len(same)
    assert "copies masquées" in output
    # The course shown is LHEO's (richer: levels, timetable); its page lists both sources.
    link = CourseLink.objects.filter(verdict=Verdict.SAME).select_related("first", "second").first()
    shown_one = link.first if link.first.duplicate_of_id is None else link.second
    copy = link.second if shown_one == link.first else link.first
    assert shown_one.source == "lheo" and copy.duplicate_of_id == shown_one.pk
    page = client.get(f"/cours/{shown_one.pk}/").content.decode()
    assert "Vu dans : Carif-Oref (LHEO), data·inclusion" in page
    assert client.get(f"/cours/{copy.pk}/")["Location"] == f"/cours/{shown_one.pk}/"
    # The search, its API and the counts read the same: each offer once.
    api = client.get("/api/v1/courses", {"taille": 1}).json()
    assert api["total"] == shown.count()


def test_unlinking_restores_two_cards_and_a_reimport_keeps_the_decision(twice_imported):
    path, _output = twice_imported
    before = Course.objects.public().count()
    link = CourseLink.objects.filter(verdict=Verdict.SAME).first()
    decide(link, Verdict.DIFFERENT, None)
    assert Course.objects.public().count() == before + 1
    assert not Course.objects.filter(pk__in=[link.first_id, link.second_id]).exclude(duplicate_of=None).exists()
    # A re-import of the same file and a new matching keep the decision and every other link.
    links = CourseLink.objects.count()
    call_command("import_lheo", str(path / "offre.xml"), stdout=io.StringIO(), stderr=io.StringIO())
    match_courses()
    link.refresh_from_db()
    assert link.decision == Verdict.DIFFERENT and CourseLink.objects.count() == links
    assert Course.objects.public().count() == before + 1
    # And linking them again hides the copy again.
    decide(link, Verdict.SAME, None)
    assert Course.objects.public().count() == before
