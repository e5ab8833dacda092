"""Reading the source registry: which fields each source owns, what the "Données" pages say of each source, and
loading a declarative file of sources (TOML) into the registry."""

import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.utils import DatabaseError

from cartolangue.sources.models import Source, SyncRun

# The keys a source takes in a registry file; `name` is the key of its table.
FILE_KEYS = {
    "label",
    "format",
    "location",
    "structures_location",
    "headers_from_env",
    "every_hours",
    "complete",
    "owned_fields",
    "licence",
    "licence_url",
    "attribution",
    "enabled",
}


def source_authority() -> dict[str, frozenset[str]]:
    """Source name → the structure fields it owns (interop/persist.py), for the enabled sources. Empty before the
    registry's tables exist (an import run before `migrate`)."""
    try:
        return {
            name: frozenset(fields)
            for name, fields in Source.objects.filter(enabled=True)
            .exclude(owned_fields=[])
            .values_list("name", "owned_fields")
        }
    except DatabaseError:
        return {}


def last_success(source: Source) -> SyncRun | None:
    return source.runs.filter(outcome__in=SyncRun.SUCCESSES).order_by("-started_at", "-pk").first()


def last_import(source: Source) -> SyncRun | None:
    """The last run that read a new version of the feed: what the source last brought."""
    return source.runs.filter(outcome=SyncRun.Outcome.IMPORTED).order_by("-started_at", "-pk").first()


def sources_summary() -> list[dict[str, Any]]:
    """Each enabled source as the export manifest records it: name, label, licence, attribution, last success."""
    summary = []
    for source in Source.objects.filter(enabled=True):
        run = last_success(source)
        summary.append(
            {
                "name": source.name,
                "label": source.label,
                "format": source.format,
                "licence": source.licence,
                "licence_url": source.licence_url,
                "attribution": source.attribution,
                "last_success": run.started_at.isoformat(timespec="seconds") if run else None,
            }
        )
    return summary


class RegistryFileError(ValueError):
    """A registry file that cannot be loaded: says which source and which key."""


def load_registry_file(path: Path, *, base: Path | None = None) -> list[tuple[Source, bool]]:
    """Create or update the sources a TOML file declares (one table per source, `[sources.<name>]`), all or
    nothing. A relative `location` is read from `base` (default: the file's folder). Returns (source, created)."""
    try:
        with open(path, "rb") as handle:
            declared = tomllib.load(handle).get("sources", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryFileError(f"{path}: {exc}") from exc
    base = base or path.parent
    loaded = []
    with transaction.atomic():
        for name, values in declared.items():
            unknown = sorted(set(values) - FILE_KEYS)
            if unknown:
                raise RegistryFileError(f"{path}: [sources.{name}] : clés inconnues : {', '.join(unknown)}")
            values = dict(values)
            for key in ("location", "structures_location"):
                if values.get(key) and "://" not in values[key] and not Path(values[key]).is_absolute():
                    values[key] = str((base / values[key]).resolve())
            source = Source.objects.filter(name=name).first() or Source(name=name)
            created = source.pk is None
            for key, value in values.items():
                setattr(source, key, value)
            try:
                source.full_clean(exclude=["etag", "last_modified", "file_hash"])
            except ValidationError as exc:
                located = "; ".join(f"{k} : {' '.join(v)}" for k, v in exc.message_dict.items())
                raise RegistryFileError(f"{path}: [sources.{name}] {located}") from exc
            source.save()
            loaded.append((source, created))
    return loaded
