"""The orientation sheet (/imprimer/selection.pdf) in French and the person's language, as the flyer: the page's
language by default (printed from /ar/, it is in French and Arabic), or `langue=`. Read back from the PDF as a
reader would (pdftotext, shaping undone), with the checks of the flyer's glyph test: every run drawn by a font
that has its characters, no fallback font, a page poppler renders without a complaint."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation

from cartolangue.flyers.content import SELECTION_TEXTS
from cartolangue.flyers.languages import FLYER_LANGUAGES, SHEET_LANGUAGES
from cartolangue.offers import enums
from cartolangue.www.templatetags.fragments import long_date
from tests.factories import CourseFactory, SessionFactory
from tests.flyers import pdf

pytestmark = pytest.mark.django_db
SITE = "https://carto-langue.example.org"
STARTS, ENDS = datetime.date(2099, 9, 11), datetime.date(2100, 6, 18)
# The texts each course below prints (with the values of their placeholders).
FIRST_TEXTS = {
    "title": {},
    "intro": {"n": 2},
    "type": {},
    "structure": {},
    "address": {},
    "step_free": {},
    "levels": {},
    "target": {},
    "oral": {},
    "written": {},
    "audiences": {},
    "schedule": {},
    "hours_per_week": {"hours": "2,5"},
    "sessions": {},
    "seats": {"n": 3},
    "cost": {},
    "free": {},
    "childcare": {},
    "yes": {},
    "registration": {},
    "contact": {},
    "qr": {},
    "notes": {},
    "sources": {},
}
SECOND_TEXTS = {"no_prerequisite": {}, "ask": {}, "no": {}}


@pytest.fixture
def courses():
    first = CourseFactory(
        name="FLE soir",
        course_type=enums.CourseType.FLE,
        parcours=enums.Parcours.INTEGRATION,
        cecrl_level_target=enums.CecrlLevel.A2,
        entry_level_oral=enums.CecrlLevel.A1,
        entry_level_written=enums.CecrlLevel.A1_1,
        is_free=True,
        childcare=True,
        registration_mode=enums.RegistrationMode.PLACEMENT_TEST,
        hours_per_week=Decimal("2.5"),
        contact_phone="01 48 20 31 68",
        contact_public=True,
    )
    first.place.step_free_access = True
    first.place.save()
    first.audiences.create(audience=enums.Audience.WOMEN, mode=enums.AudienceMode.EXCLUSIVE)
    first.time_slots.create(weekday=2, starts_at=datetime.time(9, 30), ends_at=datetime.time(12))
    SessionFactory(
        course=first, starts_on=STARTS, ends_on=ENDS, recruitment_status=enums.RecruitmentStatus.OPEN, seats_left=3
    )
    second = CourseFactory(name="ASL quartier", is_free=False, childcare=False)
    return first, second


def _sheet(client, tmp_path, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.content)
    return path, response


def _texts(first):
    """Every text the two courses print: the sheet's own, and the labels of their values."""
    texts = [(SELECTION_TEXTS[key], values) for key, values in {**FIRST_TEXTS, **SECOND_TEXTS}.items()]
    for obj, field in [
        (first, "course_type"),
        (first, "parcours"),
        (first, "registration_mode"),
        (first.audiences.get(), "audience"),
        (first.audiences.get(), "mode"),
        (first.time_slots.get(), "weekday"),
        (first.sessions.get(), "recruitment_status"),
    ]:
        texts.append((dict(obj._meta.get_field(field).flatchoices)[getattr(obj, field)], {}))
    return texts


@override_settings(SITE_URL=SITE)
@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/ar/imprimer/selection.pdf?cours={}", "ar"),
        ("/imprimer/selection.pdf?cours={}&langue=en", "en"),
    ],
)
def test_the_sheet_prints_every_text_in_french_and_in_the_persons_language(client, tmp_path, courses, url, code):
    pdf.require_tools()
    first, second = courses
    language = FLYER_LANGUAGES[code]
    path, response = _sheet(client, tmp_path, url.format(f"{first.pk},{second.pk}"))
    assert response["Content-Disposition"] == f'inline; filename="selection-cours-{code}.pdf"'
    extracted = pdf.text(path)
    marks_move = language.rtl
    for text, values in _texts(first):
        with translation.override("fr"):
            french = str(text % values) if values else str(text)
        with translation.override(language.django_code):
            translated = str(text % values) if values else str(text)
        for expected in (french, translated):
            missing = pdf.missing_words(expected, extracted, language.rtl, reorders_marks=marks_move)
            assert not missing, f"{code}: {missing} of {expected!r} not in the sheet"
    # Dates as each language writes them (Latin digits, the month in full), the phone in its order.
    for day in (STARTS, ENDS):
        for expected in (long_date(day, "fr"), long_date(day, language.django_code)):
            assert not pdf.missing_words(expected, extracted, language.rtl, reorders_marks=marks_move), expected
    assert "01 48 20 31 68" in extracted
    assert pdf.misdrawn(path) == [], f"{code}: characters drawn by a font without them"
    assert pdf.fallback_fonts(path) == []
    pdf.render_png(path, tmp_path)


@override_settings(SITE_URL=SITE)
def test_a_sheet_in_a_right_to_left_language_sets_its_text_right_to_left(client, tmp_path, courses):
    """Where each word is drawn (pdftotext -bbox): the Arabic title's words run from right to left, the French
    beside them from left to right, on the same line."""
    pdf.require_tools()
    first, _second = courses
    path, _response = _sheet(client, tmp_path, f"/ar/imprimer/selection.pdf?cours={first.pk}")
    with translation.override("ar"):
        title = pdf.words(str(SELECTION_TEXTS["title"]))  # دروس اللغة الفرنسية التي اخترتها
    assert title[:3] == ["دروس", "اللغة", "الفرنسية"]
    (ma_x, ma_y), (francais_x, _y) = pdf.drawn_at(path, "Ma"), pdf.drawn_at(path, "français")
    (lessons_x, lessons_y), (french_x, _y) = pdf.drawn_at(path, title[0]), pdf.drawn_at(path, title[2])
    assert ma_x < francais_x < french_x < lessons_x
    assert abs(lessons_y - ma_y) < 15  # one line: the Arabic follows the French


def test_the_sheet_is_french_only_from_a_french_page_and_refuses_an_unknown_language(client, tmp_path, courses):
    pdf.require_tools()
    first, _second = courses
    path, response = _sheet(client, tmp_path, f"/imprimer/selection.pdf?cours={first.pk}")
    text = pdf.text(path)
    assert "Ma sélection de cours de français" in text
    with translation.override("en"):
        assert str(SELECTION_TEXTS["title"]) not in text
    assert [line for line in text.splitlines() if " / " in line and line.strip() != "1 / 1"] == []  # no pairs
    for code in ("xx", "fa"):  # Dari: a flyer language whose catalogue does not translate the sheet
        refused = client.get(f"/imprimer/selection.pdf?cours={first.pk}&langue={code}")
        assert refused.status_code == 400
        assert f"Langue « {code} » inconnue. Langues possibles : fr, en, ar." in refused.content.decode()


@pytest.mark.parametrize("code", [c for c in SHEET_LANGUAGES if c != "fr"])
def test_every_sheet_language_translates_every_text_the_sheet_prints(code):
    """Each text of the sheet, and each label of the referentials it prints, has a translation in the catalogue
    (not merely a msgid that falls back to French)."""
    catalog = translation.trans_real.translation(SHEET_LANGUAGES[code].django_code)._catalog
    labels = [
        label
        for enum in (enums.CourseType, enums.Parcours, enums.RegistrationMode, enums.Audience, enums.AudienceMode)
        for label in enum.labels
    ] + [*enums.Weekday.labels, *enums.RecruitmentStatus.labels]
    values = {"n": 5, "hours": "2", "date": "3 décembre 2026"}
    missing = []
    for text in [*SELECTION_TEXTS.values(), *labels]:
        with translation.override("fr"):
            french = str(text % values)
        with translation.override(SHEET_LANGUAGES[code].django_code):
            translated = str(text % values)
        # Translated, or a word both languages write alike ("Contact") that the catalogue lists as such.
        if translated == french and french not in catalog:
            missing.append(french)
    assert missing == []


def test_the_search_page_in_arabic_links_to_the_arabic_sheet(client, courses):
    first, _second = courses
    html = client.get(f"/ar/?commune=95127&selection={first.pk}").content.decode()
    assert f'href="/ar/imprimer/selection.pdf?cours={first.pk}"' in html
