"""Export the offer in the data·inclusion v1 schema (`data-inclusion-schema`): `structures.json` and
`services.json`, one service per course, and the support actors' pair in `acteurs/`, each item checked with the
official pydantic models.

Demo records (source "demo") are left out unless --include-demo is given.
"""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from cartolangue.interop.data_inclusion.writer import ExportReport, iter_json_array
from cartolangue.interop.opendata.writer import atomic_write
from cartolangue.interop.publication import DATA_INCLUSION_FILES


class Command(BaseCommand):
    help = _(
        "Exporte les structures et les cours au schéma data·inclusion v1 (structures.json, services.json), et les "
        "acteurs de l'accompagnement dans acteurs/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", help=_("Dossier de sortie (créé s'il n'existe pas)."))
        parser.add_argument(
            "--include-demo",
            action="store_true",
            help=_("Inclure les données fictives de démonstration (exclues par défaut)."),
        )
        parser.add_argument(
            "--site-url",
            default="",
            help=_(
                "Adresse publique du site (https://…) : le lien_source de chaque fiche pointe alors vers sa page "
                "Carto-Langue plutôt que vers sa source."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        outdir = Path(options["outdir"])
        (outdir / "acteurs").mkdir(parents=True, exist_ok=True)
        kwargs = {"include_demo": options["include_demo"], "site_url": options["site_url"] or None}
        for name, items in DATA_INCLUSION_FILES.items():
            report = ExportReport()
            with atomic_write(outdir / f"{name}.json") as out:
                out.writelines(iter_json_array(items(report=report, **kwargs)))
            self.stdout.write(_("%(file)s : %(n)d fiches") % {"file": f"{name}.json", "n": report.written})
            for item_id, reason in report.rejected:
                self.stderr.write(
                    _("%(id)s : refusé par le schéma data·inclusion – %(reason)s") % {"id": item_id, "reason": reason}
                )
        self.stdout.write(
            self.style.SUCCESS(
                _("Export data·inclusion écrit dans %(outdir)s en %(s).1f s.")
                % {"outdir": outdir, "s": time.perf_counter() - start}
            )
        )
