"""The coordinator's review of courses seen in several sources (issue #23): the pairs the matcher could not settle,
side by side, and the pairs it linked, which a coordinator can unlink. A decision is kept across imports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartolangue.accounts.permissions import Verb
from cartolangue.dedup.models import CourseLink, Verdict
from cartolangue.dedup.store import decide
from cartolangue.offers.models import Structure
from cartolangue.space.access import coordination_scope, coordinator_only, require

SHOWN = 50


def _links(request: HttpRequest) -> QuerySet:
    """The links whose two courses are both in the coordinator's scope (all of them for staff)."""
    scope = coordination_scope(request)
    links = CourseLink.objects.select_related(
        "first__structure", "first__place__commune", "second__structure", "second__place__commune"
    ).defer("first__place__commune__geometry", "second__place__commune__geometry")
    if scope is not None:
        structures = Structure.objects.filter(pk__in=scope)
        links = links.filter(first__structure__in=structures, second__structure__in=structures)
    return links


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    coordinator_only(request)
    links = _links(request)
    to_review = links.filter(verdict=Verdict.MAYBE, decision="").order_by("-score", "pk")
    linked = links.filter(Q(decision=Verdict.SAME) | Q(decision="", verdict=Verdict.SAME)).order_by(
        "-updated_at", "pk"
    )
    return render(
        request,
        "space/duplicates.html",
        {
            "to_review": to_review[:SHOWN],
            "to_review_count": to_review.count(),
            "linked": linked[:SHOWN],
            "linked_count": linked.count(),
        },
    )


@login_required
@require_POST
def decide_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(CourseLink.objects.select_related("first__structure", "second__structure"), pk=pk)
    for course in (link.first, link.second):  # a coordinator of both courses decides
        require(request, Verb.APPROVE, course)
    verdict = request.POST.get("decision")
    if verdict not in (Verdict.SAME, Verdict.DIFFERENT):
        messages.error(request, _("Décision inconnue."))
        return redirect("space:duplicates")
    decide(link, verdict, request.user)
    if verdict == Verdict.SAME:
        messages.success(request, _("Les deux fiches sont désormais montrées comme une seule offre."))
    else:
        messages.success(request, _("Les deux fiches sont de nouveau montrées séparément."))
    return redirect("space:duplicates")
