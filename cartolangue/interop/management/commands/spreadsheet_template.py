"""Write the empty Carto-Langue spreadsheet template (.xlsx): one sheet per entity with French headers and
drop-down lists, a "Listes" sheet and a "Mode d'emploi" (layout: cartolangue/interop/spreadsheet/columns.py)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cartolangue.interop.spreadsheet.template import template_write


class Command(BaseCommand):
    help = _("Écrit le modèle de tableur (.xlsx) à remplir pour déclarer une offre de cours ou des sessions d'examen.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", help=_("Fichier .xlsx à écrire."))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["output"])
        if path.suffix.lower() != ".xlsx":
            raise CommandError(_("%(path)s : le modèle s'enregistre au format .xlsx") % {"path": path})
        if not path.parent.is_dir():
            raise CommandError(_("%(path)s : dossier introuvable") % {"path": path.parent})
        template_write(path)
        if options["verbosity"] > 0:
            self.stdout.write(_("Modèle écrit : %(path)s") % {"path": path})
