from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlyersConfig(AppConfig):
    name = "cartolangue.flyers"
    verbose_name = _("Documents imprimés")
