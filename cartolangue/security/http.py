"""Site-wide HTTP rules that no single view should have to remember.

- Methods: the site serves GET, HEAD, OPTIONS and POST, and the partners' write API (api/writes.py) PUT and
  DELETE; anything else (TRACE first: a function view would answer it with the page) gets 405 before any view
  runs.
- Cache-Control, when the view set none: a public page is cacheable for a short while by anyone and revalidated
  (ETag, Last-Modified) after; anything tied to a visitor (a cookie set, a session read, a CSRF token) or that is
  not a success is not stored at all. Decisions: docs/adr/0016-abuse-limits-and-http-caching.md.
- Last-Modified is never later than now (RFC 9110 §8.8.2.1): data imported with a date to come would otherwise
  claim a future modification, which caches then trust over the present."""

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import has_vary_header, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _

SERVED_METHODS = ("GET", "HEAD", "OPTIONS", "POST")
WRITE_API_METHODS = ("PUT", "DELETE")
WRITE_API_PATH = re.compile(r"^/api/v1/structures/[^/]+/")
CACHEABLE_STATUSES = frozenset({200, 304})
NOT_STORED = "no-store"
PRIVATE = "private, no-store"


def method_not_allowed(request: HttpRequest) -> HttpResponse:
    # This runs before LocaleMiddleware: the language active in the thread is the previous request's.
    with translation.override(translation.get_language_from_request(request, check_path=True)):
        message = _("Méthode HTTP non acceptée : %(method)s.") % {"method": request.method}
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=405)
    else:
        response = HttpResponse(message, status=405, content_type="text/plain; charset=utf-8")
    response["Allow"] = ", ".join(SERVED_METHODS)
    return response


def cache_control_for(request: HttpRequest, response: HttpResponse) -> str:
    """The Cache-Control of a response whose view set none."""
    if request.method not in ("GET", "HEAD") or response.status_code not in CACHEABLE_STATUSES:
        return NOT_STORED
    if response.cookies or request.META.get("CSRF_COOKIE_USED") or has_vary_header(response, "Cookie"):
        return PRIVATE
    return f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}, must-revalidate"


class HttpRulesMiddleware:
    """Outermost but for SecurityMiddleware: it refuses a method before any work, and sees the response after
    the session, CSRF and locale middlewares have said whether it is tied to a visitor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        served = request.method in SERVED_METHODS or (
            request.method in WRITE_API_METHODS and WRITE_API_PATH.match(request.path_info)
        )
        response = self.get_response(request) if served else method_not_allowed(request)
        if not response.has_header("Cache-Control"):
            policy = cache_control_for(request, response)
            response["Cache-Control"] = policy
            if policy.startswith("public") and has_vary_header(response, "Accept-Language"):
                # The language was negotiated, not read from the path: the language cookie chose it as much as
                # Accept-Language did, and a shared cache must not hand one visitor's language to another.
                patch_vary_headers(response, ["Cookie"])
        return response


class LastModifiedNotInFutureMiddleware:
    """Inside ConditionalGetMiddleware, so that If-Modified-Since is compared with the corrected date."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        stamp = parse_http_date_safe(response.get("Last-Modified", ""))
        now = int(time.time())
        if stamp is not None and stamp > now:
            response["Last-Modified"] = http_date(now)
        return response
