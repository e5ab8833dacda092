"""The coordinator's space: the review feed (hand edits with their diff and one-click revert), what waits for a
decision (access requests, courses under pre-moderation, import conflicts), invitations and pre-moderation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartolangue.accounts import invitations
from cartolangue.accounts.models import AccessRequest, Membership
from cartolangue.accounts.permissions import Verb, can
from cartolangue.moderation import changes, conflicts
from cartolangue.moderation.models import ImportConflict, ImportEvent
from cartolangue.offers import enums, freshness
from cartolangue.offers.models import Course, Structure
from cartolangue.space.access import coordination_scope, coordinator_only, object_for, require
from cartolangue.space.forms import InvitationForm
from cartolangue.upkeep.models import ErrorReport
from cartolangue.upkeep.reminders import structures_without_member


def _pending_requests(request: HttpRequest):
    # Oldest first; the id breaks ties (two requests of one transaction share PostgreSQL's now()).
    pending = (
        AccessRequest.objects.filter(status=AccessRequest.Status.PENDING)
        .select_related("user", "structure", "proposed_departement")
        .order_by("created_at", "pk")
    )
    return [r for r in pending if can(request.user, Verb.APPROVE, r)]


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    coordinator_only(request)
    scope = coordination_scope(request)
    in_scope = Structure.objects.all() if scope is None else Structure.objects.filter(pk__in=scope)
    return render(
        request,
        "space/feed.html",
        {
            "change_sets": changes.review_feed(scope),
            "requests": _pending_requests(request),
            "pending_courses": Course.objects.filter(
                status=enums.PublicationStatus.PENDING, structure__in=in_scope
            ).select_related("structure", "place__commune"),
            "conflicts": ImportConflict.objects.filter(
                status=ImportConflict.Status.OPEN, course__structure__in=in_scope
            ).select_related("course__structure"),
            "imports": ImportEvent.objects.all()[:10],
            "premoderated": in_scope.filter(premoderated=True).order_by("name"),
            "invitation_form": InvitationForm(structures=in_scope),
            "days": changes.settings.REVIEW_FEED_DAYS,
            "reports": ErrorReport.objects.filter(status__in=ErrorReport.OPEN, structure__in=in_scope).select_related(
                "structure", "course", "exam_session__certification"
            ),
            "freshness": _freshness_by_departement(in_scope),
            "without_member": structures_without_member(timezone.localdate()).filter(pk__in=in_scope.values("pk")),
        },
    )


def _freshness_by_departement(structures) -> list[dict]:
    """Per département of the scope: published courses, how many are "à vérifier", the share, open reports."""
    courses = Course.objects.public().filter(structure__in=structures)
    rows = (
        courses.values("place__commune__departement__code", "place__commune__departement__name")
        .annotate(total=Count("id"), stale=Count("id", filter=freshness.stale_q(timezone.localdate())))
        .order_by("place__commune__departement__code")
    )
    open_reports = dict(
        ErrorReport.objects.filter(status__in=ErrorReport.OPEN, structure__in=structures)
        .values("structure__places__commune__departement__code")
        .annotate(n=Count("id", distinct=True))
        .values_list("structure__places__commune__departement__code", "n")
    )
    return [
        {
            "code": row["place__commune__departement__code"],
            "name": row["place__commune__departement__name"],
            "total": row["total"],
            "stale": row["stale"],
            "share": round(100 * row["stale"] / row["total"]) if row["total"] else 0,
            "reports": open_reports.get(row["place__commune__departement__code"], 0),
        }
        for row in rows
    ]


@login_required
@require_POST
def revert(request: HttpRequest, change_set: str) -> HttpResponse:
    coordinator_only(request)
    entry = changes.change_set_by_id(change_set, coordination_scope(request))
    if entry is None:
        raise Http404
    require(request, Verb.REVERT, entry)
    try:
        changes.revert(entry)
    except changes.RevertError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Modification annulée : les valeurs d'avant sont de nouveau publiées."))
    return redirect("space:feed")


@login_required
@require_POST
def approve_course(request: HttpRequest, pk: int) -> HttpResponse:
    course = object_for(request, Verb.APPROVE, Course.objects.select_related("structure"), pk=pk)
    if request.POST.get("decision") == "refuser":
        course.status = enums.PublicationStatus.ARCHIVED
        messages.success(request, _("« %(name)s » est refusé (archivé).") % {"name": course.name})
    else:
        course.status = enums.PublicationStatus.PUBLISHED
        messages.success(request, _("« %(name)s » est publié.") % {"name": course.name})
    course.save()
    return redirect("space:feed")


@login_required
@require_POST
def decide_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve (membership; a proposed structure is created) or refuse an access request. An approved provider's
    structure goes under pre-moderation: their first publications wait for a coordinator."""
    access = object_for(request, Verb.APPROVE, AccessRequest.objects.select_related("structure"), pk=pk)
    if access.status != AccessRequest.Status.PENDING:
        messages.info(request, _("Cette demande a déjà été traitée."))
        return redirect("space:feed")
    with transaction.atomic():
        if request.POST.get("decision") == "accepter":
            structure = access.structure or Structure.objects.create(
                name=access.proposed_name, siret=access.proposed_siret, kind=access.proposed_kind or "autre"
            )
            structure.premoderated = True
            structure.save()
            Membership.objects.get_or_create(user=access.user, structure=structure, defaults={"is_admin": True})
            access.structure, access.status = structure, AccessRequest.Status.APPROVED
            messages.success(
                request,
                _("Demande acceptée : %(who)s gère %(structure)s.")
                % {"who": access.user.email, "structure": structure.name},
            )
        else:
            access.status = AccessRequest.Status.REJECTED
            messages.success(request, _("Demande refusée."))
        access.decided_by, access.decided_at = request.user, timezone.now()
        access.save()
    return redirect("space:feed")


@login_required
@require_POST
def premoderation(request: HttpRequest, pk: int) -> HttpResponse:
    structure = object_for(request, Verb.APPROVE, Structure, pk=pk)
    structure.premoderated = request.POST.get("premoderated") == "oui"
    structure.save()
    if structure.premoderated:
        messages.success(request, _("%(name)s est sous pré-modération.") % {"name": structure.name})
    else:
        messages.success(request, _("%(name)s publie de nouveau directement.") % {"name": structure.name})
    return redirect("space:feed")


@login_required
@require_POST
def resolve_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(ImportConflict.objects.select_related("course__structure"), pk=pk)
    require(request, Verb.APPROVE, conflict.course)
    conflicts.resolve(conflict, accept_source=request.POST.get("decision") == "source", user=request.user)
    messages.success(request, _("Conflit tranché."))
    return redirect("space:feed")


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    """Invite a person to a structure: its admins and the coordinators in scope may."""
    structures = Structure.objects.filter(pk=request.POST.get("structure") or 0)
    form = InvitationForm(request.POST, structures=structures)
    if not form.is_valid():
        messages.error(request, _("Invitation non envoyée : %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("space:home")
    structure = form.cleaned_data["structure"]
    require(request, Verb.INVITE, structure)
    site = request.build_absolute_uri("/")
    invitations.invite(form.cleaned_data["email"], structure, form.cleaned_data["is_admin"], request.user, site)
    messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]})
    if can(request.user, Verb.EDIT, structure):
        return redirect("space:structure", pk=structure.pk)
    return redirect("space:feed")
