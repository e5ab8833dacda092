from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpkeepConfig(AppConfig):
    name = "cartolangue.upkeep"
    verbose_name = _("Mise à jour de l'offre : rappels et signalements")
