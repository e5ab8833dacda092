"""`manage.py backup_db PATH`: a consistent backup of the database while the site runs (SQLite's online
backup API, or pg_dump's custom format on PostgreSQL); see cartolangue/ops/backup.py and the README."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cartolangue.ops.backup import backup_database, table_digests


class Command(BaseCommand):
    help = _("Sauvegarde la base de données dans un fichier (SQLite : copie en ligne ; PostgreSQL : pg_dump -Fc).")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=_("Fichier de sauvegarde à écrire (remplacé s'il existe)."))
        parser.add_argument("--database", default="default", help=_("Alias de la base de données."))

    def handle(self, *args, **options):
        backup_database(options["path"], using=options["database"])
        digests = table_digests(using=options["database"])
        self.stdout.write(
            _("Sauvegarde écrite dans %(path)s : %(tables)d tables, %(rows)d lignes.")
            % {"path": options["path"], "tables": len(digests), "rows": sum(n for n, _d in digests.values())}
        )
