"""The parcours guide walked in a real browser, in Arabic, as the issue's example: a 30-year-old job seeker in
Sarcelles, oral A1, written not yet A1, aiming for the resident card. One question per screen, choices clicked by
their label, "Retour" kept working; the pathway says B1, names the accepted tests, the courses nearby that start
at her level, and the France Travail agency."""

import re

from playwright.sync_api import expect


def test_the_guide_walked_in_arabic_gives_b1_tests_courses_and_the_agency(page, demo_site):
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
    courses = page.locator("section[aria-labelledby=cours] li a")
    assert courses.count() >= 1
    courses.first.click()
    page.wait_for_url(re.compile(r"/cours/\d+/"))
    assert page.locator("h1").inner_text()
