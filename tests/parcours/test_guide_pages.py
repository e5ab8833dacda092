"""The guide as a person walks it, without JavaScript: one question per screen, the answers carried in the
page's own form, "Retour" at every step, an ambiguous place given back as choices; then the pathway of the
issue's example: a 30-year-old job seeker in Sarcelles, oral A1, written not yet A1, aiming for the resident card."""

import re

import pytest

from cartolangue.actors.importers import import_actors
from cartolangue.offers import enums
from tests.conftest import ROOT
from tests.factories import CourseFactory, PlaceFactory, commune

pytestmark = pytest.mark.django_db


def form_of(html):
    """(hidden name/value pairs, the choice inputs' name) of the page's form."""
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    names = set(re.findall(r'type="(?:radio|checkbox)"\s+name="([^"]+)"', html))
    return hidden, names


def test_a_walk_through_every_question_with_the_back_link(client):
    answers = [
        ("objectif", ["carte-resident"]),
        ("oral", ["A1"]),
        ("ecrit", ["aucun"]),
        ("scolarite", ["langue-etrangere"]),
        ("age", ["26-64"]),
        ("situation", ["demandeur-emploi"]),
        ("contraintes", []),
    ]
    query = []
    for position, (param, values) in enumerate(answers, start=1):
        html = client.get("/parcours/", query and {k: v for k, v in query} or None, follow=True).content.decode()
        if query:
            html = client.get("/parcours/?" + "&".join(f"{k}={v}" for k, v in query)).content.decode()
        assert f"Question {position} sur 8" in html
        hidden, names = form_of(html)
        assert [(k, v) for k, v in hidden if k != param] == query and names == {param}
        if position > 1:
            back = re.search(r'<a href="([^"]+)">Retour à la question précédente</a>', html)[1].replace("&amp;", "&")
            assert f"Question {position - 1} sur 8" in client.get(back).content.decode()
        query += [(param, v) for v in values] or [(param, "")]
    html = client.get("/parcours/?" + "&".join(f"{k}={v}" for k, v in query)).content.decode()
    assert "Question 8 sur 8" in html and "Où habitez-vous ?" in html


def test_an_ambiguous_place_is_given_back_as_choices_and_an_unknown_one_is_said(client):
    base = (
        "/parcours/?objectif=vie-quotidienne&oral=A2&ecrit=A2&scolarite=langue-francaise&age=26-64"
        "&situation=&contraintes="
    )
    html = client.get(base + "&lieu=Saint").content.decode()
    assert "Plusieurs communes correspondent à « Saint »" in html and "commune=" in html
    assert (
        "Aucune commune d'Île-de-France ne correspond à « Zzzz »" in client.get(base + "&lieu=Zzzz").content.decode()
    )
    response = client.get(base + "&lieu=95200")
    assert response.status_code == 302 and response["Location"].endswith("&commune=95585")
    skipped = client.get(base + "&lieu=")
    assert (
        skipped["Location"].endswith("&commune=")
        and "Niveau à atteindre : A2" in client.get(skipped["Location"]).content.decode()
    )


def test_the_pathway_of_a_job_seeker_in_sarcelles_aiming_for_the_resident_card(client):
    import_actors("pole-emploi-agences", ROOT / "data" / "actors" / "pole_emploi_agences_idf_2019.csv")
    import_actors("france-services", ROOT / "data" / "actors" / "france_services_idf_20240801.csv")
    sarcelles = commune("95585")
    near = PlaceFactory(commune=sarcelles, latitude=48.9956, longitude=2.3808)
    fits = CourseFactory(place=near, name="Alpha FLE débutants", cecrl_level_target=enums.CecrlLevel.A2)
    CourseFactory(
        place=near,
        name="FLE B1 intensif",
        entry_level_oral=enums.CecrlLevel.A2,
        entry_level_written=enums.CecrlLevel.A2,
        cecrl_level_target=enums.CecrlLevel.B1,
    )
    url = (
        "/parcours/?objectif=carte-resident&oral=A1&ecrit=aucun&scolarite=langue-etrangere&age=26-64"
        "&situation=demandeur-emploi&contraintes=&commune=95585"
    )
    html = client.get(url).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Niveau à atteindre : B1" in text and "c'est la préfecture qui décide" in text.replace("&#x27;", "'")
    assert re.search(r"Les étapes, une à une : A1 A2 B1", text)
    assert "1 cours à moins de 10 km de Sarcelles correspond à vos réponses." in text
    assert f'href="/cours/{fits.pk}/"' in html and "FLE B1 intensif" not in text  # her level: not yet A2
    link = re.search(r'<a class="button" href="(/\?[^"]+)">Voir tous ces cours</a>', html)[1].replace("&amp;", "&")
    assert (
        "niveau_entree_oral=A1" in link and "niveau_entree_ecrit=aucun" in link and "public=demandeurs-emploi" in link
    )
    assert "Alpha FLE débutants" in client.get(link).content.decode()  # the same search, on the search page
    for name in ("DELF B1", "TCF IRN", "TEF IRN"):
        assert name in text
    assert "DELF A2" not in text
    assert "Agence France Travail : France Travail – Sarcelles" in text
    assert "France Services :" in text and "Mission Locale" not in text  # 30 years old: not the Mission Locale


def test_the_guide_speaks_arabic_and_english(client):
    html = client.get("/ar/parcours/").content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html and "Question 1" not in html
    assert "Why do you want to learn French?" in client.get("/en/parcours/").content.decode()


def test_the_pathway_links_stay_in_the_persons_language(client):
    url = (
        "/ar/parcours/?objectif=carte-resident&oral=A1&ecrit=aucun&scolarite=langue-etrangere&age=26-64"
        "&situation=&contraintes=&commune=95585"
    )
    html = client.get(url).content.decode()
    links = re.findall(r'<a class="button(?: button-secondary)?" href="([^"]+)"', html)
    assert links and all(link.startswith("/ar/?") for link in links), links


def test_the_public_read_only_pages_refuse_to_be_written_to(client):
    """The guide, its sheet, an actor's page and the sources' pages only read: any other method is refused."""
    from cartolangue.actors.models import Actor

    actor = Actor.objects.create(
        source="t", source_id="1", kind="ofii", name="Ofii", commune=commune("95585"), latitude=49, longitude=2.38
    )
    client.handler.enforce_csrf_checks = False
    for path in ("/parcours/", "/parcours/fiche.pdf", f"/acteurs/{actor.pk}/", "/donnees/sources/", "/sante/"):
        assert client.post(path).status_code == 405, path
        assert client.get(path).status_code in (200, 302), path
