from django.urls import URLPattern, path

from cartolangue.api import actors, territories, writes  # noqa: F401  (registers their endpoints on the API)
from cartolangue.api.v1 import api


def _read_only(patterns):
    """The API's views run without the request transaction of ATOMIC_REQUESTS (on SQLite, whose transactions
    are IMMEDIATE, such a transaction takes the database's write lock, so that every API call would wait for
    every other; docs/adr/0010-search-index.md). The write endpoints open their own (api/upserts.py)."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback._non_atomic_requests = {"default"}
        else:
            _read_only(pattern.url_patterns)
    return patterns


_patterns, _app_name, _namespace = api.urls
urlpatterns = [path("v1/", (_read_only(_patterns), _app_name, _namespace))]
