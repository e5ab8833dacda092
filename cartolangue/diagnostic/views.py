"""The diagnostic's own pages: a zone's page and its printable sheet ("fiche bassin"), and the ranking as CSV
or XLSX. The ranking itself is shown on /territoires/ (www), from the same context (diagnostic/context.py)."""

import csv
import io
from collections import Counter

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from cartolangue.actors.enums import ActorKind
from cartolangue.actors.models import Actor
from cartolangue.diagnostic.context import choice_query, read_choice
from cartolangue.diagnostic.figures import LEVEL_BANDS, diagnostic
from cartolangue.diagnostic.tables import TABLES
from cartolangue.flyers.limits import render_slot
from cartolangue.flyers.render import render_pdf
from cartolangue.interop.formulas import neutralise_formula
from cartolangue.offers import enums

ACTORS_SHOWN = 30


def _search_link(zoning: str, code: str) -> str | None:
    """The search page narrowed to the zone, when the search has a filter for it."""
    if zoning == "departements":
        return f"/?departement={code}"
    if zoning == "communes":
        return f"/?commune={code}"
    if zoning == "epci":
        return None
    return f"/?zone={zoning}:{code}"


def _zone_context(request: HttpRequest, zoning: str, code: str) -> dict:
    choice = read_choice(request.GET)
    result = diagnostic(zoning, course_type=choice.course_type, radius_km=choice.radius_km)
    if result is None:
        raise Http404
    area = next((a for a in result.areas if a.code == code), None)
    if area is None:
        raise Http404
    actors = Actor.objects.filter(commune_id__in=area.communes).select_related("commune").defer("commune__geometry")
    kinds = Counter(actors.values_list("kind", flat=True))
    return {
        "diagnostic": result,
        "area": area,
        "ranked": sum(1 for a in result.areas if a.rank is not None),
        "supply_tables": [
            (
                _("L'offre par type de cours"),
                _("Type"),
                [(t.label, area.by_type.get(t.value, 0)) for t in enums.CourseType],
            ),
            (
                _("L'offre par niveau visé"),
                _("Niveau visé"),
                [(label, area.by_band.get(key, 0)) for key, label, _levels in LEVEL_BANDS],
            ),
        ],
        "without_offer": [c for c in result.without_offer if c.area == area.code],
        "access": [c for c in result.access if c.area == area.code],
        "actor_kinds": [(ActorKind(kind).label, n) for kind, n in sorted(kinds.items())],
        "actors": actors.order_by("kind", "name")[:ACTORS_SHOWN],
        "actor_count": sum(kinds.values()),
        "search_link": _search_link(zoning, code),
        "choice": choice,
        "choice_query": choice_query(choice),
        "population_source": next((n for n in result.needs if n.key == "population"), None),
        "printed_on": timezone.localdate(),
    }


@require_safe
@transaction.non_atomic_requests  # reads only
def zone(request: HttpRequest, zoning: str, code: str) -> HttpResponse:
    return render(request, "diagnostic/zone.html", _zone_context(request, zoning, code))


@require_safe
@transaction.non_atomic_requests
def zone_pdf(request: HttpRequest, zoning: str, code: str) -> HttpResponse:
    context = _zone_context(request, zoning, code)
    with render_slot() as granted:
        if not granted:
            response = HttpResponse(_("Le serveur prépare déjà d'autres documents : réessayez."), status=503)
            response["Retry-After"] = "5"
            return response
        pdf = render_pdf("diagnostic/zone_sheet.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="fiche-{slugify(context["area"].name)[:40]}.pdf"'
    return response


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return neutralise_formula(str(value))  # a zone's name is text from a file: never a formula


@require_safe
@transaction.non_atomic_requests
def download(request: HttpRequest, zoning: str, extension: str, table: str) -> HttpResponse:
    """A table of the diagnostic (diagnostic/tables.py) as CSV (keys as header) or XLSX (labels as header)."""
    choice = read_choice(request.GET)
    if extension not in ("csv", "xlsx"):
        raise Http404
    result = diagnostic(zoning, course_type=choice.course_type, radius_km=choice.radius_km)
    if result is None:
        raise Http404
    columns, rows = TABLES[table](result)
    name = f"diagnostic-{zoning}" if table == "classement" else f"diagnostic-{table}-{zoning}"
    if extension == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([column.key for column in columns])
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
        response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook()
        # A new workbook always has its one worksheet active; the stubs type `active` as optional.
        sheet: Worksheet = workbook.active  # type: ignore[assignment]
        sheet.title = _("Diagnostic")[:31]
        sheet.append([str(column.label) for column in columns])
        for row in rows:
            # A zone's or a commune's name is text from a file: a string never becomes a formula.
            sheet.append([neutralise_formula(v) if isinstance(v, str) else v for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response
