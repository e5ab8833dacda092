"""Publish the exports (LHEO 2.3, data·inclusion v1, open data CSV/GeoJSON and their zip) into the "exports"
storage, with a manifest: the files the API and the "Données" page serve (docs/adr/0014-published-exports.md).

Run it after every import and at least daily (cron, systemd timer); `make run` runs it once.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from cartolangue.interop.publication import exports_publish
from cartolangue.sources.registry import sources_summary


class Command(BaseCommand):
    help = _(
        "Publie les exports (LHEO, data·inclusion, données ouvertes et zip) avec leur manifeste : les fichiers que "
        "l'API et la page « Données » servent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-url",
            default="",
            help=_(
                "Adresse publique du site (https://…), pour les liens des fiches data·inclusion ; par défaut SITE_URL."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        site_url = (options["site_url"] or settings.SITE_URL or "").rstrip("/") or None
        manifests = exports_publish(site_url=site_url, sources=sources_summary())
        for edition, manifest in manifests.items():
            counts = manifest["counts"]
            self.stdout.write(
                _("%(edition)s : %(courses)d cours LHEO, %(services)d services data·inclusion, %(files)d fichiers")
                % {
                    "edition": edition,
                    "courses": counts["lheo"]["courses"],
                    "services": counts["data-inclusion"]["services"],
                    "files": len(manifest["files"]),
                }
            )
        self.stdout.write(self.style.SUCCESS(_("Exports publiés en %(s).1f s.") % {"s": time.perf_counter() - start}))
