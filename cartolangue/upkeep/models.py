"""Keeping the offer true: the reminders sent to providers whose courses are "à vérifier", and the errors
visitors report ("signaler une erreur")."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartolangue.offers.models import Course, ExamSession, Structure


class Reminder(models.Model):
    """One reminder to a structure's members: the stale courses it listed, and its "toujours à jour" link's use."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="reminders")
    course_ids = models.JSONField(_("cours à vérifier"), default=list)
    recipients = models.PositiveSmallIntegerField(_("destinataires"), default=0)
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True, db_index=True)
    used_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rappel de mise à jour")
        verbose_name_plural = _("rappels de mise à jour")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.structure} ({self.sent_at:%Y-%m-%d})"


class ErrorReport(models.Model):
    """An error a visitor reports on a course, a structure or an exam session. The reporter's address, if given,
    serves only to tell them the report is closed, and is erased then."""

    class Status(models.TextChoices):
        NEW = "nouveau", _("Nouveau")
        FORWARDED = "transmis", _("Transmis à la structure")
        FIXED = "corrige", _("Corrigé")
        REJECTED = "rejete", _("Rejeté")

    OPEN = (Status.NEW, Status.FORWARDED)

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="error_reports")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, null=True, blank=True, related_name="error_reports")
    exam_session = models.ForeignKey(
        ExamSession, on_delete=models.CASCADE, null=True, blank=True, related_name="error_reports"
    )
    message = models.TextField(_("ce qui est faux"), max_length=2000)
    reporter_email = models.EmailField(_("courriel pour être prévenu"), blank=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("signalé le"), auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("signalement d'erreur")
        verbose_name_plural = _("signalements d'erreur")
        ordering = ["-created_at"]
        constraints = [
            # A closed report keeps no address: it was only for telling the reporter.
            models.CheckConstraint(
                condition=Q(status__in=["nouveau", "transmis"]) | Q(reporter_email=""),
                name="errorreport_closed_has_no_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course or self.exam_session or self.structure} – {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def subject(self) -> str:
        return str(self.course or self.exam_session or self.structure)
