from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticConfig(AppConfig):
    name = "cartolangue.diagnostic"
    verbose_name = _("Diagnostic territorial")
