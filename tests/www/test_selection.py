"""The counsellor's selection: kept in the URL (no account, no JavaScript), printed as an orientation sheet."""

from urllib.parse import parse_qs, urlparse

import pytest
from lxml import html

from tests.factories import CourseFactory, PlaceFactory, StructureFactory, commune

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return html.fromstring(response.content)


def query_of(href):
    return parse_qs(urlparse(href).query)


@pytest.fixture
def courses():
    """Primary keys above 1,000, so that an id printed with a thousands separator ("3 141") would show."""
    structure = StructureFactory(name="Maison des langues")
    place = PlaceFactory(
        structure=structure, commune=commune("95585"), post_code="95200", latitude=48.99, longitude=2.38
    )
    return [CourseFactory(pk=3141 + i, structure=structure, place=place, name=f"ASL {i}") for i in range(3)]


def test_adding_and_removing_are_plain_links_that_keep_the_search(client, courses):
    first, second, _third = courses
    doc = page(client, f"/?commune=95585&type=asl&selection={first.pk}")
    box = doc.get_element_by_id("selection-title").getparent()
    assert [a.text_content().strip() for a in box.xpath(".//li/a[1]")] == [first.name]
    [sheet] = box.xpath(".//a[@class='button']")
    assert sheet.get("href") == f"/imprimer/selection.pdf?cours={first.pk}"
    links = {a.xpath("string(ancestor::article//h2)").strip(): a for a in doc.xpath("//p[@class='select']/a")}
    add = query_of(links[second.name].get("href"))
    assert add["selection"] == [str(first.pk), str(second.pk)]
    assert add["commune"] == ["95585"] and add["type"] == ["asl"]
    remove = links[first.name]
    assert "Retirer de ma sélection" in remove.text_content()
    assert "selection" not in query_of(remove.get("href"))
    # The search form carries the selection along when the filters change.
    assert doc.xpath("//form[@id='recherche']//input[@name='selection']/@value") == [str(first.pk)]


def test_unknown_or_invalid_ids_are_ignored_and_the_selection_is_capped(client, courses):
    doc = page(
        client,
        f"/?commune=95585&selection=999999&selection=abc&selection=%C2%B2&selection=99999999999999999999"
        f"&selection={courses[0].pk}",
    )
    assert [a.text_content().strip() for a in doc.xpath("//section[@class='selection']//li/a[1]")] == ["ASL 0"]
    many = CourseFactory.create_batch(11, place=courses[0].place, structure=courses[0].structure)
    url = "/?commune=95585&" + "&".join(f"selection={c.pk}" for c in many)
    doc = page(client, url)
    assert len(doc.xpath("//section[@class='selection']//li")) == 10
    assert "La sélection est pleine (10 cours au plus)." in doc.text_content()


def test_the_flyer_form_prints_the_same_search(client, courses):
    doc = page(client, "/?commune=95585&type=asl&page=1")
    [form] = doc.xpath("//form[@class='print-flyer']")
    assert form.get("action") == "/imprimer/flyer.pdf"
    hidden = {(i.get("name"), i.get("value")) for i in form.xpath(".//input[@type='hidden']")}
    assert hidden == {("commune", "95585"), ("type", "asl")}
    assert form.xpath(".//option[@selected]/@value") == ["fr"]
    assert len(form.xpath(".//option")) == 11
    assert page(client, "/en/?commune=95585").xpath("//form[@class='print-flyer']//option[@selected]/@value") == ["en"]
    # Without a place there is nothing "near home" to print.
    assert page(client, "/?type=asl").xpath("//form[@class='print-flyer']") == []


def test_a_comma_separated_selection_is_read_like_repeated_parameters(client, courses):
    first, second, _third = courses
    doc = page(client, f"/?commune=95585&selection={second.pk},{first.pk}")
    assert [a.text_content().strip() for a in doc.xpath("//section[@class='selection']//li/a[1]")] == [
        second.name,
        first.name,
    ]
    [sheet] = doc.xpath("//section[@class='selection']//a[@class='button']")
    assert sheet.get("href") == f"/imprimer/selection.pdf?cours={second.pk}&cours={first.pk}"
