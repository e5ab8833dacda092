""" "Signaler une erreur": a report is stored, sent to the structure's members (then "transmis") and its
coordinators; closing it as fixed or rejected tells the reporter, if they left an address, and erases it."""

from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartolangue.accounts.permissions import coordinators_of
from cartolangue.offers.models import Course, ExamSession, Structure
from cartolangue.upkeep.models import ErrorReport


def report_error(
    target: Course | Structure | ExamSession, message: str, reporter_email: str, site_url: str
) -> ErrorReport:
    structure = target if isinstance(target, Structure) else target.structure
    report = ErrorReport.objects.create(
        structure=structure,
        course=target if isinstance(target, Course) else None,
        exam_session=target if isinstance(target, ExamSession) else None,
        message=message,
        reporter_email=reporter_email,
    )
    members = sorted(structure.memberships.filter(user__is_active=True).values_list("user__email", flat=True))
    coordinators = sorted({person.email for person in coordinators_of(structure)})
    if members:
        report.status = ErrorReport.Status.FORWARDED
        report.save(update_fields=["status"])
    recipients = sorted(set(members) | set(coordinators))
    if recipients:
        link = site_url.rstrip("/") + reverse("space:structure", args=[structure.pk])
        subject = _("Carto-Langue : erreur signalée sur « %(subject)s »") % {"subject": report.subject}
        body = _(
            "Bonjour,\n\nUne personne signale une erreur sur « %(subject)s » (%(structure)s) :\n\n%(message)s\n\n"
            "Corrigez la fiche si besoin, puis classez le signalement dans l'espace de la structure :\n%(link)s\n"
        ) % {"subject": report.subject, "structure": structure.name, "message": message, "link": link}
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
    return report


def close_report(report: ErrorReport, fixed: bool, user: Any) -> None:
    """Close the report; tell the reporter (if they left an address) and erase the address."""
    with transaction.atomic():
        locked = ErrorReport.objects.select_for_update().get(pk=report.pk)
        if not locked.is_open:
            return
        address = locked.reporter_email
        locked.status = ErrorReport.Status.FIXED if fixed else ErrorReport.Status.REJECTED
        locked.closed_at, locked.closed_by, locked.reporter_email = timezone.now(), user, ""
        locked.save()
        if address:
            outcome = _("corrigée") if fixed else _("examinée ; la fiche n'a pas été modifiée")
            subject = _("Carto-Langue : votre signalement est traité")
            body = _(
                "Bonjour,\n\nMerci pour votre signalement sur « %(subject)s ». L'erreur a été %(outcome)s.\n\n"
                "Votre adresse a été effacée de Carto-Langue.\n"
            ) % {"subject": locked.subject, "outcome": outcome}
            transaction.on_commit(lambda: send_mail(subject, body, None, [address]))
