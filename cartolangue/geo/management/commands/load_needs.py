"""`manage.py load_needs`: the territorial diagnostic's data, the communes' legal population (COG 2026) and the
QPV 2024 contours (data/territories/, with their PROVENANCE.md)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cartolangue.geo.needs import load_population, load_qpv
from cartolangue.interop.errors import ImportFileError

DATA = Path(settings.BASE_DIR) / "data" / "territories"


class Command(BaseCommand):
    help = _(
        "Charge les données du diagnostic territorial : population légale des communes (COG 2026) et contours "
        "des quartiers prioritaires 2024 (data/territories/)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--population", default=str(DATA / "communes_idf_cog2026_decoupage_administratif.json"))
        parser.add_argument("--qpv", default=str(DATA / "qpv2024_idf_simplifie_jondari.json"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load_population(Path(options["population"]))
            qpvs = load_qpv(Path(options["qpv"]))
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "Population : %(updated)d communes mises à jour, %(unchanged)d inchangées, %(absent)d absentes "
                "du fichier."
            )
            % counts
        )
        self.stdout.write(_("%(n)d quartiers prioritaires chargés.") % {"n": qpvs})
