"""`manage.py restore_withdrawn COURSE_ID…`: put back courses a complete feed withdrew (also an admin action)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cartolangue.sources.models import Withdrawal
from cartolangue.sources.withdrawals import restore


class Command(BaseCommand):
    help = _("Rétablit des cours retirés parce que leur source ne les listait plus.")

    def add_arguments(self, parser):
        parser.add_argument("course_ids", nargs="+", type=int, metavar="COURSE_ID")

    def handle(self, *args, **options):
        open_ones = {
            w.course_id: w
            for w in Withdrawal.objects.filter(restored_at__isnull=True, course_id__in=options["course_ids"])
        }
        missing = [i for i in options["course_ids"] if i not in open_ones]
        if missing:
            raise CommandError(_("Aucun retrait en cours pour : %(ids)s.") % {"ids": ", ".join(map(str, missing))})
        for course_id in options["course_ids"]:
            restore(open_ones[course_id])
            self.stdout.write(_("rétabli : cours %(id)d") % {"id": course_id})
