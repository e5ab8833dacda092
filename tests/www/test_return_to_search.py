"""A course or structure page goes back to the search it was opened from (issue #16, item 7): the search's query
string travels in the links as `retour`, without JavaScript, and can only ever lead back to the search page."""

from urllib.parse import parse_qs, urlparse

import pytest
from lxml import html

from tests.factories import CourseFactory, ExamSessionFactory, PlaceFactory, StructureFactory, commune

pytestmark = pytest.mark.django_db
SEARCH = "commune=95585&type=asl&rayon=5"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.fromstring(response.content)


def back_link(doc):
    [link] = doc.xpath("//p[@class='breadcrumb']/a")
    assert link.text_content().strip() in {"Retour à la recherche", "Back to search"}
    return link.get("href")


@pytest.fixture
def courses():
    structure = StructureFactory(name="Maison des langues")
    place = PlaceFactory(
        structure=structure, commune=commune("95585"), post_code="95200", latitude=48.99, longitude=2.38
    )
    return [CourseFactory(structure=structure, place=place, name=f"ASL {i}", course_type="asl") for i in range(2)]


def test_course_and_structure_pages_return_to_the_search_with_its_selection(client, courses):
    first, second = courses
    search = f"{SEARCH}&selection={first.pk}"
    doc = page(client, f"/?{search}")
    titles = doc.xpath("//article[@class='card']//h2[@class='card-title']/a/@href")
    assert len(titles) == 2
    selected = doc.xpath("//section[@class='selection']//li/a[1]/@href")
    for href in [*titles, *selected]:
        assert urlparse(href).path.startswith("/cours/")
        assert parse_qs(urlparse(href).query) == {"retour": [search]}
    course_page = page(client, titles[0])
    assert back_link(course_page) == f"/?{search}"
    # From the course to its structure, or to another course of the structure, and back: the search holds.
    structure_href = course_page.xpath("//p[@class='card-structure']/a/@href")[0]
    assert parse_qs(urlparse(structure_href).query) == {"retour": [search]}
    other_href = course_page.xpath("//h2[contains(., 'Autres cours')]/following-sibling::ul//a/@href")[0]
    assert back_link(page(client, other_href)) == f"/?{search}"
    structure_page = page(client, structure_href)
    assert back_link(structure_page) == f"/?{search}"
    for href in structure_page.xpath("//article[@class='card']//h2[@class='card-title']/a/@href"):
        assert parse_qs(urlparse(href).query) == {"retour": [search]}


def test_the_exam_tab_links_carry_the_search_too(client):
    exam = ExamSessionFactory(exam_date="2099-01-15", registration_deadline=None)
    search = "onglet=tests&commune=95127&rayon=50"
    doc = page(client, f"/?{search}")
    [href] = doc.xpath("//article[@class='card exam']//a[not(ancestor::p[@class='report-link'])]/@href")
    assert href == f"/structures/{exam.structure.pk}/?retour={search.replace('=', '%3D').replace('&', '%26')}"
    assert back_link(page(client, href)) == f"/?{search}"


def test_the_language_prefix_is_kept(client, courses):
    doc = page(client, f"/en/cours/{courses[0].pk}/?retour=commune%3D95585")
    assert back_link(doc) == "/en/?commune=95585"


@pytest.mark.parametrize(
    "retour",
    ["//evil.example/", "https://evil.example/x", "\\\\evil.example", "javascript:alert(1)", "%2F%2Fevil.example"],
)
def test_the_back_link_never_leaves_the_search_page(client, courses, retour):
    doc = page(client, f"/cours/{courses[0].pk}/?" + f"retour={retour}")
    href = back_link(doc)
    parsed = urlparse(href)
    assert (parsed.scheme, parsed.netloc, parsed.path) == ("", "", "/")
    assert href.startswith("/?")


def test_no_search_or_an_oversized_one_goes_back_to_the_plain_search_page(client, courses):
    pk = courses[0].pk
    assert back_link(page(client, f"/cours/{pk}/")) == "/"
    assert back_link(page(client, f"/cours/{pk}/?retour=")) == "/"
    assert back_link(page(client, f"/cours/{pk}/?retour=q%3D" + "a" * 3000)) == "/"
    # A nested `retour` is dropped rather than piled up.
    assert back_link(page(client, f"/cours/{pk}/?retour=retour%3Dx%26type%3Dasl")) == "/?type=asl"
    # The bare search page's cards link to the bare course page.
    hrefs = page(client, "/").xpath("//article[@class='card']//h2/a/@href")
    assert sorted(hrefs) == sorted(f"/cours/{c.pk}/" for c in courses)
