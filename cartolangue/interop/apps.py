from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "cartolangue.interop"
    verbose_name = _("Échanges de données")
