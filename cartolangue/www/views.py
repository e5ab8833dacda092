"""Public pages. Thin: they parse the query string with the search engine's parser, call the engine and
render; the engine (`cartolangue.search`) does all the filtering."""

import math

from django.conf import settings
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cartolangue.accounts.permissions import Verb, can
from cartolangue.dedup.store import sources_of
from cartolangue.diagnostic.context import PARAMS as DIAGNOSTIC_PARAMS
from cartolangue.diagnostic.context import diagnostic_context, read_choice
from cartolangue.flyers.languages import FLYER_LANGUAGES
from cartolangue.geo.models import Commune, Qpv, Zoning
from cartolangue.interop.opendata.writer import LICENCE_URL
from cartolangue.interop.publication import published_overview
from cartolangue.offers.models import Course, Structure
from cartolangue.offers.provenance import source_label
from cartolangue.offers.stats import counts_by_departement, counts_by_zone, offer_totals
from cartolangue.search.actors import actor_results, local_helpers
from cartolangue.search.engine import (
    course_search,
    exam_search,
    nearest_course,
    nearest_exam_session,
)
from cartolangue.search.params import (
    ACTOR_PARAMS,
    COURSE_PARAMS,
    EXAM_PARAMS,
    ParamError,
    parse_actor_query,
    parse_course_query,
    parse_exam_query,
)
from cartolangue.search.places import place_match
from cartolangue.search.selection import MAX_SELECTION, parse_selection
from cartolangue.search.version import memo_by_version
from cartolangue.sources.models import Source
from cartolangue.text import fold
from cartolangue.www.forms import RADIUS_CHOICES, SORT_CHOICES, filter_groups, qpv_choices

# A typed place the page could not turn into one commune: none fits (`lieu_inconnu`) or several do (`lieu_ambigu`).
PLACE_NOTICES = ("lieu_inconnu", "lieu_ambigu")
PAGE_ONLY_PARAMS = {"onglet", "selection", *PLACE_NOTICES}
# The search a course or structure page returns to travels in its link as `retour=<the search's query string>`
# (no cookie, no JavaScript). Only the query string travels: the path is always the search page's own, so the
# back link cannot lead anywhere else (no open redirect). Beyond this length it is dropped, not cut.
MAX_RETURN_LENGTH = 2000
EXAM_ONLY_PARAMS = set(EXAM_PARAMS) - set(COURSE_PARAMS)
ACTOR_ONLY_PARAMS = set(ACTOR_PARAMS) - set(COURSE_PARAMS) - set(EXAM_PARAMS)
TABS = ("cours", "tests", "accompagnement")


def _subset(params, allowed):
    out = QueryDict(mutable=True)
    for key in params:
        if key in allowed:
            out.setlist(key, params.getlist(key))
    return out


@transaction.non_atomic_requests  # reads only (docs/adr/0010-search-index.md)
def search(request):
    params = request.GET
    if "lieu" in params:
        # A place typed by name ("Sarcelles", "Sarcelles (95200)", "95200") becomes the canonical, shareable
        # `commune=` URL.
        return redirect(f"{request.path}?{_resolve_place(params).urlencode()}")
    tab = params.get("onglet") if params.get("onglet") in TABS else "cours"
    unknown_place = params.get("lieu_inconnu", "")
    # Everything but the page's own and the test tab's parameters goes to the course query, so that an
    # unknown parameter is reported, not silently dropped.
    course_params = _subset(params, set(params) - PAGE_ONLY_PARAMS - EXAM_ONLY_PARAMS - ACTOR_ONLY_PARAMS)
    query = parse_course_query(course_params)
    exam_query = parse_exam_query(_subset(params, EXAM_PARAMS))
    invalid = {e.param for e in query.errors}
    result = course_search(query)
    exams = exam_search(exam_query, details=tab == "tests")
    actor_query = parse_actor_query(_subset(params, ACTOR_PARAMS))
    actors = actor_results(actor_query, details=tab == "accompagnement")
    main_filters, practical_filters, more_filters = filter_groups(result.facets)
    geo_params = course_params.copy()
    for key in ("page", "taille", "tri"):
        geo_params.pop(key, None)
    context = {
        "query": query,
        "result": result,
        "data_version": result.version,
        "exams": exams,
        "tab": tab,
        "actors": actors,
        "actor_query": actor_query,
        "errors": query.errors + exam_query.errors + (actor_query.errors if tab == "accompagnement" else []),
        "unknown_place": unknown_place,
        "typed_place": unknown_place or params.get("lieu_ambigu", ""),
        "main_filters": main_filters,
        "practical_filters": practical_filters,
        "more_filters": more_filters,
        "radius_choices": RADIUS_CHOICES,
        "radius": params.get("rayon", "10") if "rayon" not in invalid else "10",
        "sort_choices": SORT_CHOICES,
        "q": " ".join(params.getlist("q")),
        "debut_avant": params.get("debut_avant", "") if "debut_avant" not in invalid else "",
        "qpv_choices": qpv_choices(query.qpv_metres) if qpv_loaded() else [],
        "qpv": "" if query.qpv_metres is None else str(query.qpv_metres),
        "exam_after": exam_query.after.isoformat() if exam_query.after else "",
        "exam_before": exam_query.before.isoformat() if exam_query.before else "",
        "geojson_url": reverse("api-v1:courses_geojson") + "?" + geo_params.urlencode(),
        "exams_geojson_url": reverse("api-v1:exam_sessions_geojson") + "?" + _subset(params, EXAM_PARAMS).urlencode(),
        "actors_geojson_url": reverse("api-v1:actors_geojson") + "?" + _subset(params, ACTOR_PARAMS).urlencode()
        if tab == "accompagnement"
        else "",
        "share_url": request.build_absolute_uri(),
        "page_links": _page_links(params, result),
        "actor_page_links": _page_links(params, actors),
        "tab_links": {
            "cours": "?" + _with(params, onglet=None, page=None),
            "tests": "?" + _with(params, onglet="tests", page=None),
            "accompagnement": "?" + _with(params, onglet="accompagnement", page=None),
        },
        "map_tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
    }
    context.update(_selection_context(request, params, course_params, result))
    context.update(_place_choices(params))
    context.update(_nearest_beyond(params, query, result, exam_query, exams if tab == "tests" else None))
    context["return_query"] = _return_query(_with(params))
    return render(request, "www/search.html", context)


def _nearest_beyond(params, query, result, exam_query, exams):
    """Nothing within the radius: the nearest match beyond it ("le plus proche est à 23 km") and a link to the
    same search with a radius that reaches it."""
    out = {}
    if result.total == 0 and query.location is not None:
        course = nearest_course(query)
        if course is not None:
            out["nearest"] = {"course": course, **_wider(params, course.distance)}
    if exams is not None and exams.total == 0 and exam_query.location is not None:
        exam = nearest_exam_session(exam_query)
        if exam is not None:
            out["nearest_exam"] = {"exam": exam, **_wider(params, exam.distance)}
    return out


def _wider(params, distance):
    """The smallest radius of the form's list that reaches `distance`, else the distance rounded up."""
    radius = next((int(v) for v, _label in RADIUS_CHOICES if int(v) >= distance), math.ceil(distance))
    return {"distance": distance, "radius": radius, "url": "?" + _with(params, rayon=str(radius), page=None)}


def _return_query(search_query_string: str) -> str:
    """The query string a link to a course or structure page carries so that its "Retour à la recherche" goes
    back to this search: `?retour=…`, or "" for the bare search page or a search too long to carry."""
    if not search_query_string or len(search_query_string) > MAX_RETURN_LENGTH:
        return ""
    return "?" + urlencode({"retour": search_query_string})


def _return_links(request) -> dict[str, str]:
    """The search a course or structure page was reached from (its `retour` parameter): the back link's URL,
    and the `?retour=…` the page's own links to courses and structures carry on. The value is parsed and
    re-encoded as a query string of the search page, whatever it holds."""
    raw = request.GET.get("retour", "")
    search = QueryDict(raw if len(raw) <= MAX_RETURN_LENGTH else "", mutable=True)
    search.pop("retour", None)
    query_string = search.urlencode()
    back = reverse("www:search") + (f"?{query_string}" if query_string else "")
    return {"back_url": back, "return_query": _return_query(query_string)}


def _selection_links(params):
    """A function: the ids of a selection → this page's URL with that selection (the rest of the query
    encoded once: the page makes one link per card)."""
    out = params.copy()
    out.pop("selection", None)
    for key in PLACE_NOTICES:
        out.pop(key, None)
    base = out.urlencode()
    base = f"?{base}&" if base else "?"
    return lambda ids: base + urlencode([("selection", i) for i in ids])


def _selection_context(request, params, course_params, result):
    ids = parse_selection(params.getlist("selection"))
    names = dict(Course.objects.public().filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    ids = [i for i in ids if i in names]
    full = len(ids) >= MAX_SELECTION
    selection_link = _selection_links(params)
    for course in result.items:
        course.selected = course.pk in ids
        if course.selected:
            course.selection_url = selection_link([i for i in ids if i != course.pk])
        elif not full:
            course.selection_url = selection_link([*ids, course.pk])
        else:
            course.selection_url = None
    flyer_params = course_params.copy()
    for key in ("page", "taille", "tri"):
        flyer_params.pop(key, None)
    language = translation.get_language()
    return {
        "selection": [
            {"pk": i, "name": names[i], "remove_url": selection_link([j for j in ids if j != i])} for i in ids
        ],
        "selection_ids": [str(i) for i in ids],  # strings: a localised int would print "3 141"
        "selection_full": full,
        "selection_max": MAX_SELECTION,
        "selection_pdf_url": reverse("flyers:selection") + "?" + urlencode([("cours", i) for i in ids]),
        "flyer_params": list(flyer_params.lists()),
        "flyer_languages": FLYER_LANGUAGES.values(),
        "flyer_language": language if language in FLYER_LANGUAGES else "fr",
        "flyer_ready": result.query.location is not None,
    }


def _resolve_place(params):
    """The typed place (`lieu`) → `commune=` when it names one commune; `lieu_ambigu=` when several fit (the page
    lists them), `lieu_inconnu=` when none does."""
    canonical = params.copy()
    text = canonical.pop("lieu")[-1].strip()
    for key in PLACE_NOTICES:
        canonical.pop(key, None)
    current = Commune.objects.filter(code_insee=canonical.get("commune", "")).first()
    if not text:
        canonical.pop("commune", None)
    elif current is None or fold(current.name) != fold(text):
        match = place_match(text)
        canonical.pop("commune", None)
        if match.commune is not None:
            canonical["commune"] = match.commune.code_insee
        else:
            canonical["lieu_ambigu" if match.choices else "lieu_inconnu"] = text[:100]
    canonical.pop("page", None)
    return canonical


def _place_choices(params):
    """An ambiguous place: the communes it may mean, each a link to this search around that commune."""
    text = params.get("lieu_ambigu", "")
    match = place_match(text) if text else None
    if match is None or not match.choices:
        return {}
    return {
        "place_choices": [
            {"commune": c, "url": "?" + _with(params, commune=c.code_insee, page=None)} for c in match.choices
        ],
        "place_choices_more": match.more,
    }


def qpv_loaded() -> bool:
    """Whether the QPV contours are loaded: without them the form offers no QPV choice and the map no layer."""
    return memo_by_version("qpv-loaded", Qpv.objects.exists)


def _with(params, **changes):
    out = params.copy()
    for key in PLACE_NOTICES:
        out.pop(key, None)
    for key, value in changes.items():
        out.pop(key, None)
        if value is not None:
            out[key] = value
    return out.urlencode()


def _page_links(params, result):
    return {
        "previous": "?" + _with(params, page=str(result.page - 1)) if result.has_previous else None,
        "next": "?" + _with(params, page=str(result.page + 1)) if result.has_next else None,
    }


@transaction.non_atomic_requests  # reads only (docs/adr/0010-search-index.md)
def course(request, pk):
    course = get_object_or_404(Course.objects.for_display().prefetch_related("sessions"), pk=pk)
    if not can(request.user, Verb.VIEW, course):  # waiting for a coordinator, or archived: its people only
        raise Http404
    if course.duplicate_of_id:  # the same offer, shown once through the record of another source (dedup)
        return redirect("www:course", pk=course.duplicate_of_id)
    others = (
        Course.objects.public()
        .filter(structure=course.structure)
        .exclude(pk=pk)
        .select_related("place__commune")
        .defer("place__commune__geometry")
    )
    return render(
        request,
        "www/course.html",
        {
            "course": course,
            "others": others.order_by("name")[:30],
            "report_url": reverse("upkeep:report") + f"?cours={course.pk}",
            "registered_source": Source.objects.filter(name=course.source).first(),
            "helpers": local_helpers(course.place),
            "seen_in": [source_label(name) for name in sources_of(course)],
            "map_tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
            **_return_links(request),
        },
    )


@transaction.non_atomic_requests  # reads only (docs/adr/0010-search-index.md)
def structure(request, pk):
    structure = get_object_or_404(Structure, pk=pk)
    return render(
        request,
        "www/structure.html",
        {
            "structure": structure,
            "places": structure.places.select_related("commune")
            .defer("commune__geometry")
            .order_by("commune__name", "address"),
            "courses": Course.objects.public().for_display().filter(structure=structure).order_by("name", "pk"),
            "report_url": reverse("upkeep:report") + f"?structure={structure.pk}",
            **_return_links(request),
        },
    )


TERRITORY_PARAMS = ("departement", "zonage", *DIAGNOSTIC_PARAMS)


def territories(request):
    """The offer per territory. Its form (plain GET) narrows it: `departement=` (repeatable) keeps those
    départements' rows, `zonage=` one zoning's table; a parameter or value it does not know is named in a
    notice, as on the search page, rather than silently ignored."""
    params = request.GET
    errors = [ParamError(key, _("paramètre inconnu")) for key in params if key not in TERRITORY_PARAMS]
    choice = read_choice(params)
    errors += choice.errors
    departements = counts_by_departement()
    all_zonings = list(Zoning.objects.all())
    chosen_departements = _known_values(params, "departement", [row.code for row in departements], errors)
    chosen_zonings = _known_values(params, "zonage", [zoning.slug for zoning in all_zonings], errors)
    shown_departements = [row for row in departements if not chosen_departements or row.code in chosen_departements]
    zonings = [
        (zoning, counts_by_zone(zoning))
        for zoning in all_zonings
        if not chosen_zonings or zoning.slug in chosen_zonings
    ]
    return render(
        request,
        "www/territories.html",
        {
            "totals": offer_totals(),
            "departements": shown_departements,
            "zonings": zonings,
            "departement_choices": [(row.code, row.name, row.code in chosen_departements) for row in departements],
            "zoning_table_choices": [
                (zoning.slug, zoning.name, zoning.slug in chosen_zonings) for zoning in all_zonings
            ],
            "errors": errors,
            **diagnostic_context(choice),
        },
    )


@transaction.non_atomic_requests  # reads nothing from the database
def privacy(request):
    """The privacy page: the personal data the site holds, why, how long, and whom to ask (docs/personal-data.md)."""
    return render(request, "www/confidentialite.html", {"contact_email": settings.REPORT_EMAIL})


def _known_values(params, name: str, allowed: list[str], errors: list) -> set[str]:
    """The values of `name` among `allowed`; each other value becomes an error (an empty one means "all")."""
    chosen = set()
    for value in params.getlist(name):
        if value in allowed:
            chosen.add(value)
        elif value:
            message = _("valeur « %(value)s » inconnue (valeurs possibles : %(allowed)s)")
            errors.append(ParamError(name, message % {"value": value[:50], "allowed": ", ".join(allowed)}))
    return chosen


@transaction.non_atomic_requests  # reads only (docs/adr/0010-search-index.md)
def data(request):
    """The "Données" page: what the published exports hold, when they were published, their licence and formats,
    and where to download them (their counts come from the manifest: nothing is counted on a request)."""
    return render(request, "www/donnees.html", {**published_overview(), "licence_url": LICENCE_URL})
