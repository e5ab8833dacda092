from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "cartolangue.offers"
    verbose_name = _("Offre de formation")

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from cartolangue.offers import indexing  # noqa: F401  (connects the search-text signals)
        from cartolangue.offers.history import stamp_change_set

        pre_create_historical_record.connect(stamp_change_set, dispatch_uid="offers_change_set")
