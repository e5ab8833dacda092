from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "cartolangue.moderation"
    verbose_name = _("Modération et historique")
