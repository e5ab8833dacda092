"""Export the offer as open data: CSV (RFC 4180) and GeoJSON (RFC 7946) files of structures, places, courses,
sessions and exam sessions, with `dictionnaire.csv` and a README (Licence Ouverte 2.0).

Demo records (source "demo") are left out unless --include-demo is given.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from cartolangue.interop.opendata.writer import write_opendata


class Command(BaseCommand):
    help = _("Exporte l'offre en données ouvertes (CSV, GeoJSON, dictionnaire des données) dans un dossier.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", help=_("Dossier de sortie (créé s'il n'existe pas)."))
        parser.add_argument(
            "--include-demo",
            action="store_true",
            help=_("Inclure les données fictives de démonstration (exclues par défaut)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        counts = write_opendata(options["outdir"], include_demo=options["include_demo"])
        for name, n in counts.items():
            self.stdout.write(_("%(name)s : %(n)d lignes") % {"name": name, "n": n})
        self.stdout.write(
            self.style.SUCCESS(
                _("Export ouvert écrit dans %(outdir)s en %(s).1f s.")
                % {"outdir": options["outdir"], "s": time.perf_counter() - start}
            )
        )
