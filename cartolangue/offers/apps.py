from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "cartolangue.offers"
    verbose_name = _("Offre de formation")

    def ready(self):
        from cartolangue.offers import indexing  # noqa: F401  (connects the search-text signals)
