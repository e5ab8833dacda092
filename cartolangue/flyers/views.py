"""The printed documents, served as PDF: a flyer from a search, an orientation sheet from a selection."""

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cartolangue.flyers.content import SELECTION_TEXTS, build_flyer, build_selection
from cartolangue.flyers.languages import FLYER_LANGUAGES, SHEET_LANGUAGES
from cartolangue.flyers.limits import RETRY_AFTER_SECONDS, render_slot
from cartolangue.flyers.render import qr_svg, render_document, render_pdf
from cartolangue.search.params import ParamError, parse_course_query
from cartolangue.search.selection import SelectionError, parse_sheet_selection
from cartolangue.search.version import data_token, per_version

FLYER_CACHE_SIZE = 64  # flyers kept per process: about 100 kB each, a few MB in all


class DocumentError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def flyer_language(code, languages=FLYER_LANGUAGES):
    """The FlyerLanguage of a `langue=` code among `languages`, or DocumentError (400)."""
    language = languages.get(code)
    if language is None:
        raise DocumentError(
            400,
            _("Langue « %(code)s » inconnue. Langues possibles : %(codes)s.")
            % {"code": code[:20], "codes": ", ".join(languages)},
        )
    return language


def flyer_context(params, language_code, site_url, today=None):
    """Everything the flyer template needs, or DocumentError (400/404) for bad parameters."""
    language = flyer_language(language_code)
    search_params = params.copy()
    for key in ("langue", "page", "taille", "tri"):
        search_params.pop(key, None)
    try:
        query = parse_course_query(search_params, strict=True)
    except ParamError as error:
        status = 404 if error.param in {"commune", "zone"} else 400
        raise DocumentError(status, f"{error.param} : {error.message}") from error
    if query.location is None:
        raise DocumentError(
            400, _("Indiquez une commune (commune=code INSEE) : le dépliant montre les cours proches.")
        )
    flyer = build_flyer(
        query,
        language,
        search_params=[(k, v) for k, values in search_params.lists() for v in values],
        site_url=site_url,
        today=today,
    )
    return {"flyer": flyer, "lang": language, "qr": qr_svg(flyer.qr_url)}


def render_flyer(context):
    """One A4 page, always: when the nearest courses do not fit, each group shows fewer; when one course each
    still does not fit (long scripts, every group widened), the type gets smaller."""
    flyer = context["flyer"]
    full = [(g.items, g.exams) for g in flyer.groups]
    with translation.override("fr"):
        for limit, compact in ((3, False), (2, False), (1, False), (1, True)):
            for group, (items, exams) in zip(flyer.groups, full, strict=True):
                # Exam sessions take the room of one course: a group that has them shows one course less.
                group.items = items[: max(1, limit - 1) if exams else limit]
                group.exams = exams[: min(limit, 2)]
            document = render_document("flyers/flyer.html", {**context, "compact": compact}, collapse=True)
            if len(document.pages) == 1:
                break
        return document.write_pdf()


def _error(request, error):
    return render(request, "flyers/error.html", {"message": error.message}, status=error.status)


def _site_url(request):
    return settings.SITE_URL or request.build_absolute_uri("/")


def _busy(request):
    """Every render slot is taken (`limits`): try again in a moment, rather than hold a worker waiting."""
    response = _error(
        request,
        DocumentError(503, _("Le serveur prépare déjà d'autres documents : réessayez dans quelques secondes.")),
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _cached_flyers():
    """The flyers already made, per data version (a write to the offer empties it): a flyer depends only on
    its search, its language, the day (the sessions to come) and the site's address."""
    version = data_token()
    return per_version("flyer-pdf", version, size=FLYER_CACHE_SIZE) if version else {}


@transaction.non_atomic_requests  # reads only (docs/adr/0010-search-index.md)
def flyer_pdf(request):
    params = request.GET.copy()
    site_url = _site_url(request)
    key = (tuple(sorted((k, tuple(v)) for k, v in params.lists())), timezone.localdate(), site_url)
    cached = _cached_flyers()
    if key not in cached:
        try:
            context = flyer_context(params, params.get("langue", "fr"), site_url)
        except DocumentError as error:
            return _error(request, error)
        with render_slot() as granted:
            if not granted:
                return _busy(request)
            pdf = render_flyer(context)
        place = context["flyer"].place_label or "idf"
        cached[key] = (pdf, f"flyer-{_slug(place)}-{context['lang'].code}.pdf")
    pdf, filename = cached[key]
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def document_language(request):
    """The person's language of the orientation sheet: `langue=`, else the page's language (the sheet printed
    from /ar/ is in French and Arabic)."""
    return flyer_language(request.GET.get("langue") or translation.get_language(), SHEET_LANGUAGES)


@transaction.non_atomic_requests  # reads only (docs/adr/0010-search-index.md)
def selection_pdf(request):
    try:
        language = document_language(request)
    except DocumentError as error:
        return _error(request, error)
    try:
        ids = parse_sheet_selection(request.GET.getlist("cours"))
    except SelectionError as error:
        return _error(request, DocumentError(400, error.message))
    selection = build_selection(ids, today=timezone.localdate())
    if selection.missing:
        return _error(
            request,
            DocumentError(
                404,
                _("Cours introuvable(s) : %(ids)s. Ils ont peut-être été retirés.")
                % {"ids": ", ".join(str(i) for i in selection.missing)},
            ),
        )
    with render_slot() as granted, translation.override("fr"):
        if not granted:
            return _busy(request)
        context = {"selection": selection, "site_url": _site_url(request), "lang": language, "texts": SELECTION_TEXTS}
        pdf = render_pdf("flyers/selection.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="selection-cours-{language.code}.pdf"'
    return response


def _slug(text):
    return slugify(text)[:40] or "idf"
