from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "cartolangue.search"
    verbose_name = _("Recherche")

    def ready(self) -> None:
        from cartolangue.search import checks  # noqa: F401  (registers the system check)
        from cartolangue.search.watch import install_watch_after_migrate

        # Once per `migrate` (the signal is sent for every app; this app as sender is enough).
        post_migrate.connect(install_watch_after_migrate, sender=self, dispatch_uid="search-watch")
