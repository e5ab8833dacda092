"""Generate the demo offer: synthetic, plausible, deterministic for a seed and a reference date.

Every record carries `source="demo"` and the site labels it "données de démonstration". Re-running
replaces the previous demo offer and leaves real records alone.
"""

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from cartolangue.geo.models import Commune
from cartolangue.offers.demo import demo_generate


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("Date invalide « %(value)s » : AAAA-MM-JJ attendu") % {"value": value}) from exc


class Command(BaseCommand):
    help = _("Génère une offre de démonstration (cours, lieux, structures, sessions, examens).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--courses", type=int, default=3000, help=_("Nombre de cours (défaut : 3000)."))
        parser.add_argument("--seed", type=int, default=1, help=_("Graine du générateur (défaut : 1)."))
        parser.add_argument(
            "--date", help=_("Date de référence AAAA-MM-JJ (défaut : aujourd'hui) ; les dates en découlent.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["courses"] < 0 or options["courses"] > 2_000_000:
            raise CommandError(_("--courses doit être compris entre 0 et 2 000 000"))
        if not Commune.objects.exists():
            raise CommandError(_("Aucune commune chargée : lancez d'abord « manage.py load_territories »."))
        reference = _date(options["date"]) if options["date"] else timezone.localdate()
        start = time.perf_counter()
        summary = demo_generate(
            courses=options["courses"], seed=options["seed"], reference_date=reference, progress=self.stdout.write
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Démonstration : %(courses)d cours, %(places)d lieux, %(structures)d structures, "
                    "%(sessions)d sessions, %(exams)d sessions d'examen en %(s).1f s."
                )
                % {
                    "courses": summary.courses,
                    "places": summary.places,
                    "structures": summary.structures,
                    "sessions": summary.sessions,
                    "exams": summary.exam_sessions,
                    "s": time.perf_counter() - start,
                }
            )
        )
