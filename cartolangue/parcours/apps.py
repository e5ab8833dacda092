from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParcoursConfig(AppConfig):
    name = "cartolangue.parcours"
    verbose_name = _("Guide de parcours")
