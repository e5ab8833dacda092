from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupConfig(AppConfig):
    name = "cartolangue.dedup"
    verbose_name = _("Doublons entre sources")
