"""Load a zoning from a commune → zone table (CSV), with optional zone polygons (GeoJSON, WGS84).

Works for any zoning: INSEE zones d'emploi, the Région Île-de-France's 25 bassins d'emploi (data.gouv.fr,
"Bassins d'emploi Île-de-France 2021"), France Travail's BMO bassins… Communes created since the table was
made are placed by the polygons; former codes are followed to their current commune.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cartolangue.geo.loading import TerritoryLoadError, read_zone_polygons, read_zoning_table, zoning_load


class Command(BaseCommand):
    help = _("Charge un zonage (commune → zone) depuis un CSV, avec des contours GeoJSON facultatifs.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help=_("Nom affiché du zonage, p. ex. « Bassins d'emploi Région IDF 2021 »."))
        parser.add_argument("csv", help=_("Table de composition communale (CSV)."))
        parser.add_argument("geojson", nargs="?", help=_("Contours des zones (GeoJSON, WGS84)."))
        parser.add_argument("--slug", help=_("Identifiant du zonage (par défaut tiré du nom)."))
        parser.add_argument("--source", default="", help=_("Source et licence, affichées avec le zonage."))
        parser.add_argument("--commune-column", help=_("Colonne du code INSEE de la commune."))
        parser.add_argument("--zone-column", help=_("Colonne du code de la zone."))
        parser.add_argument("--label-column", help=_("Colonne du libellé de la zone."))
        parser.add_argument(
            "--skip-unknown",
            action="store_true",
            help=_("Laisser de côté, en les listant, les codes commune inconnus (table d'un autre millésime du COG)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            table = read_zoning_table(
                options["csv"],
                commune_column=options["commune_column"],
                zone_column=options["zone_column"],
                label_column=options["label_column"],
            )
            polygons = read_zone_polygons(options["geojson"], set(table.zones)) if options["geojson"] else None
            report = zoning_load(
                name=options["name"],
                slug=options["slug"] or slugify(options["name"]),
                source=options["source"],
                table=table,
                polygons=polygons,
                skip_unknown=options["skip_unknown"],
            )
        except TerritoryLoadError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(_("Zonage « %(name)s » chargé.") % {"name": options["name"]}))
