import pytest

from tests.sources.server import running_server


@pytest.fixture
def feeds(settings):
    """A local feed server, and quick network settings: one retry, no back-off wait, 1 s timeout."""
    settings.SOURCES_TIMEOUT_SECONDS = 1
    settings.SOURCES_RETRIES = 1
    settings.SOURCES_BACKOFF_SECONDS = 0
    with running_server() as server:
        server.slow_seconds = 2.5
        yield server
