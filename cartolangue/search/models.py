"""The search's own bookkeeping: a data-version token that database triggers renew on every write to the
offer (see cartolangue/search/version.py)."""

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
