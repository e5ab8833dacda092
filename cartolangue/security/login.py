"""What a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE): 429, a French message that says for how
long, and Retry-After. Axes counts the failures at the authentication-backend level, so that every login form
of the project, the admin's today and the providers' tomorrow, is covered without a word in its view."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    message = _(
        "Trop de tentatives de connexion échouées : la connexion est bloquée pendant %(minutes)d minutes. "
        "Réessayez plus tard ; en cas de doute, prévenez l'équipe Carto-Langue."
    ) % {"minutes": max(1, seconds // 60)}
    response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response
