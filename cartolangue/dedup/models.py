"""The links between courses of different sources that are the same offer (issue #23, ADR 0024). Links are
stored, not merges: both records stay, the copy carries `Course.duplicate_of`; a coordinator's decision on a
pair is kept across imports and re-matching."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cartolangue.offers.models import Course


class Verdict(models.TextChoices):
    SAME = "same", _("même offre")
    MAYBE = "maybe", _("à vérifier")
    DIFFERENT = "different", _("offres différentes")


class CourseLink(models.Model):
    first = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+", verbose_name=_("cours"))
    second = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+", verbose_name=_("autre cours"))
    score = models.FloatField(_("score"))
    verdict = models.CharField(_("verdict du rapprochement"), max_length=10, choices=Verdict.choices)
    features = models.JSONField(_("détail du score"), default=dict)
    # A coordinator's decision, which wins over the verdict and outlives re-matching. Empty: none yet.
    decision = models.CharField(_("décision"), max_length=10, choices=Verdict.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rapprochement de cours")
        verbose_name_plural = _("rapprochements de cours")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="course_link_unique_pair"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="course_link_ordered"),
        ]
        indexes = [models.Index(fields=["verdict", "decision"], name="course_link_review")]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.verdict})"

    @property
    def linked(self) -> bool:
        """Whether the two are shown as one offer: a coordinator said so, or the matcher did and nobody objected."""
        return self.decision == Verdict.SAME or (not self.decision and self.verdict == Verdict.SAME)
