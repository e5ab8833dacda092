"""`manage.py import_actors FORMAT FILE [--dry-run]`: the open files of support actors (data/actors/)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cartolangue.actors.importers import ACTOR_FORMATS, import_actors
from cartolangue.interop.errors import ImportFileError


class Command(BaseCommand):
    help = _(
        "Importe un fichier ouvert d'acteurs de l'accompagnement (France Services, agences France Travail, SIAE, "
        "annuaire de l'administration) : tout ou rien, rapport des créés, modifiés, rejetés et écartés."
    )
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", choices=sorted(ACTOR_FORMATS), help=_("Format du fichier."))
        parser.add_argument("file", help=_("Fichier à importer."))
        parser.add_argument("--dry-run", action="store_true", help=_("Lire et contrôler sans rien enregistrer."))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("%(path)s : fichier introuvable.") % {"path": path})
        try:
            report = import_actors(options["format"], path, dry_run=options["dry_run"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
