"""`manage.py import_data_inclusion FILE [--structures FILE]`: services of the data·inclusion v1 schema
(data-inclusion-schema), as a JSON list or the API's paginated envelope; only French-learning services are kept.
The decisions (missing structures, publics, fees) are in cartolangue/interop/data_inclusion/reader.py."""

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext_lazy as _

from cartolangue.interop.command import ImportCommand


class Command(ImportCommand):
    # A lazy string, as Django allows (argparse formats it when shown); django-stubs types `help` as str.
    help = _(  # type: ignore[assignment]
        "Importe des services data·inclusion v1 (liste JSON ou enveloppe paginée de l'API) : "
        "seuls les services d'apprentissage du français sont retenus."
    )
    format_key = "data-inclusion"
    default_source = "data-inclusion"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--structures",
            metavar="FILE",
            # A lazy string, as argparse allows (it formats help with %); the stubs type `help` as str.
            help=_(  # type: ignore[arg-type]
                "Fichier des structures data·inclusion (liste JSON ou enveloppe paginée) "
                "auxquelles se rattachent les services."
            ),
        )

    def reader_options(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"structures_path": options.get("structures")}
