"""Real-browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against live_server."""

import os
import shutil

import pytest
from django.utils import timezone

from cartolangue.geo.needs import load_qpv
from cartolangue.offers.demo import demo_generate
from tests.conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]

# live_server runs the app in a thread next to the test, which Django's async-safety check would refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium package to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    # No request leaves the machine: map tiles are answered with an empty image.
    context.route("**/tile.openstreetmap.org/**", lambda route: route.fulfill(status=204))
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_site(live_server):
    demo_generate(courses=600, seed=1, reference_date=timezone.localdate())
    _registered_source()
    _actors()
    load_qpv(ROOT / "data" / "territories" / "qpv2024_idf_simplifie_jondari.json")
    return live_server


def _actors():
    """The real France Services, Missions Locales and France Travail agencies of the repository: the "Se faire
    accompagner" tab and the parcours guide."""
    from cartolangue.actors.importers import import_actors
    from tests.conftest import ROOT

    import_actors("france-services", ROOT / "data" / "actors" / "france_services_idf_20240801.csv")
    import_actors("annuaire-dila", ROOT / "data" / "actors" / "annuaire_dila_2019_idf_extrait_dada.csv")
    import_actors("pole-emploi-agences", ROOT / "data" / "actors" / "pole_emploi_agences_idf_2019.csv")


def _registered_source():
    """A source of the registry with one imported run, for the sources page."""
    from cartolangue.sources.models import Source, SyncRun

    source = Source.objects.create(
        name="dokelio",
        label="Défi métiers – DOKELIO",
        format="lheo",
        location="https://example.invalid/dokelio.xml",
        licence="Licence Ouverte 2.0",
        licence_url="https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        attribution="Défi métiers, Carif-Oref francilien",
    )
    SyncRun.objects.create(
        source=source,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        outcome=SyncRun.Outcome.IMPORTED,
        report={"created": 12, "updated": 3, "unchanged": 40, "rejected": 1},
        withdrawn=2,
    )
