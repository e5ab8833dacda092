"""The import formats, declared once: each format's reader and name. The `import_*` commands and the scheduled
synchronisation (cartolangue/sources) both import through `import_file`: the same readers, the same writer,
the same report."""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cartolangue.interop.data_inclusion.reader import read_data_inclusion
from cartolangue.interop.lheo.reader import LheoReader
from cartolangue.interop.persist import run_import
from cartolangue.interop.records import CourseRecord, Rejected
from cartolangue.interop.report import ImportReport
from cartolangue.interop.reseau_alpha.reader import read_reseau_alpha
from cartolangue.interop.spreadsheet.reader import spreadsheet_read


@dataclass(frozen=True)
class Format:
    key: str  # the source registry's format code
    name: str  # said in reports
    read: Callable[..., Iterable]  # (path, *, source, **options) → records, Rejected, Filtered, Notice


def _lheo(path: str, *, source: str, formacodes: Any = None, validate: bool = True, **_: Any) -> Iterable:
    return LheoReader(path, source=source, formacodes=formacodes, validate=validate)


def _reseau_alpha(path: str, *, source: str, **_: Any) -> Iterable:
    return read_reseau_alpha(path, source=source)


def _data_inclusion(path: str, *, source: str, structures_path: str | None = None, **_: Any) -> Iterable:
    return read_data_inclusion(path, source=source, structures_path=structures_path)


def _spreadsheet(path: str, *, source: str, sheet: str | None = None, **_: Any) -> Iterable:
    return spreadsheet_read(path, source=source, sheet=sheet)


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("lheo", "LHEO", _lheo),
        Format("reseau-alpha", "Réseau Alpha", _reseau_alpha),
        Format("data-inclusion", "data·inclusion v1", _data_inclusion),
        Format("tableur", "XLSX / CSV", _spreadsheet),
    )
}


@dataclass
class ImportResult:
    report: ImportReport
    # The course ids the file listed, and the ids of the records it gave but that were rejected: still listed (a
    # complete feed that rejects a record has not withdrawn it); a rejected record's courses may carry its id as
    # a prefix (Réseau Alpha: `<formation>-<address>`).
    listed_ids: set[str] = field(default_factory=set)
    rejected_ids: set[str] = field(default_factory=set)


def _noting_ids(items: Iterable, result: ImportResult) -> Iterator:
    for item in items:
        if isinstance(item, CourseRecord):
            result.listed_ids.add(item.source_id)
        elif isinstance(item, Rejected) and item.record_id:
            result.rejected_ids.add(item.record_id)
        yield item


def import_file(
    format_key: str,
    path: str | Path,
    *,
    source: str,
    file_name: str | None = None,
    dry_run: bool = False,
    progress: Any = None,
    authority: Mapping[str, Iterable[str]] | None = None,
    **reader_options: Any,
) -> ImportResult:
    """Read `path` in the format `format_key` and store it, all or nothing (interop/persist.py `run_import`).
    A bad file raises ImportFileError and leaves the database as it was."""
    fmt = FORMATS[format_key]
    report = ImportReport(source=source, file=file_name or Path(path).name, format=fmt.name)
    result = ImportResult(report)
    items = fmt.read(str(path), source=source, **reader_options)
    run_import(_noting_ids(items, result), report, dry_run=dry_run, progress=progress, authority=authority)
    return result
