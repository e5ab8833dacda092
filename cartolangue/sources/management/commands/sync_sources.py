"""`manage.py sync_sources [NAME…]`: fetch and import each due source of the registry (or those named), record
each run, then publish the exports again when the offer changed. Exit status 1 when a source failed.
Meant for cron or a systemd timer (README, "Synchronisation des sources")."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cartolangue.dedup.fusion import restore
from cartolangue.dedup.store import mark_groups, match_courses
from cartolangue.sources.models import Source, SyncRun
from cartolangue.sources.sync import publish_after, sources_to_sync, sync_source


class Command(BaseCommand):
    help = _(
        "Synchronise les sources dues du registre (ou celles nommées) : téléchargement conditionnel, import tout "
        "ou rien, rapport de chaque passage, puis nouvelle publication des exports si l'offre a changé."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME", help=_("Sources à synchroniser, même non dues."))
        parser.add_argument(
            "--force", action="store_true", help=_("Télécharger sans requête conditionnelle et réimporter.")
        )
        parser.add_argument("--no-publish", action="store_true", help=_("Ne pas republier les exports."))

    def handle(self, *args, **options):
        try:
            sources = sources_to_sync(options["names"])
        except Source.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc
        if not sources:
            self.stdout.write(_("Aucune source n'est due."))
            return
        # The sources' own values back in the records shown for a group (dedup/fusion.py); fused again below.
        restored = restore()
        runs: list[SyncRun] = []
        matched = False
        try:
            for source in sources:
                run = sync_source(source, force=options["force"])
                runs.append(run)
                self.stdout.write(self._line(run))
            if any(r.outcome == SyncRun.Outcome.IMPORTED for r in runs):
                self.stdout.write(match_courses().line())  # before publishing: the exports show each offer once
                matched = True
        finally:
            if restored and not matched:
                mark_groups()  # nothing imported (or a failure): the same groups, their fields fused again
        if not options["no_publish"] and publish_after(runs):
            self.stdout.write(_("Exports publiés à nouveau."))
        failed = [r.source.name for r in runs if r.outcome == SyncRun.Outcome.FAILED]
        if failed:
            raise CommandError(_("Échec de synchronisation : %(names)s.") % {"names": ", ".join(failed)})

    def _line(self, run: SyncRun) -> str:
        head = f"{run.source.name} : {run.get_outcome_display()}"
        if run.outcome == SyncRun.Outcome.FAILED:
            return self.style.ERROR(f"{head} – {run.error}")
        if run.outcome != SyncRun.Outcome.IMPORTED:
            return head
        r = run.report
        outside = len(r.get("outside_territory", []))
        if outside:  # expected: national files hold other regions
            head += " – " + _("%(n)d hors Île-de-France écartés (attendu)") % {"n": outside}
        counts = _(
            "%(created)d créés, %(updated)d modifiés, %(unchanged)d inchangés, %(rejected)d rejetés, "
            "%(withdrawn)d retirés, %(restored)d revenus"
        ) % {
            "created": r.get("created", 0),
            "updated": r.get("updated", 0),
            "unchanged": r.get("unchanged", 0),
            "rejected": r.get("rejected", 0),
            "withdrawn": run.withdrawn,
            "restored": run.restored,
        }
        return f"{head} – {counts}"
