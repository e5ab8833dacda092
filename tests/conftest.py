import io
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the real Île-de-France territories, loaded once per session."""
    with django_db_blocker.unblock():
        call_command("load_territories", stdout=io.StringIO())


@pytest.fixture
def shared_data():
    """The team's shared data folder, next to the repository; absent on a user's machine."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent: this test reads the team's shared data files")
    return SHARED_DATA
