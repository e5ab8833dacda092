"""The parcours guide walked in a real browser, in Arabic, as the issue's example: a 30-year-old job seeker in
Sarcelles, oral A1, written not yet A1, aiming for the resident card. One question per screen, choices clicked by
their label, "Retour" kept working; the pathway says B1, names the accepted tests, the courses nearby that start
at her level, the France Travail agency, and a printed sheet in French and Arabic with every glyph drawn."""

import re

from playwright.sync_api import expect

from tests.flyers import pdf


def test_the_guide_walked_in_arabic_gives_b1_tests_courses_and_the_agency(page, demo_site, tmp_path):
    page.goto(demo_site.url + "/ar/parcours/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    steps = [
        ("objectif", "carte-resident"),
        ("oral", "A1"),
        ("ecrit", "aucun"),
        ("scolarite", "langue-etrangere"),
        ("age", "26-64"),
        ("situation", "demandeur-emploi"),
        ("contraintes", None),
    ]
    for number, (name, value) in enumerate(steps, start=1):
        expect(page.locator(".step-count")).to_contain_text(f"{number}")
        if number == 3:  # "Retour" goes back one question, with the answers before it kept
            page.get_by_role("link", name="العودة إلى السؤال السابق").click()
            expect(page.locator('input[name="oral"][value="A1"]')).to_be_visible()
            page.locator('input[name="oral"][value="A1"]').check()
            page.get_by_role("button", name="متابعة").click()
        if value is not None:
            page.locator(f'input[name="{name}"][value="{value}"]').check()
        page.get_by_role("button", name="متابعة").click()
    page.get_by_label("أين تسكن؟").fill("Sarcelles")
    page.get_by_role("button", name="عرض مساري").click()
    page.wait_for_url(re.compile(r"commune=95585"))
    main = page.locator("main").inner_text()
    assert "B1" in main and "DELF B1" in main and "TCF IRN" in main
    assert "France Travail – Sarcelles" in main
    # The sheet the form prints, in French and Arabic (the page's language is the form's default).
    assert page.locator("#fiche-langue").input_value() == "ar"
    query = page.url.split("?", 1)[1]
    response = page.request.get(f"{demo_site.url}/parcours/fiche.pdf?{query}&langue=ar")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    sheet = tmp_path / "fiche.pdf"
    sheet.write_bytes(response.body())
    text = pdf.text(sheet)
    assert pdf.missing_words("المستوى المطلوب بلوغه: B1", text, rtl=True) == []
    assert pdf.misdrawn(sheet) == [] and pdf.fallback_fonts(sheet) == [] and pdf.uncovered(sheet, [text]) == []
    courses = page.locator("section[aria-labelledby=cours] li a")
    assert courses.count() >= 1
    courses.first.click()
    page.wait_for_url(re.compile(r"/cours/\d+/"))
    assert page.locator("h1").inner_text()
