"""Left-to-right fragments inside Arabic pages read in their own order, as the browser draws them.

The check is on geometry, not on markup: for a fragment (a phone, an address, a price, a name with
parentheses), every non-space character is measured with a one-character `Range.getBoundingClientRect`, in
logical order. A left-to-right fragment drawn left to right has strictly increasing x positions; the bidi
algorithm's reordering (numbers separated by spaces laid out right to left in an Arabic paragraph, a trailing
"€" or ")" moved to the other end) makes at least one step go backwards. No pixel comparison, so no font or
anti-aliasing makes it flaky.
"""

import pytest

from cartolangue.offers.models import Certification
from tests.factories import CourseFactory, PlaceFactory, StructureFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "01 48 20 31 68"
STRUCTURE_PHONE = "01 39 98 12 40"
ADDRESS = "120 chemin Jean Jaurès"
PRICE = "300\u00a0€"
EMAIL = "accueil@langues-95.example.org"

# The x position of each non-space character of the first text run that holds `fragment` (the fragment may
# be split over several text nodes by markup such as <bdi>: characters are taken across nodes, in order).
CHARACTER_POSITIONS = """
(fragment) => {
  const walker = document.createTreeWalker(document.querySelector("main") || document.body, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
  const start = text.indexOf(fragment);
  if (start < 0) return null;
  const xs = [];
  for (let i = start; i < start + fragment.length; i++) {
    if (/\\s/.test(text[i])) continue;
    const [node, offset] = nodes.filter(([, o]) => o <= i).pop();
    const range = document.createRange();
    range.setStart(node, i - offset);
    range.setEnd(node, i - offset + 1);
    const box = range.getBoundingClientRect();
    xs.push([text[i], Math.round(box.left * 10) / 10, Math.round(box.top)]);
  }
  return xs;
}
"""


def reads_left_to_right(page, fragment):
    positions = page.evaluate(CHARACTER_POSITIONS, fragment)
    assert positions is not None, f"{fragment!r} is not on the page"
    # A fragment may wrap: within each line x increases, and the lines follow each other downwards.
    steps = zip(positions, positions[1:], strict=False)
    return all(a[2] < b[2] if a[2] != b[2] else a[1] < b[1] for a, b in steps), positions


@pytest.fixture
def arabic_course(live_server):
    structure = StructureFactory(name="Maison des langues", phone=STRUCTURE_PHONE, email=EMAIL)
    place = PlaceFactory(structure=structure, address=ADDRESS)
    course = CourseFactory(
        structure=structure,
        place=place,
        contact_phone=PHONE,
        contact_email=EMAIL,
        contact_public=True,  # a public contact point: the page shows its own phone (ADR 0019)
        is_free=False,
        cost_amount=300,
    )
    course.certifications.add(Certification.objects.get(code="dilf"))
    return live_server, course


@pytest.mark.parametrize(
    "fragment",
    [PHONE, EMAIL, ADDRESS, PRICE, "DILF (A1.1)"],
)
def test_ltr_fragments_of_the_arabic_course_page_read_left_to_right(page, arabic_course, fragment):
    server, course = arabic_course
    page.goto(f"{server.url}/ar/cours/{course.pk}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    ok, positions = reads_left_to_right(page, fragment)
    assert ok, f"{fragment!r} is drawn out of order: {positions}"


@pytest.mark.parametrize("fragment", [STRUCTURE_PHONE, ADDRESS, PRICE])
def test_ltr_fragments_of_the_arabic_structure_page_read_left_to_right(page, arabic_course, fragment):
    server, course = arabic_course
    page.goto(f"{server.url}/ar/structures/{course.structure.pk}/")
    ok, positions = reads_left_to_right(page, fragment)
    assert ok, f"{fragment!r} is drawn out of order: {positions}"


def test_the_check_sees_a_reversed_phone(page, live_server):
    """The measure itself: an unisolated phone in an Arabic paragraph is seen as reversed."""
    page.set_content(f'<html dir="rtl" lang="ar"><body><main><p>الهاتف: {PHONE}</p></main></body></html>')
    assert reads_left_to_right(page, PHONE)[0] is False
    page.set_content(f'<html dir="rtl"><body><main><p>الهاتف: <bdi dir="ltr">{PHONE}</bdi></p></main></body></html>')
    assert reads_left_to_right(page, PHONE)[0] is True
