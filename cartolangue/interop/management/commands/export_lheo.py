from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from cartolangue.interop.lheo.writer import write_lheo
from cartolangue.offers.models import Course


class Command(BaseCommand):
    help = _("Exporte les cours au format LHEO 2.3 (valide selon le XSD officiel).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help=_("Fichier XML à écrire."))
        parser.add_argument("--include-demo", action="store_true", help=_("Inclure les cours de démonstration."))

    def handle(self, *args: Any, **options: Any) -> None:
        queryset = Course.objects.all() if options["include_demo"] else Course.objects.real()
        with open(options["out"], "wb") as out:
            count = write_lheo(out, queryset)
        self.stdout.write(_("%(n)d cours écrits dans %(out)s") % {"n": count, "out": options["out"]})
