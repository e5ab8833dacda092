"""Which source is late or failing, for `check_sources` and the `/sante/` endpoint. No location, header or error
text leaves here for the endpoint: a URL may carry a token, an error may quote a server."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartolangue.sources.models import Source, SyncRun

OK, LATE, FAILING, NEVER = "ok", "en-retard", "en-echec", "jamais-synchronisee"
STATE_LABELS = {
    OK: _("à jour"),
    LATE: _("en retard"),
    FAILING: _("en échec"),
    NEVER: _("jamais synchronisée"),
}
# A source is late when its last success is older than this many of its periods: one missed run is tolerated.
LATE_AFTER_PERIODS = 2


@dataclass
class SourceHealth:
    source: Source
    state: str
    last_run: SyncRun | None
    last_success: SyncRun | None

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    def public(self) -> dict:
        def at(run):
            return run.started_at.isoformat(timespec="seconds") if run else None

        return {
            "name": self.source.name,
            "format": self.source.format,
            "state": self.state,
            "every_hours": self.source.every_hours,
            "last_run_at": at(self.last_run),
            "last_outcome": self.last_run.outcome if self.last_run else None,
            "last_success_at": at(self.last_success),
        }


def source_health(source: Source, now: datetime.datetime | None = None) -> SourceHealth:
    now = now or timezone.now()
    runs = source.runs.exclude(outcome=SyncRun.Outcome.RUNNING).order_by("-started_at", "-pk")
    last_run = runs.first()
    last_success = runs.filter(outcome__in=SyncRun.SUCCESSES).first()
    if last_run is None:
        state = NEVER
    elif last_run.outcome == SyncRun.Outcome.FAILED:
        state = FAILING
    elif now - last_success.started_at > datetime.timedelta(hours=source.every_hours * LATE_AFTER_PERIODS):
        state = LATE
    else:
        state = OK
    return SourceHealth(source, state, last_run, last_success)


def sources_health(now: datetime.datetime | None = None) -> list[SourceHealth]:
    """Every enabled source's health, by name."""
    return [source_health(s, now) for s in Source.objects.filter(enabled=True)]
