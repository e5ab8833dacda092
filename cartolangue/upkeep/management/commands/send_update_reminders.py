"""Cron or systemd timer, e.g. every Monday: remind the structures whose courses are "à vérifier"."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cartolangue.upkeep.reminders import send_reminders


class Command(BaseCommand):
    help = _("Envoie aux structures dont des cours sont « à vérifier » un rappel avec un lien « toujours à jour ».")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url", default=settings.SITE_URL, help=_("Adresse publique du site, pour les liens (SITE_URL).")
        )

    def handle(self, *args, **options):
        site = options["site_url"] or "http://127.0.0.1:8000"
        run = send_reminders(site)
        self.stdout.write(
            _(
                "%(sent)d rappel(s) envoyé(s), %(recent)d structure(s) déjà rappelée(s) depuis moins de "
                "%(days)d jours, "
                "%(alone)d structure(s) sans membre signalée(s) aux coordinateurs."
            )
            % {
                "sent": len(run.sent),
                "recent": len(run.skipped_recent),
                "days": settings.REMINDER_PERIOD_DAYS,
                "alone": len(run.without_member),
            }
        )
        for reminder in run.sent:
            self.stdout.write(
                _("  %(structure)s : %(n)d cours, %(people)d destinataire(s)")
                % {"structure": reminder.structure.name, "n": len(reminder.course_ids), "people": reminder.recipients}
            )
