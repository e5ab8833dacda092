"""Per-client request limits on the API, the search page, the printed documents, the exports and every form
(login forms included): a client over its budget gets 429 with Retry-After, before any work is done.

Counting is django-ratelimit's (fixed windows, one counter per group, client and window) in the cache named by
RATELIMIT_USE_CACHE, which every gunicorn worker must share (docs/adr/0016-abuse-limits-and-http-caching.md).
The rates are settings (RATE_LIMITS, from the environment); RATELIMIT_ENABLE=false turns them all off."""

import re
from collections.abc import Callable

from django.conf import settings
from django.core import checks
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from cartolangue.security.clients import client_key

# Unsafe methods are counted in the "forms" group whatever the path: a password guessed through any login form,
# today's admin or tomorrow's provider space, is limited here as well as locked out by django-axes.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The group of a safe request: the first pattern that matches the path without its language prefix.
PATH_GROUPS = [
    ("exports", re.compile(r"^/api/v1/exports/")),
    ("api", re.compile(r"^/api/")),
    ("print", re.compile(r"^/imprimer/")),
    ("search", re.compile(r"^/$")),
]
# Caches that count per process: with several workers, each would give a client its own budget.
PER_PROCESS_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def _language_prefix() -> re.Pattern:
    codes = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return re.compile(rf"^/(?:{codes})(?=/)")


def limit_group(request: HttpRequest, language_prefix: re.Pattern) -> str | None:
    """The group a request is counted in, or None when it is not limited."""
    if request.method in UNSAFE_METHODS:
        return "forms"
    path = language_prefix.sub("", request.path_info, count=1)
    for group, pattern in PATH_GROUPS:
        if pattern.match(path):
            return group
    return None


def too_many_requests(request: HttpRequest, seconds: int) -> HttpResponse:
    """429 saying when to come back, in the request's language; JSON on the API, like its other errors."""
    # This runs before LocaleMiddleware: the language active in the thread is the previous request's.
    with translation.override(translation.get_language_from_request(request, check_path=True)):
        message = _("Trop de requêtes depuis votre adresse : réessayez dans %(seconds)d s.") % {"seconds": seconds}
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.language_prefix = _language_prefix()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        group = limit_group(request, self.language_prefix)
        rate = settings.RATE_LIMITS.get(group) if group else None
        if rate:
            # None when RATELIMIT_ENABLE is off, or when the cache failed (RATELIMIT_FAIL_OPEN: serve rather than
            # refuse everyone while the cache is down).
            usage = get_usage(request, group=group, key=client_key, rate=rate, increment=True)
            if usage and usage["should_limit"]:
                # The window may end within this very second: never ask to come back in 0 s.
                return too_many_requests(request, max(1, usage["time_left"]))
        return self.get_response(request)


def check_limiter_cache(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Warn when the counters are kept per process (django-ratelimit's own check is not installed: it knows only
    memcached and django-redis, and refuses the file cache that is our default)."""
    if not settings.RATELIMIT_ENABLE:
        return []
    backend = settings.CACHES[settings.RATELIMIT_USE_CACHE]["BACKEND"]
    if backend in PER_PROCESS_BACKENDS:
        return [
            checks.Warning(
                f"Les compteurs des limites de requêtes sont gardés par processus ({backend}) : chaque worker "
                "compte de son côté, un client dispose d'autant de budgets que de workers.",
                hint="Donnez à SHARED_CACHE_URL un cache fichier, Redis ou base de données (docs/environment.md).",
                id="security.W001",
            )
        ]
    return []
