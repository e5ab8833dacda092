"""A support actor's page: how to reach it, whom it serves, what it runs, where its information comes from."""

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cartolangue.actors.enums import Scheme
from cartolangue.actors.models import Actor
from cartolangue.offers.enums import Audience


@require_safe
@transaction.non_atomic_requests
def actor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_object_or_404(Actor.objects.select_related("commune"), pk=pk)
    audiences, schemes = dict(Audience.choices), dict(Scheme.choices)
    return render(
        request,
        "actors/actor.html",
        {
            "actor": actor,
            "publics": [audiences[p] for p in actor.publics if p in audiences],
            "schemes": [schemes[s] for s in actor.schemes if s in schemes],
            "hours": [line for line in actor.opening_hours.splitlines() if line.strip()],
            "search_url": f"{reverse('www:search')}?onglet=accompagnement&commune={actor.commune.code_insee}",
            "page_title": _("%(name)s – Carto-Langue") % {"name": actor.name},
            "map_tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        },
    )
