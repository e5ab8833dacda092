"""Published exports: the LHEO, data·inclusion and open-data files (and the zip) written ahead of time by
`manage.py publish_exports`, then served as they are by the API and the "Données" page, never built on a
request (docs/adr/0014-published-exports.md).

The files go through Django's storage API, storage alias "exports" (`STORAGES`, a folder by default; object
storage can be configured instead). A publication is atomic without any rename, which object storage lacks:
1. every file is written under a new generation prefix, `<edition>/<generation>/…`, that nobody reads yet, each
   text file with its gzip beside it (`….gz`, for nginx's gzip_static);
2. then the manifest (date, counts, sizes, SHA-256, licence) is written as `<edition>/manifests/<generation>.json`;
3. readers take the newest manifest that parses: a manifest still being written is not valid JSON and is
   skipped, and a valid one only names files written before it.
Older generations are deleted afterwards, all but the previous one (a download may still be reading it),
manifest first so that nobody picks a generation while its files go.

Two editions: "public" (without the demo data, the default) and "demonstration" (with it, `?demonstration=true`),
the latter only when there is demo data; otherwise it would be the same files, and the public edition answers.
"""

import datetime
import gzip
import hashlib
import json
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone

from cartolangue.interop.data_inclusion.actors import iter_actor_services, iter_actor_structures
from cartolangue.interop.data_inclusion.writer import ExportReport, iter_json_array, iter_services, iter_structures
from cartolangue.interop.lheo.writer import write_lheo
from cartolangue.interop.opendata import writer as opendata
from cartolangue.interop.opendata.dictionary import KINDS, TABLES
from cartolangue.offers.models import DEMO_SOURCE, Course, ExamSession, Place, Structure

STORAGE_ALIAS = "exports"
PUBLIC, DEMONSTRATION = "public", "demonstration"
MANIFEST_FORMAT = 1
LICENCE = {"name": "Licence Ouverte / Open Licence version 2.0 (Etalab)", "url": opendata.LICENCE_URL}
KEEP_GENERATIONS = 2  # the new one and the previous one, which a slow download may still be reading
ZIP_NAME = "opendata.zip"
MEDIA_TYPES = {
    "xml": "application/xml",
    "json": "application/json",
    "csv": opendata.MEDIA_TYPES["csv"],
    "geojson": opendata.MEDIA_TYPES["geojson"],
    "md": opendata.MEDIA_TYPES["md"],
    "zip": opendata.MEDIA_TYPES["zip"],
}
OPENDATA_FILES = [
    *[f"{name}.{extension}" for name in TABLES for extension in ("csv", "geojson")],
    opendata.DICTIONARY_FILE,
    opendata.README_FILE,
]
# Every published file, by its name in the manifest (which is also its path under the generation).
FILES = [
    "lheo.xml",
    "data-inclusion/structures.json",
    "data-inclusion/services.json",
    "data-inclusion/acteurs/structures.json",
    "data-inclusion/acteurs/services.json",
    *[f"opendata/{name}" for name in OPENDATA_FILES],
    ZIP_NAME,
]

# The data·inclusion files under "data-inclusion/", without ".json": the courses' pair, then the actors' pair.
DATA_INCLUSION_FILES = {
    "structures": iter_structures,
    "services": iter_services,
    "acteurs/structures": iter_actor_structures,
    "acteurs/services": iter_actor_services,
}


@dataclass(frozen=True)
class Published:
    """One published file: where it is in the storage and what the manifest says of it."""

    path: str
    size: int
    sha256: str
    media_type: str
    published_at: datetime.datetime

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:40]}"'


def exports_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def has_demo_data() -> bool:
    return any(model.objects.filter(source=DEMO_SOURCE).exists() for model in (Structure, Place, Course, ExamSession))


# --- writing -----------------------------------------------------------------------------------------------


def exports_publish(
    *, site_url: str | None = None, storage: Storage | None = None, sources: list[dict] | None = None
) -> dict[str, dict]:
    """Write every export of each edition into the storage, then its manifest; return the manifests. `sources`:
    the registry's sources as the manifest names them (cartolangue/sources/registry.py `sources_summary`)."""
    storage = storage or exports_storage()
    editions = [PUBLIC, DEMONSTRATION] if has_demo_data() else [PUBLIC]
    manifests = {}
    for edition in editions:
        manifests[edition] = _publish_edition(storage, edition, site_url=site_url, sources=sources or [])
        _forget_old_generations(storage, edition, keep=KEEP_GENERATIONS)
    if DEMONSTRATION not in editions:  # no demo data any more: its edition would be stale
        _forget_old_generations(storage, DEMONSTRATION, keep=0)
    return manifests


def _new_generation() -> str:
    """Sortable by time, unique even for two publications in the same microsecond."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def _publish_edition(storage, edition, *, site_url, sources):
    include_demo = edition == DEMONSTRATION
    generation = _new_generation()
    with tempfile.TemporaryDirectory(prefix="carto-langue-exports-") as tmp:
        local = Path(tmp)
        counts = _write_files(local, include_demo=include_demo, site_url=site_url)
        files = {}
        for name in FILES:
            path = f"{edition}/{generation}/{name}"
            files[name] = {**_describe(local / name, name), "path": path}
            _save(storage, path, local / name)
            if not name.endswith(".zip"):
                # Beside each text file, its gzip: nginx sends it as it is to a client that accepts gzip
                # (gzip_static, deploy/nginx/), instead of compressing hundreds of MB on every download.
                compressed = _gzip(local / name)
                _save(storage, path + ".gz", compressed)
                files[name]["gzip"] = {"path": path + ".gz", "size": compressed.stat().st_size}
    manifest = {
        "format": MANIFEST_FORMAT,
        "edition": edition,
        "generation": generation,
        "published_at": timezone.now().isoformat(timespec="seconds"),
        "latest_update": _iso(opendata.latest_update(include_demo)),
        "demonstration": include_demo,
        "demo_courses_left_out": 0 if include_demo else Course.objects.demo().count(),
        "licence": LICENCE,
        "counts": counts,
        "files": files,
        "sources": sources,
    }
    # Last, and in one piece: from now on readers take this generation.
    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    storage.save(f"{edition}/manifests/{generation}.json", ContentFile(data))
    return manifest


def _write_files(local, *, include_demo, site_url):
    """Every file of an edition into the local folder `local`, through the export writers; the counts."""
    counts = {}
    with open(local / "lheo.xml", "wb") as out:
        counts["lheo"] = {"courses": write_lheo(out, Course.objects.all() if include_demo else Course.objects.real())}
    (local / "data-inclusion" / "acteurs").mkdir(parents=True)
    counts["data-inclusion"] = {}
    for name, items in DATA_INCLUSION_FILES.items():
        report = ExportReport()
        with open(local / "data-inclusion" / f"{name}.json", "w", encoding="utf-8") as out:
            out.writelines(iter_json_array(items(include_demo=include_demo, site_url=site_url, report=report)))
        counts["data-inclusion"][name] = report.written
        counts["data-inclusion"][f"{name}_rejected"] = len(report.rejected)
    counts["opendata"] = opendata.write_opendata(local / "opendata", include_demo=include_demo)
    # The zip holds the files just written: the same bytes, without reading the database again.
    with zipfile.ZipFile(local / ZIP_NAME, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in OPENDATA_FILES:
            archive.write(local / "opendata" / name, arcname=name)
    return counts


def _save(storage, path, local):
    with open(local, "rb") as content:
        saved = storage.save(path, File(content))
    if saved != path:  # a storage that renamed it: the manifest would point at another file
        raise RuntimeError(f"{path}: the storage saved it as {saved}")


def _gzip(local: Path) -> Path:
    """`local`.gz, level 6, without a file name or date in its header (the same bytes for the same file)."""
    target = local.with_name(local.name + ".gz")
    with open(local, "rb") as source, open(target, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)
    return target


def _describe(path, name):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return {
        "size": path.stat().st_size,
        "sha256": digest.hexdigest(),
        "media_type": MEDIA_TYPES[name.rpartition(".")[2]],
    }


def _iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _manifest_names(storage, edition):
    try:
        _dirs, names = storage.listdir(f"{edition}/manifests")
    except FileNotFoundError:
        return []
    return sorted((n for n in names if n.endswith(".json")), reverse=True)


def _forget_old_generations(storage, edition, *, keep):
    for name in _manifest_names(storage, edition)[keep:]:
        manifest = _load(storage, edition, name)
        storage.delete(f"{edition}/manifests/{name}")  # first: nobody picks this generation any more
        for entry in (manifest or {}).get("files", {}).values():
            storage.delete(entry["path"])
            if "gzip" in entry:
                storage.delete(entry["gzip"]["path"])


# --- reading -----------------------------------------------------------------------------------------------

# (storage location, edition, manifest name) → manifest: a complete manifest never changes
_loaded: dict[tuple[object, str, str], dict] = {}


def _load(storage, edition, name):
    key = (getattr(storage, "location", id(storage)), edition, name)
    if key not in _loaded:
        try:
            with storage.open(f"{edition}/manifests/{name}", "rb") as f:
                manifest = json.loads(f.read())
        except (FileNotFoundError, ValueError):  # deleted meanwhile, or still being written
            return None
        if len(_loaded) > 100:
            _loaded.clear()
        _loaded[key] = manifest
    return _loaded[key]


def published_manifest(*, demonstration: bool = False) -> dict | None:
    """The manifest of the last publication of the edition asked for, or None when nothing was published.
    Without a demonstration edition (no demo data when it was published), the public one answers."""
    storage = exports_storage()
    editions = [DEMONSTRATION, PUBLIC] if demonstration else [PUBLIC]
    for edition in editions:
        for name in _manifest_names(storage, edition):
            manifest = _load(storage, edition, name)
            if manifest and manifest.get("format") == MANIFEST_FORMAT:
                return manifest
    return None


def published_file(name: str, *, demonstration: bool = False) -> Published | None:
    manifest = published_manifest(demonstration=demonstration)
    if not manifest:
        return None
    entry = manifest["files"].get(name)
    if not entry:
        return None
    return Published(
        path=entry["path"],
        size=entry["size"],
        sha256=entry["sha256"],
        media_type=entry["media_type"],
        published_at=datetime.datetime.fromisoformat(manifest["published_at"]),
    )


def published_overview() -> dict:
    """What the "Données" page shows: the tables with their published row counts and columns, when the files
    were published and what they hold; the counts are those of the manifest, not queries of the day."""
    manifest = published_manifest()
    counts = manifest["counts"]["opendata"] if manifest else {}
    return {
        "manifest": manifest,
        "published_at": datetime.datetime.fromisoformat(manifest["published_at"]) if manifest else None,
        "latest_update": datetime.datetime.fromisoformat(manifest["latest_update"])
        if manifest and manifest["latest_update"]
        else None,
        "demo_courses": manifest["demo_courses_left_out"] if manifest else 0,
        "sources": manifest.get("sources", []) if manifest else [],
        "tables": [
            {
                "table": table,
                "rows": counts.get(table.name),
                "columns": [(c.name, KINDS[c.kind], c.description, opendata.column_values(c)) for c in table.columns],
            }
            for table in TABLES.values()
        ],
    }
