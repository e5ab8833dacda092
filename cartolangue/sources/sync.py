"""`sync_sources`: each due source is fetched, skipped when unchanged, imported all or nothing with the same
code as the `import_*` commands, and recorded as a run; a failing source is reported and the others go on.
After a sync that changed the offer, the exports are published again."""

import datetime
import logging
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartolangue.interop.errors import ImportFileError
from cartolangue.interop.formats import import_file
from cartolangue.interop.publication import exports_publish
from cartolangue.sources.fetch import FetchError, fetched
from cartolangue.sources.models import Source, SyncRun
from cartolangue.sources.registry import source_authority, sources_summary
from cartolangue.sources.withdrawals import count_absences

logger = logging.getLogger(__name__)


def is_due(source: Source, now: datetime.datetime) -> bool:
    """Enabled, and its last run started at least `every_hours` ago (or it never ran)."""
    last = source.runs.order_by("-started_at").values_list("started_at", flat=True).first()
    return source.enabled and (last is None or now - last >= datetime.timedelta(hours=source.every_hours))


def sources_to_sync(names: Iterable[str] = (), *, now: datetime.datetime | None = None) -> list[Source]:
    """The sources named (due or not, enabled or not: asked for by name), else every due one."""
    names = list(names)
    if names:
        found = {s.name: s for s in Source.objects.filter(name__in=names)}
        unknown = [n for n in names if n not in found]
        if unknown:
            raise Source.DoesNotExist(_("Source inconnue : %(names)s.") % {"names": ", ".join(unknown)})
        return [found[n] for n in names]
    now = now or timezone.now()
    return [s for s in Source.objects.filter(enabled=True) if is_due(s, now)]


def sync_source(source: Source, *, force: bool = False) -> SyncRun:
    """One run of one source. `force`: download without a conditional request and import even an unchanged file.
    Never raises for the source's own faults: they are the run's outcome and error."""
    run = SyncRun.objects.create(source=source, started_at=timezone.now())
    try:
        _run(source, run, force=force)
    except (FetchError, ImportFileError) as exc:
        run.outcome = SyncRun.Outcome.FAILED
        run.error = str(exc)
        run.http_status = getattr(exc, "http_status", None) or run.http_status
    except Exception as exc:  # a fault of ours (a bug, the database): reported, and the other sources go on
        logger.exception("sync of source %s failed", source.name)
        run.outcome = SyncRun.Outcome.FAILED
        run.error = f"{type(exc).__name__}: {exc}"
    run.finished_at = timezone.now()
    run.save()
    return run


def _run(source: Source, run: SyncRun, *, force: bool) -> None:
    with ExitStack() as stack:
        # With a second file (data·inclusion's structures), no conditional request: the services may be unchanged
        # while the structures changed; the digest of both decides.
        conditional = not force and not source.structures_location
        main = stack.enter_context(
            fetched(
                source.location,
                name="fichier",
                etag=source.etag if conditional else "",
                last_modified=source.last_modified if conditional else "",
                headers_from_env=source.headers_from_env,
            )
        )
        run.http_status = main.http_status
        if main.not_modified:
            run.outcome = SyncRun.Outcome.NOT_MODIFIED
            return
        options, digest, size = {}, main.sha256, main.bytes_read
        if source.structures_location:
            structures = stack.enter_context(
                fetched(source.structures_location, name="structures", headers_from_env=source.headers_from_env)
            )
            options["structures_path"] = str(structures.path)
            digest, size = f"{main.sha256[:32]}{structures.sha256[:32]}", size + structures.bytes_read
        run.bytes_read, run.file_hash = size, digest
        if digest == source.file_hash and not force:
            run.outcome = SyncRun.Outcome.SAME_FILE
        else:
            with transaction.atomic(), _located(main.path, source.location):
                # The import and the count of absences land together or not at all; one sync of a source at a time
                # (the row lock holds a second `sync_sources` of the same source until this one ends).
                Source.objects.select_for_update().filter(pk=source.pk).exists()
                result = import_file(
                    source.format,
                    main.path,
                    source=source.name,
                    file_name=source.location.rsplit("/", 1)[-1][:250],
                    authority=source_authority(),
                    **options,
                )
                run.report = result.report.as_dict()
                if source.complete:
                    counted = count_absences(source, run, result.listed_ids, result.rejected_ids)
                    run.withdrawn, run.restored = counted.withdrawn, counted.restored
                    run.report["absent_not_yet_withdrawn"] = counted.missing
                    if counted.not_counted:
                        run.report["absences_not_counted"] = counted.not_counted
            run.outcome = SyncRun.Outcome.IMPORTED
        source.etag, source.last_modified, source.file_hash = main.etag, main.last_modified, digest
        source.save(update_fields=["etag", "last_modified", "file_hash"])


@contextmanager
def _located(path, location: str) -> Iterator[None]:
    """A bad file's error names the source's location, not the temporary copy."""
    try:
        yield
    except ImportFileError as exc:
        raise ImportFileError(str(exc).replace(str(path), location)) from exc


def publish_after(runs: list[SyncRun]) -> dict | None:
    """Publish the exports again when a run changed the offer; the manifests, or None when nothing changed."""
    if not any(r.outcome == SyncRun.Outcome.IMPORTED for r in runs):
        return None
    return exports_publish(sources=sources_summary())
