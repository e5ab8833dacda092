"""The search's own bookkeeping, kept by database triggers (search/watch.py): a data-version token renewed on
every write to the offer (search/version.py), and the log of which courses each write touched (search/live.py)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """One row (id 1) whose token changes, by trigger, whenever data the search reads changes."""

    token = models.CharField(_("jeton"), max_length=64)

    class Meta:
        db_table = "search_dataversion"
        verbose_name = _("version des données")
        verbose_name_plural = _("versions des données")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="dataversion_single_row")]

    def __str__(self):
        return self.token


class Change(models.Model):
    """One logged write, by the database's triggers (search/watch.py): the course (or place) whose row, or
    whose child's row, was written; or "all" for a write every index must rebuild for. `token` is the data
    version this write produced: a reader checks it to tell a log entry it has seen from one rolled back and
    written again under the same id."""

    kind = models.CharField(_("nature"), max_length=16)
    row_id = models.BigIntegerField(_("identifiant"), null=True)
    token = models.CharField(_("jeton"), max_length=64)

    class Meta:
        db_table = "search_change"
        verbose_name = _("écriture notée")
        verbose_name_plural = _("écritures notées")

    def __str__(self):
        return f"{self.kind} {self.row_id}"
