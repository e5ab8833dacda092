"""Every option of every drop-down list of the search page, in French, English and Arabic, gives a page with
no "critères ignorés" notice, the option still selected, and map URLs that answer; a place search sorts by
distance unless told otherwise. (The course sort `tri` was once passed to the exam parser too: every search
showed a warning and the exam markers' GeoJSON answered 422.)"""

import datetime
import html
import re
from urllib.parse import parse_qsl, urlencode

import pytest

from cartolangue.offers.demo import demo_generate
from cartolangue.search.params import COURSE_PARAMS, EXAM_PARAMS

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)
PLACE = {"commune": "95127", "rayon": "10"}  # Cergy
SELECT_RE = re.compile(r'<select id="[^"]*" name="([^"]+)">(.*?)</select>', re.S)
OPTION_RE = re.compile(r'<option value="([^"]*)"[^>]*?(selected)?\s*>', re.S)


@pytest.fixture
def demo():
    demo_generate(courses=200, seed=2, reference_date=TODAY)


def _selects(page: str) -> dict[str, list[tuple[str, bool]]]:
    """name → [(option value, selected)] of every <select> of the page."""
    return {
        name: [(html.unescape(value), bool(selected)) for value, selected in OPTION_RE.findall(body)]
        for name, body in SELECT_RE.findall(page)
    }


def _attribute(page: str, name: str) -> str:
    return html.unescape(re.search(rf'{name}="([^"]*)"', page).group(1))


@pytest.mark.parametrize("prefix", ["", "/en", "/ar"])
def test_every_option_of_every_select_round_trips_without_a_warning(client, demo, prefix):
    first = client.get(f"{prefix}/?{urlencode(PLACE)}").content.decode()
    selects = _selects(first)
    assert {"rayon", "tri", "langue"} <= set(selects), selects.keys()
    for name, options in selects.items():
        assert len(options) > 1, name
        for value, _selected in options:
            if name == "langue":  # the flyer's language: its form prints the flyer of this search
                response = client.get("/imprimer/flyer.pdf?" + urlencode({**PLACE, "langue": value}))
                assert response.status_code == 200, (value, response.content[:200])
                assert response["Content-Type"] == "application/pdf"
                continue
            page = client.get(f"{prefix}/?{urlencode({**PLACE, name: value})}").content.decode()
            assert 'class="notice" role="alert"' not in page, (name, value)
            assert (value, True) in _selects(page)[name], (name, value)
            for url_attribute in ("data-geojson", "data-exams"):
                url = _attribute(page, url_attribute)
                response = client.get(url)
                assert response.status_code == 200, (name, value, url, response.content[:300])


def test_a_place_search_sorts_by_distance_by_default(client, demo):
    page = client.get("/?" + urlencode(PLACE)).content.decode()
    assert ("distance", True) in _selects(page)["tri"]
    cards = re.findall(r'<p class="card-distance">(.*?)</p>', page, re.S)
    distances = [float(re.search(r"(\d+(?:[,.]\d+)?)\s*km", c).group(1).replace(",", ".")) for c in cards]
    assert distances and distances == sorted(distances)


def test_course_and_exam_parameters_are_apart():
    """Only the parameters whose meaning is the same for both share a name."""
    shared = set(COURSE_PARAMS) & set(EXAM_PARAMS)
    assert shared == {"certification", "commune", "rayon", "lat", "lon", "departement", "page", "taille"}
    for name in shared:
        assert COURSE_PARAMS[name] is EXAM_PARAMS[name]


def test_the_exam_sort_has_its_own_parameter(client, demo):
    by_distance = client.get("/api/v1/exam-sessions", {**PLACE, "rayon": "60", "tri_examens": "distance"}).json()
    distances = [r["distance_km"] for r in by_distance["results"]]
    assert distances and distances == sorted(distances)
    assert client.get("/api/v1/exam-sessions", {"tri": "distance"}).status_code == 422
    page = client.get("/?" + urlencode({**PLACE, "tri": "mise-a-jour", "onglet": "tests"})).content.decode()
    assert 'class="notice" role="alert"' not in page
    exams_url = _attribute(page, "data-exams")
    assert "tri" not in dict(parse_qsl(exams_url.partition("?")[2]))
