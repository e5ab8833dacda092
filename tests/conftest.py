import importlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the real Île-de-France territories, loaded once per session."""
    with django_db_blocker.unblock():
        call_command("load_territories", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_blocker):
    """Browser tests (live_server) run in transactional mode, which empties every table afterwards: put the
    territories and the certification referential back, committed, before the next test that needs them."""
    if "django_db_setup" not in request.fixturenames:
        return
    with django_db_blocker.unblock():
        from cartolangue.geo.models import Commune
        from cartolangue.offers.models import Certification

        if not Certification.objects.exists():
            # The referential as its data migration wrote it (its free-text `usage` is now derived: parcours/rules.py).
            migration = importlib.import_module("cartolangue.offers.migrations.0002_certifications")
            for code, name, family, level, cpf, _usage in migration.CERTIFICATIONS:
                Certification.objects.create(code=code, name=name, family=family, level=level, cpf_eligible=cpf)
        if not Commune.objects.exists():
            call_command("load_territories", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _exports_storage(settings, tmp_path_factory):
    """Each test has its own, empty storage of published exports (never the repository's `exports/`)."""
    location = str(tmp_path_factory.mktemp("exports"))
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}}
    settings.STORAGES = {**settings.STORAGES, "exports": storage}


@pytest.fixture(autouse=True)
def _french(settings):
    """Each test starts in French: a request in another language leaves it active in the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
