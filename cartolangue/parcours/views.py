"""`/parcours/`: one question per screen, then the pathway (parcours/guide.py). Stateless: the answers travel in
the query string (shareable, printable, nothing stored); works without JavaScript; "Retour" at every step."""

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from cartolangue.flyers.languages import FLYER_LANGUAGES
from cartolangue.flyers.limits import RETRY_AFTER_SECONDS, render_slot
from cartolangue.flyers.render import qr_svg, render_pdf
from cartolangue.geo.models import Commune
from cartolangue.offers.models import Certification
from cartolangue.parcours.guide import QUESTIONS, next_question, pathway, read_answers
from cartolangue.search.actors import actors_covering
from cartolangue.search.engine import course_search, exam_search
from cartolangue.search.params import parse_course_query, parse_exam_query
from cartolangue.search.places import place_match

RADIUS_KM = "10"
SHOWN = 5  # courses and test sessions listed on the pathway (the links give them all)


# The printed sheet's fixed texts: the page's own msgids, translated in every flyer language's catalogue (with the
# goals' labels and reasons and the helpers' kinds: tests/parcours/test_sheet.py checks each catalogue).
SHEET_TEXTS = {
    "title": gettext_lazy("Mon parcours en français"),
    "target": gettext_lazy("Niveau à atteindre : %(level)s"),
    "decides": gettext_lazy(
        "Cette page informe : c'est la préfecture qui décide. Vérifiez votre situation (dispenses, âge, santé, "
        "nationalité) sur service-public.fr ou auprès d'elle."
    ),
    "advice": gettext_lazy("C'est un conseil, pas une obligation."),
    "steps": gettext_lazy("Les étapes, une à une :"),
    "courses": gettext_lazy("Des cours pour avancer"),
    "tests": gettext_lazy("Les diplômes et tests qui prouvent ce niveau"),
    "helpers": gettext_lazy("Qui peut vous aider"),
    "link": gettext_lazy("Lien de ce parcours (à garder ou à envoyer)"),
    "unknown": gettext_lazy(
        "Vous ne connaissez pas votre niveau : commencez par un test de positionnement. L'Ofii le fait pour les "
        "signataires du CIR ; sinon, un organisme de formation ou une association le propose avant l'inscription."
    ),
    "reached": gettext_lazy(
        "D'après vos réponses, vous avez déjà ce niveau : il reste à le prouver par un diplôme ou un test reconnu."
    ),
}


@require_safe
@transaction.non_atomic_requests  # reads only
def sheet_pdf(request: HttpRequest) -> HttpResponse:
    """The pathway on one printed page, in French and the person's language (`langue=`, else the page's)."""
    answers = read_answers(request.GET)
    if next_question(answers) is not None:
        return redirect(f"{reverse('parcours:guide')}?{answers.query().urlencode()}")
    code = request.GET.get("langue") or translation.get_language()
    language = FLYER_LANGUAGES.get(code)
    if language is None:
        message = _("Langue « %(code)s » inconnue. Langues possibles : %(codes)s.") % {
            "code": code[:20],
            "codes": ", ".join(FLYER_LANGUAGES),
        }
        return render(request, "flyers/error.html", {"message": message}, status=400)
    insee = request.GET.get("commune", "")
    commune = Commune.objects.filter(code_insee=insee).first() if insee else None
    context = _result_context(answers, commune, reverse("parcours:guide"))
    site = (settings.SITE_URL or request.build_absolute_uri("/")).rstrip("/")
    with render_slot() as granted, translation.override("fr"):
        if not granted:
            response = render(
                request, "flyers/error.html", {"message": _("Réessayez dans quelques secondes.")}, status=503
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        context.update({"lang": language, "texts": SHEET_TEXTS, "qr": qr_svg(site + context["share_url"])})
        pdf = render_pdf("parcours/sheet.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mon-parcours-{language.code}.pdf"'
    return response


@require_safe
@transaction.non_atomic_requests  # reads only
def guide(request: HttpRequest) -> HttpResponse:
    params = request.GET
    answers = read_answers(params)
    base = reverse("parcours:guide")
    if "lieu" in params:  # the place typed at the last step → its commune, or the communes it may mean
        match = place_match(params.get("lieu", ""))
        if match.commune is not None or not params.get("lieu", "").strip():
            query = answers.query()
            query["commune"] = match.commune.code_insee if match.commune else ""
            return redirect(f"{base}?{query.urlencode()}")
        return render(request, "parcours/place.html", _place_context(answers, params.get("lieu", ""), match, base))
    position = next_question(answers)
    if position is not None:
        return render(request, "parcours/question.html", _question_context(answers, position, base))
    if "commune" not in params:
        return render(request, "parcours/place.html", _place_context(answers, "", None, base))
    commune = Commune.objects.filter(code_insee=params["commune"]).first() if params["commune"] else None
    return render(request, "parcours/result.html", _result_context(answers, commune, base))


def _back(answers, position: int, base: str) -> str:
    """The previous question: the answers before it, so that it is asked again."""
    query = answers.query(upto=max(position - 1, 0))
    return f"{base}?{query.urlencode()}" if query else base


def _question_context(answers, position: int, base: str) -> dict:
    question = QUESTIONS[position]
    hidden = [(k, v) for k, values in answers.query(upto=position).lists() for v in values]
    return {
        "question": question,
        "position": position + 1,
        "count": len(QUESTIONS) + 1,
        "hidden": hidden,
        "back_url": _back(answers, position, base) if position else None,
        "invalid": question.param in answers.invalid,
    }


def _place_context(answers, typed: str, match, base: str) -> dict:
    hidden = [(k, v) for k, values in answers.query().lists() for v in values]
    choices = []
    if match is not None:
        for commune in match.choices:
            query = answers.query()
            query["commune"] = commune.code_insee
            choices.append((commune, f"{base}?{query.urlencode()}"))
    return {
        "position": len(QUESTIONS) + 1,
        "count": len(QUESTIONS) + 1,
        "hidden": hidden,
        "typed": typed,
        "choices": choices,
        "unknown": match is not None and not match.choices and match.commune is None,
        "back_url": _back(answers, len(QUESTIONS), base),
    }


def _result_context(answers, commune, base: str) -> dict:
    path = pathway(answers)
    where = [("commune", commune.code_insee), ("rayon", RADIUS_KM)] if commune else []
    course_query = QueryDict(mutable=True)
    for key, value in [*path.course_params, *where]:
        course_query.appendlist(key, value)
    courses = course_search(parse_course_query(course_query), facets=False)
    exam_query = QueryDict(mutable=True)
    for key, value in [*path.exam_params, *where]:
        if key != "onglet":
            exam_query.appendlist(key, value)
    exams = exam_search(parse_exam_query(exam_query)) if path.exam_params else None
    helpers = []
    if commune is not None:
        found = actors_covering(commune.latitude, commune.longitude, commune.pk, path.actor_kinds)
        helpers = [found[kind] for kind in path.actor_kinds if kind in found]
    answers_query = answers.query()
    answers_query["commune"] = commune.code_insee if commune else ""
    names = dict(Certification.objects.filter(code__in=path.goal.certifications).values_list("code", "name"))
    return {
        "path": path,
        "commune": commune,
        "certifications": [{"code": c, "name": names[c]} for c in path.goal.certifications if c in names],
        "courses": courses.items[:SHOWN],
        "courses_total": courses.total,
        "courses_url": reverse("www:search") + "?" + course_query.urlencode(),
        "exams": exams.items[:SHOWN] if exams else [],
        "exams_total": exams.total if exams else 0,
        "exams_url": reverse("www:search") + "?" + urlencode([*path.exam_params, *where]),
        "helpers": helpers,
        "back_url": _back(answers, len(QUESTIONS) + 1, base),
        "restart_url": base,
        "share_url": f"{base}?{answers_query.urlencode()}",
        "sheet_params": [(k, v) for k, values in answers_query.lists() for v in values],
        "sheet_languages": FLYER_LANGUAGES.values(),
    }
