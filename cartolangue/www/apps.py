from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WwwConfig(AppConfig):
    name = "cartolangue.www"
    verbose_name = _("Site public")
