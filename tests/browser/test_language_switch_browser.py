"""The language switcher keeps the search: after a filter change made in place (JavaScript, no reload), its
links carry the new query, so switching language shows the same search."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _query(url):
    return parse_qs(urlsplit(url).query)


def test_switching_language_after_a_filter_change_keeps_the_search(page, demo_site):
    page.goto(demo_site.url + "/?commune=95585&rayon=10")
    page.get_by_role("checkbox", name=re.compile("Avec garde d'enfants")).check()
    page.wait_for_url(re.compile(r"garde_enfants=oui"))
    page.get_by_role("checkbox", name=re.compile("Alphabétisation")).check()
    page.wait_for_url(re.compile(r"type=alpha"))
    expect(page.locator("#resultats")).not_to_have_attribute("aria-busy", "true")
    searched = _query(page.url)
    count = page.locator(".result-count").inner_text()
    french_total = re.search(r"\d+", count).group(0)

    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/en/"))
    assert _query(page.url) == searched
    expect(page.get_by_role("checkbox", name=re.compile("With childcare"))).to_be_checked()
    expect(page.locator(".result-count")).to_contain_text(f"{french_total} course")

    # And once more from the translated page, after another change made in place.
    page.locator('input[type="checkbox"][name="jour"][value="lundi"]').check()
    page.wait_for_url(re.compile(r"jour=lundi"))
    expect(page.locator("#resultats")).not_to_have_attribute("aria-busy", "true")
    searched = _query(page.url)
    page.get_by_role("navigation", name="Language").get_by_role("link", name="العربيّة").click()
    page.wait_for_url(re.compile(r"/ar/"))
    assert _query(page.url) == searched
    expect(page.locator('input[type="checkbox"][name="jour"][value="lundi"]')).to_be_checked()
