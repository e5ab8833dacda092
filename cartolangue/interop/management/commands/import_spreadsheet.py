"""Import a filled Carto-Langue spreadsheet: the template (.xlsx) of an association (structures, places, courses,
weekly time slots, sessions) or of a certification centre (exam sessions), or a CSV of one entity
(cartolangue/interop/spreadsheet/reader.py)."""

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from cartolangue.interop.command import ImportCommand
from cartolangue.interop.spreadsheet.workbook import CSV_SHEETS


class Command(ImportCommand):
    help = _(
        "Importe un tableur rempli d'après le modèle (.xlsx), ou un CSV d'une seule sorte de lignes : des cours "
        "(une ligne par cours, avec sa structure et son lieu) ou des sessions d'examen."
    )
    format_key = "tableur"
    default_source = "tableur"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--sheet",
            choices=sorted(CSV_SHEETS),
            help=_("Pour un CSV : ce qu'il contient, quand ses en-têtes ne suffisent pas à le dire."),
        )

    def reader_options(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"sheet": options.get("sheet")}
