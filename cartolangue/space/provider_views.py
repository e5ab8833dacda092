"""The provider space (/espace/): a member's structures and their offer, kept up to date by the member."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartolangue.accounts.models import Membership
from cartolangue.accounts.permissions import Verb, can, coordinated_structures, member_structures
from cartolangue.offers import enums, freshness
from cartolangue.offers.models import Course, Place, Structure, TimeSlot
from cartolangue.space import editing
from cartolangue.space.access import object_for, require
from cartolangue.space.forms import (
    CourseForm,
    ExamSessionFormSet,
    InvitationForm,
    PlaceForm,
    SeatsForm,
    SessionFormSet,
    TimeSlotFormSet,
)
from cartolangue.upkeep import reports
from cartolangue.upkeep.models import ErrorReport


def _offer(structures):
    courses = Course.objects.order_by("status", "name", "pk").prefetch_related(
        Prefetch("time_slots", queryset=TimeSlot.objects.order_by("weekday", "starts_at"))
    )
    return structures.order_by("name").prefetch_related(Prefetch("courses", queryset=courses))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    structures = _offer(member_structures(request.user))
    coordinated = coordinated_structures(request.user)
    return render(
        request,
        "space/home.html",
        {
            "structures": structures,
            "is_coordinator": coordinated.exists() or hasattr(request.user, "coordinator"),
            "pending_requests": request.user.access_requests.filter(status="en-attente"),
        },
    )


@login_required
def structure(request: HttpRequest, pk: int) -> HttpResponse:
    current = object_for(request, Verb.EDIT, Structure, pk=pk)
    (current,) = _offer(Structure.objects.filter(pk=pk))
    return render(
        request,
        "space/structure.html",
        {
            "structure": current,
            "places": current.places.select_related("commune").defer("commune__geometry").annotate(n=Count("courses")),
            "members": Membership.objects.filter(structure=current).select_related("user").order_by("user__username"),
            "can_invite": can(request.user, Verb.INVITE, current),
            "invitation_form": InvitationForm(structures=Structure.objects.filter(pk=pk), initial={"structure": pk}),
            "seats_form": SeatsForm(),
            "statuses": enums.PublicationStatus,
            "reports": current.error_reports.filter(status__in=ErrorReport.OPEN).select_related(
                "course", "exam_session__certification"
            ),
        },
    )


def _save_course(request, form, slots, sessions, creating):
    with transaction.atomic():
        course = form.save(commit=False)
        if creating:
            course.structure = form.structure
            course.status = editing.status_for_new_course(form.structure)
        edited = form.edited_fields()
        if slots.has_changed():
            edited.add("time_slots")
        editing.mark_hand_edited(course, edited)
        course.save()
        form.save_m2m()
        editing.replace_children(
            course, form.audiences(), form.cleaned_data["schooling"], form.cleaned_data["funders"]
        )
        slots.instance = sessions.instance = course
        slots.save()
        sessions.save()
    return course


def _course_form(request, course, structure, creating):
    data = request.POST if request.method == "POST" else None
    form = CourseForm(data, instance=course, structure=structure)
    slots = TimeSlotFormSet(data, instance=course, prefix="creneaux")
    sessions = SessionFormSet(data, instance=course, prefix="sessions")
    if data is not None and form.is_valid() and slots.is_valid() and sessions.is_valid():
        saved = _save_course(request, form, slots, sessions, creating)
        if saved.status == enums.PublicationStatus.PENDING:
            messages.info(request, _("Cours enregistré : il sera publié après validation par un coordinateur."))
        else:
            messages.success(request, _("Cours enregistré et publié."))
        return redirect("space:structure", pk=structure.pk)
    return render(
        request,
        "space/course_form.html",
        {"form": form, "slots": slots, "sessions": sessions, "structure": structure, "course": course},
    )


@login_required
def course_create(request: HttpRequest, structure_pk: int) -> HttpResponse:
    current = object_for(request, Verb.CREATE, Structure, pk=structure_pk)
    return _course_form(request, Course(structure=current), current, creating=True)


@login_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = object_for(request, Verb.EDIT, Course.objects.select_related("structure"), pk=pk)
    return _course_form(request, course, course.structure, creating=False)


@login_required
@require_POST
def course_seats(request: HttpRequest, pk: int) -> HttpResponse:
    """One click from the list: "complet" (no value) or "il reste N places"."""
    course = object_for(request, Verb.EDIT, Course.objects.select_related("structure"), pk=pk)
    if request.POST.get("complet"):
        seats_left = 0
    else:
        form = SeatsForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("Nombre de places restantes invalide : %(errors)s") % {"errors": form.errors.get("seats_left", "")},
            )
            return redirect("space:structure", pk=course.structure_id)
        seats_left = form.cleaned_data["seats_left"]
    course.seats_left, course.places_available = seats_left, seats_left > 0
    editing.mark_hand_edited(course, ["places_available", "seats_left"])
    course.save()
    if seats_left:
        messages.success(
            request, _("« %(name)s » : il reste %(n)d place(s).") % {"name": course.name, "n": seats_left}
        )
    else:
        messages.success(request, _("« %(name)s » est marqué complet.") % {"name": course.name})
    return redirect(reverse("space:structure", args=[course.structure_id]) + f"#cours-{course.pk}")


@login_required
@require_POST
def course_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    course = object_for(request, Verb.CREATE, Course.objects.select_related("structure"), pk=pk)
    copy = editing.duplicate(course)
    messages.success(request, _("Copie créée : modifiez-la."))
    return redirect("space:course-edit", pk=copy.pk)


@login_required
@require_POST
def course_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive a course (shown nowhere, kept with its history), or bring an archived one back."""
    course = object_for(request, Verb.EDIT, Course.objects.select_related("structure"), pk=pk)
    if course.status == enums.PublicationStatus.ARCHIVED:
        course.status = editing.status_for_new_course(course.structure)
        messages.success(request, _("« %(name)s » est de nouveau dans l'offre.") % {"name": course.name})
    else:
        course.status = enums.PublicationStatus.ARCHIVED
        messages.success(request, _("« %(name)s » est archivé : il n'apparaît plus.") % {"name": course.name})
    course.save()
    return redirect("space:structure", pk=course.structure_id)


def _place_form(request, place, structure):
    form = PlaceForm(request.POST or None, instance=place)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.structure = structure
        saved.save()
        messages.success(request, _("Lieu enregistré."))
        return redirect("space:structure", pk=structure.pk)
    return render(
        request,
        "space/place_form.html",
        {"form": form, "structure": structure, "place": place, "map_tiles_url": settings.MAP_TILE_URL},
    )


@login_required
def place_create(request: HttpRequest, structure_pk: int) -> HttpResponse:
    current = object_for(request, Verb.CREATE, Structure, pk=structure_pk)
    return _place_form(request, Place(structure=current), current)


@login_required
def place_edit(request: HttpRequest, pk: int) -> HttpResponse:
    place = object_for(request, Verb.EDIT, Place.objects.select_related("structure"), pk=pk)
    return _place_form(request, place, place.structure)


@login_required
def exam_sessions(request: HttpRequest, structure_pk: int) -> HttpResponse:
    """A certification centre's test dates."""
    current = object_for(request, Verb.EDIT, Structure, pk=structure_pk)
    formset = ExamSessionFormSet(request.POST or None, instance=current, prefix="examens")
    for form in formset.forms:
        form.fields["place"].queryset = current.places.select_related("commune").defer("commune__geometry")
    if request.method == "POST" and formset.is_valid():
        for form in formset.forms:
            if form.instance.pk and form in formset.deleted_forms:
                require(request, Verb.DELETE, form.instance)
        formset.save()
        messages.success(request, _("Sessions d'examen enregistrées."))
        return redirect("space:structure", pk=current.pk)
    return render(request, "space/exam_sessions.html", {"formset": formset, "structure": current})


@login_required
@require_POST
def course_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Toujours à jour": the course is confirmed as true today, by its structure."""
    course = object_for(request, Verb.EDIT, Course.objects.select_related("structure"), pk=pk)
    freshness.confirm(course, enums.ConfirmedBy.STRUCTURE)
    course.save()
    messages.success(request, _("« %(name)s » est confirmé à jour.") % {"name": course.name})
    return redirect(reverse("space:structure", args=[course.structure_id]) + f"#cours-{course.pk}")


@login_required
@require_POST
def close_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an error report as fixed or rejected (its structure's members and coordinators)."""
    report = object_for(request, Verb.EDIT, ErrorReport.objects.select_related("structure"), pk=pk)
    reports.close_report(report, fixed=request.POST.get("decision") == "corrige", user=request.user)
    messages.success(request, _("Signalement classé."))
    if can(request.user, Verb.EDIT, report.structure):
        return redirect("space:structure", pk=report.structure_id)
    return redirect("space:feed")
