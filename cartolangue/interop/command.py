"""What every `import_*` command shares: the file argument, --dry-run, --report-json, --source, a progress
bar, the report, and one clear line with a non-zero exit when the file itself is bad. The import itself is
`interop/formats.py` `import_file`, the same code the scheduled synchronisation runs (cartolangue/sources)."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from cartolangue.interop.errors import ImportFileError
from cartolangue.interop.formats import import_file
from cartolangue.sources.registry import source_authority


class ImportCommand(BaseCommand):
    format_key = ""  # a key of interop/formats.py FORMATS, e.g. "lheo"
    default_source = ""  # e.g. "lheo"
    # The system checks load every URLconf, hence the PDF stack of the flyers: 0.7 s and 30 MB an import that
    # uses none of it. `manage.py check` and the server still run them.
    requires_system_checks = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # A command's help may be a lazy translation, read in the language active when it is shown; argparse
        # refills the description with a regular expression, which takes only a real str.
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if parser.description is not None:
            parser.description = str(parser.description)
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("Fichier à importer."))
        parser.add_argument(
            "--source",
            default=self.default_source,
            help=_("Identifiant de la source enregistré avec chaque fiche (défaut : %(default)s)."),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("Lire et contrôler sans rien enregistrer."))
        parser.add_argument("--report-json", metavar="PATH", help=_("Écrire aussi le rapport en JSON."))
        parser.add_argument(
            "--no-match",
            action="store_true",
            help=_("Ne pas rapprocher ensuite les cours vus dans plusieurs sources (commande match_courses)."),
        )

    def reader_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """The format's own options (interop/formats.py), from the command line."""
        return {}

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(_("%(path)s : fichier introuvable.") % {"path": path})
        show = options["verbosity"] > 0
        # The sources' own values back in the records shown for a group (dedup/fusion.py), so that the import (or
        # its dry run) compares the file with what its source said; the groups are fused again afterwards, even
        # when the import fails.
        from cartolangue.dedup.fusion import restore
        from cartolangue.dedup.store import mark_groups, match_courses

        restored = restore()
        matched = None
        try:
            with tqdm(
                desc=os.path.basename(path), unit=_("fiches"), disable=None if show else True, file=self.stderr
            ) as bar:
                report = import_file(
                    self.format_key,
                    path,
                    source=options["source"],
                    dry_run=options["dry_run"],
                    progress=bar,
                    authority=source_authority(),
                    **self.reader_options(options),
                ).report
            if not options["dry_run"] and not options["no_match"]:
                # The same offer from another source is shown once (cartolangue/dedup): match again after a change.
                matched = match_courses()
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if matched is None and restored:
                mark_groups()
        if show:
            for line in report.lines():
                self.stdout.write(line)
        if options["report_json"]:
            report.write_json(options["report_json"])
        if matched is not None and show:
            self.stdout.write(matched.line())
        return None
