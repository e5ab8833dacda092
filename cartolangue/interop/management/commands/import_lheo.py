from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from cartolangue.interop.command import ImportCommand
from cartolangue.interop.lheo import conventions


class Command(ImportCommand):
    help = _(
        "Importe un fichier LHEO 2.2 ou 2.3 (Carif-Oref, DOKELIO) : seules les formations linguistiques "
        "(par Formacode) sont gardées."
    )
    format_key = "lheo"
    default_source = "lheo"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--formacodes",
            metavar="CSV",
            help=_("Liste des Formacodes à garder (CSV avec une colonne formacode_v14) ; défaut : %(default)s.")
            % {"default": conventions.LANGUAGE_FORMACODES_CSV.name},
        )
        parser.add_argument(
            "--no-validate", action="store_true", help=_("Ne pas contrôler chaque formation avec le XSD LHEO.")
        )

    def reader_options(self, options: dict[str, Any]) -> dict[str, Any]:
        formacodes = None
        if options["formacodes"]:
            try:
                formacodes = conventions.language_formacodes(options["formacodes"])
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(
                    _("%(path)s : liste de Formacodes illisible (colonne formacode_v14 attendue)")
                    % {"path": options["formacodes"]}
                ) from exc
        return {"formacodes": formacodes, "validate": not options["no_validate"]}
