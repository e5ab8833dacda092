import datetime
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from cartolangue.offers import enums
from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course, ExamSession, Structure
from cartolangue.search.engine import course_search
from cartolangue.search.params import parse_course_query

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)
SARCELLES = (
    "commune=95585&rayon=10&niveau_entree_oral=aucun&niveau_entree_ecrit=aucun&scolarisation=jamais-ou-peu"
    "&public=signataires-cir&jour=lundi&jour=mardi&jour=mercredi&jour=jeudi&jour=vendredi&creneau=matin"
    "&garde_enfants=oui"
)


@pytest.fixture
def demo():
    demo_generate(courses=1500, seed=1, reference_date=TODAY)


def _course_ids(html):
    card_link = r'<h2 class="card-title">\s*<a href="/cours/(\d+)/(?:\?retour=[^"]*)?">'
    return [int(pk) for pk in re.findall(card_link, html)]


def test_sarcelles_scenario_without_javascript(client, demo):
    """Not yet A1, little schooled, Sarcelles, CIR, free on weekday mornings, a 3-year-old."""
    response = client.get("/?" + SARCELLES)
    assert response.status_code == 200
    html = response.content.decode()
    ids = _course_ids(html)
    assert ids, "the scenario must find courses on the demo data"
    expected = [c.pk for c in course_search(parse_course_query(QueryDict(SARCELLES), strict=True)).items]
    assert ids == expected
    for course in Course.objects.filter(pk__in=ids).prefetch_related("time_slots", "audiences", "schooling"):
        assert course.childcare is True
        assert course.entry_level_oral is None and course.entry_level_written is None
        assert any(s.weekday < 5 and s.starts_at < datetime.time(12) for s in course.time_slots.all())
        exclusive = {a.audience for a in course.audiences.all() if a.mode == enums.AudienceMode.EXCLUSIVE}
        assert not exclusive or enums.Audience.CIR in exclusive
        schooling = {s.schooling for s in course.schooling.all()}
        assert not schooling or enums.Schooling.NONE_OR_LITTLE in schooling
    # The form shows what was asked, with counts.
    assert 'value="Sarcelles"' in html
    assert re.search(r'name="garde_enfants"\s+value="oui"\s+checked', html)
    assert "à 10 km de Sarcelles" in html


def test_place_typed_by_name_redirects_to_a_shareable_url(client):
    response = client.get("/", {"lieu": "Sarcelles", "rayon": "5"})
    assert response.status_code == 302
    assert response["Location"] == "/?rayon=5&commune=95585"
    response = client.get("/", {"lieu": "Saint-Ouen-l'Aumône (95310)"})
    assert "commune=95572" in response["Location"]
    response = client.get("/", {"lieu": "Nulle-Part-sur-Mer"})
    follow = client.get(response["Location"])
    assert (
        "Aucune commune d'Île-de-France ne correspond à « <bdi>Nulle-Part-sur-Mer</bdi> »" in follow.content.decode()
    )
    # An emptied place field drops the location.
    assert client.get("/", {"lieu": "", "commune": "95585"})["Location"] == "/?"


def test_invalid_values_are_ignored_with_a_notice(client, demo):
    response = client.get("/", {"type": ["asl", "zzz"], "rayon": "loin", "couleur": "bleu"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Certains critères ont été ignorés" in html
    assert "valeur « zzz » inconnue" in html and "<code>rayon</code>" in html and "<code>couleur</code>" in html
    assert set(_course_ids(html)) <= set(Course.objects.filter(course_type="asl").values_list("pk", flat=True))


def test_exam_tab(client, demo):
    html = client.get("/", {"onglet": "tests", "commune": "75056", "rayon": "50"}).content.decode()
    assert 'aria-current="page">\n    Passer un test' in html or re.search(
        r'aria-current="page">\s*Passer un test', html
    )
    assert "Inscription avant le" in html and "CPF" in html
    # The tab has its own filters: certification (with counts), dates, CPF.
    assert re.search(r'name="certification"\s+value="tcf-irn"', html) or re.search(
        r'name="certification"\s+value="[a-z0-9-]+"', html
    )
    exam = ExamSession.objects.filter(exam_date__gte="2027-01-01").select_related("certification").first()
    params = {"onglet": "tests", "certification": exam.certification.code, "apres": "2027-01-01"}
    html = client.get("/", params).content.decode()
    # The title's fragments are isolated (<bdi>): compare its text, markup removed.
    titles = [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r'<h2 class="card-title">(.+?)</h2>', html, re.S)]
    assert titles and all(t.startswith(escape(exam.certification.name)) for t in titles)


def test_search_page_query_count_is_bounded(client, demo):
    # The first search builds the process's search index and looks the commune up (a fixed number of
    # queries, once per data version): do both first.
    client.get("/", {"q": "zzzzqqq", "commune": "95585"})
    counts = []
    for size in ("5", "60"):
        with CaptureQueriesContext(connection) as ctx:
            client.get("/", {"taille": size, "commune": "95585"})
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 50


def test_course_page(client, demo):
    course = Course.objects.filter(sessions__isnull=False).first()
    html = client.get(f"/cours/{course.pk}/").content.decode()
    assert escape(course.name) in html and escape(course.structure.name) in html
    assert "Signaler une erreur" in html and "mailto:" in html
    assert "Données de démonstration" in html
    assert f'data-lat="{course.place.latitude:f}"' in html
    assert client.get("/cours/999999999/").status_code == 404


def test_structure_page(client, demo):
    structure = Structure.objects.filter(courses__isnull=False).first()
    html = client.get(f"/structures/{structure.pk}/").content.decode()
    for course in structure.courses.all():
        assert escape(course.name) in html
    assert "Signaler une erreur" in html


def test_pagination_links_keep_the_search(client, demo):
    html = client.get("/", {"departement": "95"}).content.decode()
    assert 'href="?departement=95&amp;page=2" rel="next"' in html
