"""What coordinators follow besides the field-by-field history (offers/history.py): each import as one event,
and the conflicts between an import and a provider's own edit."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartolangue.offers.models import Course


class ImportEvent(models.Model):
    """One import, recorded once: its report and the courses it created or changed."""

    source = models.SlugField(_("source"), max_length=50)
    file = models.CharField(_("fichier"), max_length=250)
    format = models.CharField(_("format"), max_length=50)
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    report = models.JSONField(_("rapport"), default=dict, encoder=DjangoJSONEncoder)
    course_ids = models.JSONField(_("cours créés ou modifiés"), default=list)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.file} ({self.created_at:%Y-%m-%d %H:%M})"


class ImportConflict(models.Model):
    """An import brought another value for a field the provider had set by hand: the provider's value was kept;
    a coordinator accepts the source's value or keeps the provider's."""

    class Status(models.TextChoices):
        OPEN = "ouvert", _("À trancher")
        SOURCE_ACCEPTED = "source", _("Valeur de la source retenue")
        PROVIDER_KEPT = "structure", _("Valeur de la structure conservée")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="import_conflicts")
    field = models.CharField(_("champ"), max_length=50)
    source = models.SlugField(_("source"), max_length=50)
    source_value = models.JSONField(_("valeur de la source"), null=True, encoder=DjangoJSONEncoder)
    event = models.ForeignKey(ImportEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="conflicts")
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("tranché le"), null=True, blank=True)

    class Meta:
        verbose_name = _("conflit d'import")
        verbose_name_plural = _("conflits d'import")
        ordering = ["-created_at"]
        constraints = [
            # One open conflict per course and field: a later import updates it.
            models.UniqueConstraint(
                fields=["course", "field"], condition=models.Q(status="ouvert"), name="importconflict_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} · {self.field}"

    @property
    def structure(self):
        return self.course.structure
