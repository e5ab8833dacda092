import datetime
import io
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

from cartolangue.flyers.content import TEXTS
from cartolangue.flyers.languages import FLYER_LANGUAGES
from cartolangue.geo.models import Commune, Zone, ZoneMembership, Zoning
from cartolangue.offers import enums
from cartolangue.offers.demo import demo_generate
from tests.factories import CourseFactory, PlaceFactory, StructureFactory
from tests.flyers import pdf

SITE = "https://carto-langue.example.org"


@pytest.fixture(autouse=True)
def _tools():
    pdf.require_tools()


@pytest.fixture
def demo(db):
    demo_generate(courses=400, seed=3, reference_date=datetime.date(2026, 11, 1))


def make_flyer(tmp_path, *args, name="flyer.pdf"):
    out = tmp_path / name
    call_command("make_flyer", *args, "--site", SITE, "--out", str(out), stdout=io.StringIO(), stderr=io.StringIO())
    return out


def translated(key, code):
    with translation.override(FLYER_LANGUAGES[code].django_code):
        return str(TEXTS[key])


@pytest.mark.parametrize("code", list(FLYER_LANGUAGES))
def test_flyer_in_every_language_is_one_page_with_its_title_and_no_tofu(demo, tmp_path, code):
    path = make_flyer(tmp_path, "--commune", "95585", "--langue", code)
    assert pdf.pages(path) == 1
    text = " ".join(pdf.text(path).split())
    assert "Cours de français près de chez vous" in text
    translated_texts = [translated(key, code) for key in TEXTS]
    if code != "fr":
        title = translated("title", code)
        assert title != "Cours de français près de chez vous"
        assert pdf.as_extracted(title, FLYER_LANGUAGES[code].rtl) in "".join(text.split())
    assert pdf.uncovered(path, translated_texts) == []


def test_the_glyph_check_catches_a_script_no_font_draws(demo, tmp_path):
    path = make_flyer(tmp_path, "--commune", "95585", "--langue", "fr")
    # Egyptian hieroglyphs: no installed font has them, so they would print as boxes.
    assert pdf.uncovered(path, ["𓀀𓀁"]) == ["𓀀", "𓀁"]


def test_flyer_lists_the_nearest_courses_of_each_group(demo, tmp_path):
    from django.http import QueryDict

    from cartolangue.search.engine import course_search
    from cartolangue.search.params import parse_course_query

    path = make_flyer(tmp_path, "--commune", "95585", "--langue", "en")
    text = " ".join(pdf.text(path).split())
    for types in (["asl", "oepre"], ["fos"]):
        params = QueryDict(mutable=True)
        params["commune"] = "95585"
        params.setlist("type", types)
        found = course_search(parse_course_query(params, strict=True), facets=False).items
        assert found
        nearest = found[0]
        assert " ".join(nearest.name.split()) in text
        assert nearest.place.commune.name in text
    for title in ("Ateliers sociolinguistiques", "Social-language workshops", "Français pour l'emploi"):
        assert title in text
    assert "Imprimé le" in text and "Sources : données de démonstration (fictives)" in text


@pytest.mark.parametrize("code", ["fr", "en", "ar", "ta"])
def test_qr_code_decodes_to_the_same_search_in_the_same_language(demo, tmp_path, code):
    path = make_flyer(tmp_path, "--commune", "95585", "--langue", code, "--filtre", "type=asl", "--rayon", "15")
    prefix = {"fr": "", "en": "/en", "ar": "/ar"}.get(code, "")  # the site speaks fr, en, ar
    expected = f"{SITE}{prefix}/?" + urlencode([("type", "asl"), ("rayon", "15"), ("commune", "95585")])
    assert pdf.qr_codes(path, tmp_path) == [expected]


def test_arabic_comes_out_in_logical_order(demo, tmp_path):
    path = make_flyer(tmp_path, "--commune", "95585", "--langue", "ar")
    text = pdf.text(path)
    assert "دروس اللغة الفرنسية بالقرب منك" in text
    assert "منك بالقرب الفرنسية اللغة دروس" not in text
    # The lam-alef ligature (Dari "کلاس") is mapped to lam then alef, in logical order, in the PDF itself.
    path = make_flyer(tmp_path, "--commune", "95585", "--langue", "fa", name="fa.pdf")
    assert "06440627" in pdf.to_unicode_maps(path)


def test_the_foot_names_who_covers_the_commune_as_the_course_pages_do(demo, tmp_path):
    """A flyer names the Mission Locale, France Travail agency and Ofii direction that cover its commune: the ones
    `actors_covering` picks (the rule of the course pages), with their phone; one the files lack (no Ofii
    direction for the Val-d'Oise in the 2019 annuaire) is left out, and a flyer without actors names none."""
    from cartolangue.actors.importers import import_actors
    from cartolangue.flyers.content import CONTACT_KINDS
    from cartolangue.search.actors import actors_covering
    from tests.actors.test_import_actors import FILES

    without = " ".join(pdf.text(make_flyer(tmp_path, "--commune", "95018", name="none.pdf")).split())
    assert "Qui peut vous aider" not in without
    for fmt in ("annuaire-dila", "pole-emploi-agences"):
        import_actors(fmt, FILES[fmt])
    for code, kinds in (("95018", {"mission-locale", "france-travail"}), ("93008", set(CONTACT_KINDS))):
        place = Commune.objects.get(code_insee=code)
        covering = actors_covering(place.latitude, place.longitude, place.pk, list(CONTACT_KINDS))
        assert set(covering) == kinds
        path = make_flyer(tmp_path, "--commune", code, "--langue", "ar", name=f"{code}.pdf")
        assert pdf.pages(path) == 1
        text = " ".join(pdf.text(path).split())
        assert "Qui peut vous aider près de chez vous" in text
        for kind, actor in covering.items():
            assert str(CONTACT_KINDS[kind]) in text and " ".join(actor.name.split()) in text, kind
            if actor.phone:
                assert actor.phone in text
        assert ("Ofii (contrat d'intégration)" in text) == (code == "93008")
        assert "Annuaire de l'administration (DILA, 2019)" in text


@pytest.mark.django_db
def test_an_empty_group_widens_to_the_zone_and_an_empty_zone_says_so(tmp_path):
    sarcelles = Commune.objects.get(code_insee="95585")
    zone = Zone.objects.get(zoning__slug="insee-ze2020", communes=sarcelles)
    far = Commune.objects.filter(zones=zone).exclude(code_insee="95585").order_by("-latitude").first()
    structure = StructureFactory(name="Maison des langues")
    place = PlaceFactory(
        structure=structure, commune=far, post_code="95000", latitude=far.latitude, longitude=far.longitude
    )
    CourseFactory(
        structure=structure, place=place, name="ASL loin mais dans la zone", course_type=enums.CourseType.ASL
    )
    path = make_flyer(tmp_path, "--commune", "95585", "--rayon", "1", "--langue", "fr")
    text = " ".join(pdf.text(path).split())
    assert pdf.pages(path) == 1
    assert "ASL loin mais dans la zone" in text
    assert f"Rien à proximité : cours dans la zone d'emploi {zone.name}" in text
    assert "Pas de cours trouvé près de chez vous : demandez à votre conseiller." in text  # the other groups


@pytest.mark.django_db
def test_batch_writes_one_flyer_per_commune_of_a_zone(tmp_path):
    zoning = Zoning.objects.create(slug="test-flyers", name="Test")
    zone = Zone.objects.create(zoning=zoning, code="z1", name="Trois communes")
    for code in ("95585", "95127", "95500"):
        ZoneMembership.objects.create(
            zoning=zoning, zone=zone, commune=Commune.objects.get(code_insee=code), resolution="table"
        )
    out = io.StringIO()
    call_command("make_flyer", "--zone", "test-flyers:z1", "--langue", "uk", "--out", str(tmp_path), stdout=out)
    files = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert files == ["flyer-95127-uk.pdf", "flyer-95500-uk.pdf", "flyer-95585-uk.pdf"]
    assert all(pdf.pages(tmp_path / f) == 1 for f in files)
    assert out.getvalue().startswith(f"3 dépliants dans {tmp_path} en ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--commune", "95585", "--langue", "xx"], "Langue « xx » inconnue"),
        (["--commune", "99999"], "commune"),
        (["--zone", "insee-ze2020:0000"], "Zone « insee-ze2020:0000 » inconnue"),
        ([], "Indiquez --commune, --zone ou --departement."),
        (["--departement", "99"], "Département « 99 » inconnu."),
    ],
)
def test_command_errors_are_clear(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("make_flyer", *args, "--out", str(tmp_path / "x.pdf"), stdout=io.StringIO())
    assert not (tmp_path / "x.pdf").exists()


# --- over HTTP ------------------------------------------------------------------------------------------


@override_settings(SITE_URL=SITE)
def test_flyer_url_serves_a_pdf(demo, client, tmp_path):
    response = client.get("/imprimer/flyer.pdf?commune=95585&langue=ta&type=fle")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "f.pdf"
    path.write_bytes(response.content)
    assert pdf.pages(path) == 1
    # pdftotext splits some Tamil clusters with a space: compare without spaces.
    assert "".join(translated("title", "ta").split()) in "".join(pdf.text(path).split())
    assert pdf.qr_codes(path, tmp_path) == [f"{SITE}/?commune=95585&type=fle"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/imprimer/flyer.pdf?commune=95585&langue=xx", 400, "Langue « xx » inconnue"),
        ("/imprimer/flyer.pdf?commune=99999", 404, "commune"),
        ("/imprimer/flyer.pdf?zone=insee-ze2020:0000&commune=95585", 404, "zone"),
        ("/imprimer/flyer.pdf?type=fle", 400, "Indiquez une commune"),
        ("/imprimer/flyer.pdf?commune=95585&type=cuisine", 400, "type"),
        ("/en/imprimer/flyer.pdf?commune=95585&langue=xx", 400, "Unknown language"),
        ("/imprimer/selection.pdf", 400, "Aucun cours choisi"),
        ("/imprimer/selection.pdf?cours=abc", 400, "Identifiant de cours invalide"),
        ("/imprimer/selection.pdf?cours=%C2%B2", 400, "Identifiant de cours invalide"),
        ("/imprimer/selection.pdf?cours=99999999999999999999", 400, "Identifiant de cours invalide"),
        ("/imprimer/selection.pdf?" + "&".join(f"cours={i}" for i in range(1, 12)), 400, "au plus 10 cours"),
        ("/imprimer/selection.pdf?cours=999999", 404, "Cours introuvable(s) : 999999"),
        ("/imprimer/selection.pdf?cours=999999,abc", 400, "Identifiant de cours invalide"),
        ("/imprimer/selection.pdf?cours=" + ",".join(str(i) for i in range(1, 12)), 400, "au plus 10 cours"),
        ("/imprimer/selection.pdf?cours=1,2,3,4,5,6&cours=7,8,9,10,11", 400, "au plus 10 cours"),
    ],
)
def test_bad_requests_get_a_clear_page_never_a_pdf(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


@override_settings(SITE_URL=SITE)
@pytest.mark.django_db
def test_selection_sheet_gives_each_course_in_full_and_room_for_notes(client, tmp_path):
    first = CourseFactory(
        name="ASL santé", contact_phone="01 02 03 04 05", contact_public=True, is_free=True, childcare=True
    )
    second = CourseFactory(name="FLE B1 soir", course_type=enums.CourseType.FLE, is_free=False, cost_amount=40)
    response = client.get(f"/imprimer/selection.pdf?cours={second.pk}&cours={first.pk}")
    assert response.status_code == 200
    path = tmp_path / "s.pdf"
    path.write_bytes(response.content)
    text = " ".join(pdf.text(path).split())
    assert text.index("1. FLE B1 soir") < text.index("2. ASL santé")
    for expected in (
        "01 02 03 04 05",
        "40 €",
        "Gratuit",
        "Garde d'enfants oui",
        "Notes du conseiller ou de la conseillère",
    ):
        assert expected in text
    # zbar reports codes in no fixed order: compare as sets (two distinct URLs).
    assert sorted(pdf.qr_codes(path, tmp_path)) == sorted([f"{SITE}/cours/{second.pk}/", f"{SITE}/cours/{first.pk}/"])


@pytest.mark.django_db
def test_selection_sheet_accepts_comma_separated_ids(client, tmp_path):
    """`cours=1894,287` (the short form people type and share) means `cours=1894&cours=287`, in that order."""
    first = CourseFactory(name="ASL santé")
    second = CourseFactory(name="FLE B1 soir", course_type=enums.CourseType.FLE)
    for query in (
        f"cours={second.pk},{first.pk}",
        f"cours={second.pk}, {first.pk},",
        f"cours={second.pk},{first.pk}&cours={first.pk}",
    ):
        response = client.get(f"/imprimer/selection.pdf?{query}")
        assert response.status_code == 200, query
        path = tmp_path / "s.pdf"
        path.write_bytes(response.content)
        text = " ".join(pdf.text(path).split())
        assert text.index("1. FLE B1 soir") < text.index("2. ASL santé"), query
