import pytest

from tests.ops.servers import prepare_site_database


@pytest.fixture(scope="session")
def site_database(tmp_path_factory) -> str:
    """The URL of a small site on a SQLite file, prepared once per session (about 10 s); tests that change
    it work on a copy."""
    return prepare_site_database(tmp_path_factory.mktemp("site") / "site.sqlite3")
