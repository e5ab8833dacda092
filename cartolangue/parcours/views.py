"""`/parcours/`: one question per screen, then the pathway (parcours/guide.py). Stateless: the answers travel in
the query string (shareable, printable, nothing stored); works without JavaScript; "Retour" at every step."""

from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from cartolangue.geo.models import Commune
from cartolangue.offers.models import Certification
from cartolangue.parcours.guide import QUESTIONS, next_question, pathway, read_answers
from cartolangue.search.actors import actors_covering
from cartolangue.search.engine import course_search, exam_search
from cartolangue.search.params import parse_course_query, parse_exam_query
from cartolangue.search.places import place_match

RADIUS_KM = "10"
SHOWN = 5  # courses and test sessions listed on the pathway (the links give them all)


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
        "courses_url": "/?" + course_query.urlencode(),
        "exams": exams.items[:SHOWN] if exams else [],
        "exams_total": exams.total if exams else 0,
        "exams_url": "/?" + urlencode([*path.exam_params, *where]),
        "helpers": helpers,
        "back_url": _back(answers, len(QUESTIONS) + 1, base),
        "restart_url": base,
        "share_url": f"{base}?{answers_query.urlencode()}",
    }
