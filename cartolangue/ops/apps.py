from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the site: the request transaction policy, database backup and restore. No model."""

    name = "cartolangue.ops"
    verbose_name = _("Exploitation")
