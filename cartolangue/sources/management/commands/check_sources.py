"""`manage.py check_sources`: which source is late or failing (the same reading as `/sante/`). Exit status 1
when one is, for a monitoring probe or cron's mail."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cartolangue.sources.health import OK, sources_health


class Command(BaseCommand):
    help = _("Dit quelles sources sont en retard ou en échec (code de sortie 1 si l'une l'est).")

    def handle(self, *args, **options):
        health = sources_health()
        for h in health:
            last = h.last_success.started_at.strftime("%Y-%m-%d %H:%M") if h.last_success else "–"
            line = _("%(name)s : %(state)s (dernier succès : %(last)s)") % {
                "name": h.source.name,
                "state": h.label,
                "last": last,
            }
            if h.state != OK and h.last_run is not None and h.last_run.error:
                line += f" – {h.last_run.error}"
            self.stdout.write(line if h.state == OK else self.style.WARNING(line))
        bad = [h.source.name for h in health if h.state != OK]
        if bad:
            raise CommandError(_("Sources à surveiller : %(names)s.") % {"names": ", ".join(bad)})
        self.stdout.write(self.style.SUCCESS(_("%(n)d sources à jour.") % {"n": len(health)}))
