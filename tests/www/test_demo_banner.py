"""While the offer holds demonstration records, every page says so in a banner that links to what is real
(issue #16, item 13: a badge on each card was missed by whoever read a single page)."""

import datetime

import pytest

from cartolangue.offers.demo import demo_delete, demo_generate
from cartolangue.offers.models import Course
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
BANNER = 'class="demo-banner"'


def _pages(course):
    return [
        "/",
        "/en/",
        "/ar/?commune=95585",
        "/territoires/",
        "/donnees/",
        f"/cours/{course.pk}/",
        f"/structures/{course.structure_id}/",
    ]


def test_every_page_shows_the_banner_while_there_is_demo_data(client):
    demo_generate(courses=30, seed=3, reference_date=datetime.date(2026, 11, 27))
    real = CourseFactory()
    for url in _pages(real) + _pages(Course.objects.demo().first()):
        page = client.get(url).content.decode()
        assert BANNER in page, url
        assert (
            'href="/donnees/#demonstration"' in page
            or 'href="/en/donnees/#demonstration"' in page
            or ('href="/ar/donnees/#demonstration"' in page)
        ), url
    assert 'id="demonstration"' in client.get("/donnees/").content.decode()


def test_no_banner_once_the_demo_data_is_gone(client):
    demo_generate(courses=10, seed=3, reference_date=datetime.date(2026, 11, 27))
    real = CourseFactory()
    assert BANNER in client.get("/").content.decode()
    demo_delete()
    for url in _pages(real):
        assert BANNER not in client.get(url).content.decode(), url
