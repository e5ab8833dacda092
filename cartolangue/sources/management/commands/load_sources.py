"""`manage.py load_sources FILE.toml`: declare sources in the registry from a file kept under version control
(create or update by name, all or nothing). Staff can then edit them in the admin."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cartolangue.sources.registry import RegistryFileError, load_registry_file


class Command(BaseCommand):
    help = _("Déclare ou met à jour les sources d'un fichier TOML ([sources.<identifiant>]).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Fichier TOML des sources."))

    def handle(self, *args, **options):
        try:
            loaded = load_registry_file(Path(options["file"]))
        except RegistryFileError as exc:
            raise CommandError(str(exc)) from exc
        for source, created in loaded:
            self.stdout.write((_("ajoutée") if created else _("mise à jour")) + f" : {source.name} ({source.label})")
