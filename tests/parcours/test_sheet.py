"""The pathway's printed sheet: one page in French and the person's language, read back from the PDF: its words
(Arabic as written, right to left), every glyph drawn by a font that has it, and the QR code leading back to the
same pathway."""

import pytest
from django.utils import translation

from cartolangue.actors.enums import ActorKind
from cartolangue.actors.importers import import_actors
from cartolangue.flyers.languages import FLYER_LANGUAGES
from cartolangue.offers import enums
from cartolangue.parcours.rules import GOALS
from cartolangue.parcours.views import SHEET_TEXTS
from tests.conftest import ROOT
from tests.factories import CourseFactory, PlaceFactory, commune
from tests.flyers import pdf

pytestmark = pytest.mark.django_db
ANSWERS = (
    "objectif=carte-resident&oral=A1&ecrit=aucun&scolarite=langue-etrangere&age=26-64"
    "&situation=demandeur-emploi&contraintes=&commune=95585"
)


@pytest.fixture
def sarcelles():
    pdf.require_tools()
    import_actors("pole-emploi-agences", ROOT / "data" / "actors" / "pole_emploi_agences_idf_2019.csv")
    near = PlaceFactory(commune=commune("95585"), latitude=48.9956, longitude=2.3808)
    return CourseFactory(place=near, name="Alpha FLE débutants", cecrl_level_target=enums.CecrlLevel.A2)


@pytest.mark.parametrize("code", ["ar", "en", "fr"])
def test_the_sheet_prints_the_pathway_in_both_languages_with_every_glyph(client, tmp_path, sarcelles, code):
    response = client.get(f"/parcours/fiche.pdf?{ANSWERS}&langue={code}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "fiche.pdf"
    path.write_bytes(response.content)
    assert pdf.pages(path) == 1
    text = pdf.text(path)
    extracted = pdf.as_extracted(text, rtl=code == "ar")
    assert "Niveauàatteindre:B1" in extracted and "AlphaFLEdébutants" in extracted
    assert "FranceTravail–Sarcelles" in extracted and "DELFB1" in extracted and "TCFIRN" in extracted
    in_language = {
        "ar": "المستوى المطلوب بلوغه: B1",
        "en": "Level to reach: B1",
        "fr": "Niveau à atteindre : B1",
    }[code]
    assert pdf.missing_words(in_language, text, rtl=code == "ar") == []
    if code == "ar":  # the goal and the headings in Arabic too
        for sentence in ("الحصول على بطاقة المقيم (10 سنوات)", "من يمكنه مساعدتك", "دروس للتقدّم"):
            assert pdf.missing_words(sentence, text, rtl=True) == [], sentence
    assert pdf.misdrawn(path) == [] and pdf.fallback_fonts(path) == []
    assert pdf.uncovered(path, [text]) == []
    [qr] = pdf.qr_codes(path, tmp_path)
    assert qr.endswith("/parcours/?" + ANSWERS)


def test_an_unfinished_pathway_goes_back_to_its_question_and_an_unknown_language_is_said(client, sarcelles):
    response = client.get("/parcours/fiche.pdf?objectif=carte-resident&oral=A1")
    assert response.status_code == 302 and response["Location"] == "/parcours/?objectif=carte-resident&oral=A1"
    refused = client.get(f"/parcours/fiche.pdf?{ANSWERS}&langue=xx")
    assert refused.status_code == 400 and "Langue « xx » inconnue" in refused.content.decode()


SHEET_KINDS = (ActorKind.MISSION_LOCALE, ActorKind.FRANCE_TRAVAIL, ActorKind.OFII, ActorKind.FRANCE_SERVICES)


def _sheet_msgids():
    kinds = dict(ActorKind.choices)
    return [
        *SHEET_TEXTS.values(),
        *(g.label for g in GOALS.values()),
        *(g.why for g in GOALS.values()),
        *(kinds[k] for k in SHEET_KINDS),
    ]


@pytest.mark.parametrize("code", [c for c in FLYER_LANGUAGES if c != "fr"])
def test_every_flyer_language_translates_the_sheet(code):
    """A language offered for the sheet prints it in that language, not half in French."""
    untranslated = []
    for text in _sheet_msgids():
        with translation.override("fr"):
            french = str(text)
        with translation.override(FLYER_LANGUAGES[code].django_code):
            if str(text) == french and french != "France Services":
                untranslated.append(french)
    assert untranslated == []


@pytest.mark.parametrize("code", ["fa", "ps", "ta", "zh", "ru", "uk", "es", "ti"])
def test_the_sheet_prints_every_script_with_its_glyphs(client, tmp_path, sarcelles, code):
    response = client.get(f"/parcours/fiche.pdf?{ANSWERS}&langue={code}")
    assert response.status_code == 200
    path = tmp_path / "fiche.pdf"
    path.write_bytes(response.content)
    assert pdf.pages(path) == 1
    text = pdf.text(path)
    language = FLYER_LANGUAGES[code]
    with translation.override(language.django_code):
        title = str(SHEET_TEXTS["title"])
    assert pdf.missing_words(title, text, rtl=language.rtl, reorders_marks=code in ("ta", "fa", "ps")) == []
    assert pdf.misdrawn(path) == [] and pdf.fallback_fonts(path) == [] and pdf.uncovered(path, [text]) == []
