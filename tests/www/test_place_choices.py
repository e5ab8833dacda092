"""A typed place that several communes fit ("Saint", "95", a shared post code) is never guessed: the page lists
the communes as links (no JavaScript needed), in every language, and the API names them in its 422."""

import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from cartolangue.geo.models import Commune
from cartolangue.search.places import MAX_PLACE_CHOICES, place_match
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
HEADINGS = {
    "fr": "Plusieurs communes correspondent à « <bdi>{}</bdi> »",
    "en": "Several municipalities match “<bdi>{}</bdi>”",
    "ar": "تتطابق عدة بلديات مع «<bdi>{}</bdi>»",  # the typed text isolated from the Arabic around it
}


def _choices(html):
    block = re.search(r'<div class="notice place-choices".*?</div>', html, re.S)
    assert block, "no list of communes to choose from"
    return re.findall(r'<a href="([^"]+)"><bdi>([^<]+)</bdi>', block.group(0))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Sarcelles", "95585"), ("Sarcelles (95200)", "95585"), ("95200", "95585"), ("95585", "95585")],
)
def test_a_place_that_names_one_commune_is_taken(client, typed, expected):
    response = client.get("/", {"lieu": typed, "public": "femmes"})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.url).query) == {"commune": [expected], "public": ["femmes"]}


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
@pytest.mark.parametrize("typed", ["Saint", "95", "95000"])
def test_a_place_that_several_communes_fit_is_offered_as_a_choice(client, language, typed):
    CourseFactory()
    prefix = "" if language == "fr" else f"/{language}"
    response = client.get(f"{prefix}/", {"lieu": typed, "type": "fle"}, follow=True)
    html = response.content.decode()
    assert "commune" not in parse_qs(urlsplit(response.redirect_chain[-1][0]).query), "a commune was guessed"
    assert HEADINGS[language].format(typed) in html
    choices = _choices(html)
    expected = place_match(typed).choices
    assert 2 <= len(choices) == len(expected) <= MAX_PLACE_CHOICES
    for (url, name), commune in zip(choices, expected, strict=True):
        assert html_lib.unescape(name) == commune.name
        query = parse_qs(urlsplit(url.replace("&amp;", "&")).query)
        assert query == {"commune": [commune.code_insee], "type": ["fle"]}
    if typed != "95000":
        assert all(c.departement.code == "95" for c in expected) or typed == "Saint"
    # The typed text stays in the field, and choosing a commune searches around it.
    assert f'value="{typed}"' in html
    chosen = client.get(f"{prefix}/" + choices[0][0].replace("&amp;", "&"))
    assert chosen.status_code == 200
    assert 'class="notice place-choices"' not in chosen.content.decode()


def test_choices_are_the_largest_communes_and_say_when_there_are_more():
    match = place_match("Saint")
    assert match.commune is None and match.more
    populations = [c.population or 0 for c in match.choices]
    assert populations == sorted(populations, reverse=True)
    served = place_match("95000")  # Cergy's post code, shared by several communes
    assert served.commune is None
    assert {c.code_insee for c in served.choices} == set(
        Commune.objects.filter(post_codes__code="95000").values_list("code_insee", flat=True)
    )


def test_a_place_nothing_fits_is_still_reported_as_unknown(client):
    response = client.get("/", {"lieu": "Xyzzy"}, follow=True)
    html = response.content.decode()
    assert "Aucune commune d'Île-de-France ne correspond à « <bdi>Xyzzy</bdi> »" in html_lib.unescape(html)
    assert 'class="notice place-choices"' not in html


def test_the_api_names_the_communes_of_a_post_code_instead_of_guessing(client):
    response = client.get("/api/v1/courses", {"commune": "95000"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "commune"]
    assert "code postal" in error["msg"]
    for code in Commune.objects.filter(post_codes__code="95000").values_list("code_insee", flat=True):
        assert code in error["msg"]
    unknown = client.get("/api/v1/courses", {"commune": "99999"}).json()["detail"][0]
    assert unknown["loc"] == ["query", "commune"] and "inconnue" in unknown["msg"]
