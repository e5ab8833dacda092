import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _results_count(page):
    text = page.locator(".result-count").inner_text()
    return int(re.search(r"(\d+)", text).group(1))


def test_counsellor_flow(page, demo_site):
    page.goto(demo_site.url + "/")
    page.get_by_label("Commune, code postal").fill("Sarcelles")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"commune=95585"))
    expect(page.locator(".result-count")).to_contain_text("à 10 km de Sarcelles")
    before = _results_count(page)
    assert before > 0

    # Picking a filter updates the results, the counts and the address bar in place.
    childcare = page.get_by_role("checkbox", name=re.compile("Avec garde d'enfants"))
    expected = int(re.search(r"\((\d+)\)", childcare.locator("xpath=..").inner_text()).group(1))
    childcare.check()
    page.wait_for_url(re.compile(r"garde_enfants=oui"))
    expect(page.locator(".result-count")).to_contain_text(f"{expected} cours")
    assert _results_count(page) == expected < before

    # The URL is the search: opened elsewhere, it gives the same list.
    shared = page.url
    titles = page.locator(".card-title a").all_inner_texts()
    other = page.context.new_page()
    other.goto(shared)
    assert other.locator(".card-title a").all_inner_texts() == titles
    other.close()

    # Open a course.
    first = page.locator(".card-title a").first
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("link", name="Signaler une erreur")).to_have_attribute(
        "href", re.compile(r"^/signaler/\?cours=\d+$")
    )


def test_search_works_without_javascript(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_site.url + "/")
    page.get_by_label("Commune, code postal").fill("95200")
    page.get_by_role("button", name="Rechercher").click()
    assert "commune=95585" in page.url
    page.get_by_role("checkbox", name=re.compile("Alphabétisation")).check()
    page.get_by_role("button", name="Appliquer les filtres").click()
    assert "type=alpha" in page.url
    assert _results_count(page) > 0
    for text in page.locator(".card .tag").all_inner_texts():
        assert text == "Alphabétisation"
    context.close()


def test_arabic_is_right_to_left(page, demo_site):
    page.goto(demo_site.url + "/?commune=95585")
    page.locator('a[hreflang="ar"]').click()
    page.wait_for_url(re.compile(r"/ar/\?commune=95585"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


def test_keyboard_only(page, demo_site):
    page.goto(demo_site.url + "/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Aller au contenu")
    # The focus ring is visible.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.get_by_label("Commune, code postal").focus()
    page.keyboard.type("Cergy")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"commune=95127"))
    # Tab to the first filter checkbox and tick it with the space bar.
    page.locator('input[name="type"]').first.focus()
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"type="))
    link = page.locator(".card-title a").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cours/\d+/"))


@pytest.mark.parametrize(
    "path",
    [
        "/?commune=95585",
        "/ar/?commune=95585",
        "/?onglet=tests&commune=75056",
        "COURSE",
        "/?commune=95585&selection=SELECTED",
        "/donnees/",
        "/donnees/sources/",
        "/?onglet=accompagnement&commune=95585",
        "/ar/?onglet=accompagnement&commune=95585",
        "ACTOR",
        "/ar/ACTOR",
        "/parcours/",
        "/ar/parcours/?objectif=carte-resident&oral=A1",
        "/ar/parcours/?objectif=carte-resident&oral=A1&ecrit=aucun&scolarite=langue-etrangere&age=26-64"
        "&situation=demandeur-emploi&contraintes=",
        "/parcours/?objectif=carte-resident&oral=A1&ecrit=aucun&scolarite=langue-etrangere&age=26-64"
        "&situation=demandeur-emploi&contraintes=&commune=95585",
        "/ar/parcours/?objectif=nationalite&oral=nsp&ecrit=B1&scolarite=langue-francaise&age=moins-26"
        "&situation=cir&contraintes=garde&commune=95585",
        "/ar/donnees/sources/",
        "/confidentialite/",
        "/ar/confidentialite/",
        "/imprimer/flyer.pdf?commune=95585&langue=xx",
        "/territoires/",
        "/ar/territoires/?carte=departements&type=asl&rayon=5",
        "/territoires/departements/95/?type=fle",
        "/?commune=95585&qpv=300",
        "/ar/?commune=95585&qpv=0",
    ],
)
def test_no_axe_violations(page, demo_site, path):
    from cartolangue.actors.models import Actor
    from cartolangue.offers.models import Course

    first = Course.objects.order_by("pk").first().pk
    path = f"/cours/{first}/" if path == "COURSE" else path.replace("SELECTED", str(first))
    path = path.replace("ACTOR", f"/acteurs/{Actor.objects.order_by('pk').first().pk}/").replace("//", "/")
    page.goto(demo_site.url + path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_axe_check_can_fail(page):
    """The accessibility check is real: a page with an unlabelled image and field fails it."""
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    assert Axe().run(page).violations_count >= 2


def test_select_courses_and_print_the_sheet_with_the_keyboard(page, demo_site):
    """A counsellor picks two courses without a mouse; the sheet link then serves a PDF."""
    page.goto(demo_site.url + "/?commune=95585")
    for _ in range(2):
        link = page.locator("p.select a", has_text="Ajouter à ma sélection").first
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.locator("section.selection li").count() == 2
    href = page.locator("section.selection a.button").get_attribute("href")
    response = page.request.get(demo_site.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_a_printed_course_page_is_clean(page, demo_site):
    from cartolangue.offers.models import Course

    page.goto(f"{demo_site.url}/cours/{Course.objects.order_by('pk').first().pk}/")
    page.emulate_media(media="print")
    assert page.get_by_label("Menu principal").is_hidden()
    assert page.get_by_label("Langue").is_hidden()
    assert page.locator("h1").is_visible()
    assert page.locator(".map").count() == 1
    assert page.locator(".map").is_hidden()


def test_the_qpv_filter_and_its_map_layer(page, demo_site):
    """The form's QPV choice filters the list; the map shows the quartiers prioritaires as a layer, on at once
    when the search uses them, switched off and on again from the keyboard."""
    page.goto(demo_site.url + "/?commune=95585")
    everything = _results_count(page)
    page.get_by_label("Quartier prioritaire (QPV 2024)").select_option("1000")
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url(re.compile(r"qpv=1000"))
    near = _results_count(page)
    assert 0 < near < everything
    expect(page.get_by_label("Quartier prioritaire (QPV 2024)")).to_have_value("1000")
    layer = page.get_by_role("checkbox", name="Quartiers prioritaires 2024 (contours simplifiés)")
    expect(layer).to_be_checked()
    outlines = page.locator(".leaflet-overlay-pane path")
    expect(outlines.first).to_be_attached()
    drawn = outlines.count()
    layer.focus()
    page.keyboard.press("Space")
    expect(layer).not_to_be_checked()
    expect(outlines).to_have_count(0)
    page.keyboard.press("Space")
    expect(outlines).to_have_count(drawn)
