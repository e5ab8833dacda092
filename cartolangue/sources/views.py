"""The sources' page (`/donnees/sources/`: licence, attribution, last successful run and what it brought) and
the health endpoint (`/sante/`, JSON for monitoring, no secret)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cartolangue.interop.publication import published_manifest
from cartolangue.sources.health import OK, sources_health
from cartolangue.sources.registry import last_import


@require_safe
def sources_page(request: HttpRequest) -> HttpResponse:
    rows = [{"health": h, "last_import": last_import(h.source)} for h in sources_health()]
    return render(request, "sources/sources.html", {"rows": rows})


@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 with `"status": "ok"` or `"alerte"`: a late source is the operator's business, not a server fault a
    probe should see as the site down."""
    sources = sources_health()
    manifest = published_manifest()
    return JsonResponse(
        {
            "status": "ok" if all(h.state == OK for h in sources) else "alerte",
            "checked_at": timezone.now().isoformat(timespec="seconds"),
            "sources": [h.public() for h in sources],
            "exports": {"published_at": manifest["published_at"] if manifest else None},
        },
        json_dumps_params={"ensure_ascii": False},
    )
