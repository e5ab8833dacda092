"""Dates and addresses as every document prints them (cartolangue/www/templatetags/fragments.py)."""

import datetime
import re

import pytest
from django.test import override_settings
from django.utils import translation

from cartolangue.flyers.languages import FLYER_LANGUAGES
from cartolangue.www.templatetags.fragments import long_date, one_line_address
from tests.factories import CourseFactory, PlaceFactory, SessionFactory
from tests.flyers import pdf

LANGUAGES = sorted({lang.django_code for lang in FLYER_LANGUAGES.values()} | {"fr", "en", "ar"})
MONTHS = [datetime.date(2026, month, 11) for month in range(1, 13)]
# English month names and abbreviations, and "Jui", the ambiguous French abbreviation (juin or juillet).
ENGLISH_MONTHS = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|August"
    r"|September|October|November|December|Jui)\b"
)


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_twelve_months_print_twelve_different_full_dates(code):
    printed = [long_date(day, code) for day in MONTHS]
    assert len(set(printed)) == 12, printed
    assert all("11" in p and "2026" in p for p in printed), printed
    if code != "en":
        assert not [p for p in printed if ENGLISH_MONTHS.search(p)], printed


def test_french_dates_are_written_in_full():
    assert [long_date(day, "fr") for day in MONTHS[5:7]] == ["11 juin 2026", "11 juillet 2026"]
    with translation.override("fr"):
        assert long_date(datetime.date(2026, 9, 11)) == "11 septembre 2026"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "complement", "expected"),
    [
        ("", "", "35 place de l'Église, 95800 Cergy"),
        ("Foyer", "", "Foyer, 35 place de l'Église, 95800 Cergy"),
        ("", "bât. B", "35 place de l'Église (bât. B), 95800 Cergy"),
        ("  Foyer ", " 2e étage ", "Foyer, 35 place de l'Église (2e étage), 95800 Cergy"),
    ],
)
def test_an_address_has_no_space_before_a_comma(name, complement, expected):
    from cartolangue.geo.models import Commune

    cergy = Commune.objects.get(code_insee="95127")
    place = PlaceFactory(
        name=name, address="35 place de l'Église ", address_complement=complement, post_code="95800", commune=cergy
    )
    assert one_line_address(place) == expected


@override_settings(SITE_URL="https://carto-langue.example.org")
@pytest.mark.django_db
def test_the_selection_sheet_prints_full_dates_and_clean_addresses(client, tmp_path):
    pdf.require_tools()
    course = CourseFactory(name="FLE soir", place=PlaceFactory(address="12 rue de la Gare", address_complement=""))
    SessionFactory(course=course, starts_on=datetime.date(2099, 9, 11), ends_on=datetime.date(2100, 6, 18))
    SessionFactory(course=course, starts_on=datetime.date(2100, 7, 2), ends_on=datetime.date(2100, 7, 30))
    response = client.get(f"/imprimer/selection.pdf?cours={course.pk}")
    path = tmp_path / "s.pdf"
    path.write_bytes(response.content)
    text = " ".join(pdf.text(path).split())
    assert "11 septembre 2099 → 18 juin 2100" in text
    assert "2 juillet 2100 → 30 juillet 2100" in text
    assert not ENGLISH_MONTHS.search(text), text
    assert " ," not in text
    assert f"12 rue de la Gare, {course.place.post_code} {course.place.commune.name}" in text
