"""`manage.py restore_db PATH`: replace the database's content by a backup of `backup_db`, all or nothing
(SQLite's backup API under the write lock, or pg_restore in a single transaction); see the README."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cartolangue.ops.backup import restore_database, table_digests


class Command(BaseCommand):
    help = _("Remplace le contenu de la base de données par une sauvegarde de backup_db (tout ou rien).")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=_("Fichier de sauvegarde à restaurer."))
        parser.add_argument("--database", default="default", help=_("Alias de la base de données."))
        parser.add_argument(
            "--noinput",
            "--no-input",
            dest="interactive",
            action="store_false",
            help=_("Ne pas demander confirmation."),
        )

    def handle(self, *args, **options):
        if options["interactive"]:
            answer = input(_("Toutes les données actuelles seront remplacées. Taper « oui » pour continuer : "))
            if answer.strip().lower() != _("oui"):
                raise CommandError(_("Restauration annulée."))
        restore_database(options["path"], using=options["database"])
        digests = table_digests(using=options["database"])
        self.stdout.write(
            _("Base restaurée depuis %(path)s : %(tables)d tables, %(rows)d lignes.")
            % {"path": options["path"], "tables": len(digests), "rows": sum(n for n, _d in digests.values())}
        )
