from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpaceConfig(AppConfig):
    name = "cartolangue.space"
    verbose_name = _("Espace des structures et des coordinateurs")
