"""The public side of keeping the offer true: "signaler une erreur" (no account; CSRF, the per-client form limits
and a honeypot) and the "toujours à jour" link of the reminders (a page whose button confirms: a link prefetched
by a mail scanner confirms nothing)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from cartolangue.offers.models import Course, ExamSession, Structure
from cartolangue.upkeep import reminders
from cartolangue.upkeep.forms import ErrorReportForm
from cartolangue.upkeep.reports import report_error

TARGETS = {"cours": Course.objects.public(), "structure": Structure.objects.all(), "examen": ExamSession.objects.all()}


def _target(request: HttpRequest):
    for name, queryset in TARGETS.items():
        value = request.GET.get(name, "")
        if value:
            if not value.isdigit():
                raise Http404
            return name, get_object_or_404(queryset, pk=int(value))
    raise Http404


def report(request: HttpRequest) -> HttpResponse:
    kind, target = _target(request)
    form = ErrorReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["site_web"]:  # a robot filled the honeypot: thank it and store nothing
            report_error(
                target, form.cleaned_data["message"], form.cleaned_data["email"], request.build_absolute_uri("/")
            )
        return render(request, "upkeep/reported.html", {"target": target, "kind": kind})
    return render(request, "upkeep/report.html", {"form": form, "target": target, "kind": kind})


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        reminder = reminders.reminder_from_token(token)
        if request.method == "POST":
            count = reminders.confirm_by_link(reminder)
            message = _("Merci : %(n)d cours confirmé(s) comme toujours à jour.") % {"n": count}
            return render(request, "upkeep/confirmed.html", {"message": message, "structure": reminder.structure})
    except reminders.ReminderLinkError as error:
        return render(request, "upkeep/confirmed.html", {"message": str(error)}, status=400)
    courses = Course.objects.public().filter(pk__in=reminder.course_ids).order_by("name")
    return render(request, "upkeep/confirm.html", {"reminder": reminder, "courses": courses})
