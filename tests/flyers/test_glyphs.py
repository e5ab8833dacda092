"""Every text a flyer can print, in every language, read back from the PDF as a reader would see it.

For each language, three flyers of Argenteuil (95018) and one of Bobigny between them print every message: groups
full, groups widened to the zone d'emploi, groups empty, the three kinds of local contact. For each flyer: the
text extracted by pdftotext holds every word
of every printed message (French and translated) once shaping is undone; every run of text is drawn by a
font whose own character map has its characters (pdftohtml gives the font of each run); no symbol or
last-resort font is embedded (pdffonts); the page renders to PNG without a complaint from poppler.
"""

import pytest
from django.http import QueryDict
from django.utils import translation

from cartolangue.actors.importers import import_actors
from cartolangue.flyers.content import CONTACT_KINDS, GROUP_TEXTS, TEXTS, WEEKDAY_SHORT
from cartolangue.flyers.languages import FLYER_LANGUAGES
from cartolangue.flyers.views import flyer_context, render_flyer
from tests.actors.test_import_actors import FILES as ACTOR_FILES
from tests.flyers import pdf
from tests.flyers.test_flyer import demo  # noqa: F401 (fixture)

SITE = "https://carto-langue.example.org"
VARIANTS = {
    "full": "commune=95018",
    "widened": "commune=95018&rayon=1",
    "empty": "commune=95018&type=asl",
    "bobigny": "commune=93008",  # its Ofii direction covers the Seine-Saint-Denis (Argenteuil's is not in the file)
}


def printed_texts(flyer):
    """The messages this flyer prints, by key, read from what was laid out (not from the PDF)."""
    keys = {"title", "intro", "qr", "help", "near"}
    groups = flyer.groups
    if any(g.widened_to for g in groups):
        keys.add("widened")
    if any(not g.items and not g.exams for g in groups):
        keys.add("none")
    if any(g.exams for g in groups):
        keys.add("exams")
    courses = [item.course for g in groups for item in g.items]
    if any(c.is_free for c in courses):
        keys.add("free")
    if any(c.childcare for c in courses):
        keys.add("childcare")
    if flyer.contacts:
        keys.add("contacts")
    texts = {key: TEXTS[key] for key in keys}
    texts.update({f"contact:{c.actor.kind}": CONTACT_KINDS[c.actor.kind] for c in flyer.contacts})
    texts.update({f"group:{key}": title for key, title in GROUP_TEXTS.items()})
    days = {slot.weekday for c in courses for slot in c.time_slots.all()}
    texts.update({f"day:{d}": WEEKDAY_SHORT[d] for d in days})
    return texts


def render(variant, code, tmp_path):
    context = flyer_context(QueryDict(VARIANTS[variant]), code, SITE)
    path = tmp_path / f"{variant}-{code}.pdf"
    path.write_bytes(render_flyer(context))
    return path, context["flyer"]


@pytest.fixture(autouse=True)
def _tools():
    pdf.require_tools()


@pytest.fixture
def local_actors(db):
    """The real Missions Locales, Ofii and France Travail agencies, which the flyer names at its foot."""
    for fmt in ("annuaire-dila", "pole-emploi-agences"):
        import_actors(fmt, ACTOR_FILES[fmt])


@pytest.mark.parametrize("code", list(FLYER_LANGUAGES))
def test_every_text_of_the_flyer_prints_as_written_in_fonts_that_have_its_glyphs(
    demo,  # noqa: F811
    local_actors,
    tmp_path,
    code,
):
    language = FLYER_LANGUAGES[code]
    covered = set()
    for variant in VARIANTS:
        path, flyer = render(variant, code, tmp_path)
        extracted = pdf.text(path)
        texts = printed_texts(flyer)
        covered |= texts.keys()
        # Marks drawn as glyphs of their own are extracted out of place in these scripts (see pdf.skeleton).
        marks_move = code == "ta" or language.rtl
        for key, text in texts.items():
            with translation.override("fr"):
                french = str(text)
            with translation.override(language.django_code):
                translated = str(text)
            # Weekday names are printed in the reader's language only; every other text in both.
            wanted = [translated] if key.startswith("day:") else [french, translated]
            for expected in wanted:
                missing = pdf.missing_words(expected, extracted, language.rtl, reorders_marks=marks_move)
                assert not missing, f"{variant}/{code} {key}: {missing} of {expected!r} not in the PDF"
        assert pdf.misdrawn(path) == [], f"{variant}/{code}: characters drawn by a font without them"
        assert pdf.fallback_fonts(path) == []
        assert pdf.pages(path) == 1, f"{variant}/{code}: more than one page"
        pdf.render_png(path, tmp_path)
    expected = {"widened", "none", "exams", "free", "childcare", "contacts"} | {f"contact:{k}" for k in CONTACT_KINDS}
    assert expected <= covered, f"{code}: variants miss {expected - covered}"


def test_the_per_font_check_catches_a_font_drawing_what_it_lacks(tmp_path):
    """The measure itself: Arabic in an italic paragraph of a Latin-first stack (DejaVu Sans Oblique has no
    Arabic) is caught, while the union of the embedded fonts' maps (DejaVu Sans has Arabic) misses it."""
    from weasyprint import HTML

    path = tmp_path / "oblique.pdf"
    HTML(string='<p style="font-family: DejaVu Sans; font-style: italic">اسأل مستشارك</p>').write_pdf(path)
    assert pdf.misdrawn(path)
