"""Courses and structures → data·inclusion v1 files (schema `data-inclusion-schema` 1.0.10): what is exported,
the check of each item with the official models, and the JSON arrays. One item is mapped by mapping.py, where the
decisions are listed.

One service per course, one data·inclusion structure per structure. Every item is checked with the official
pydantic models (`data_inclusion.schema.v1.Service` / `Structure`) before it is written; an item they refuse
is left out and reported with its id and the error locations, and the rest is written.
"""

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from data_inclusion.schema.v1 import (
    Service,
    Structure,
)
from django.db.models import Prefetch, QuerySet
from django.utils import translation
from pydantic import BaseModel, ValidationError

from cartolangue.interop.data_inclusion.mapping import service_item, structure_item
from cartolangue.offers.models import DEMO_SOURCE, Course, Place
from cartolangue.offers.models import Structure as StructureModel

logger = logging.getLogger(__name__)

ITERATOR_CHUNK = 2000


@dataclass
class ExportReport:
    written: int = 0
    rejected: list = field(default_factory=list)  # (id, reason)


# --- querysets -------------------------------------------------------------------------------------------


def structures_for_export(*, include_demo: bool = False) -> QuerySet[StructureModel]:
    places = Place.objects.select_related("commune").defer("commune__geometry").order_by("pk")
    queryset = StructureModel.objects.prefetch_related(Prefetch("places", queryset=places)).order_by("pk")
    return queryset if include_demo else queryset.exclude(source=DEMO_SOURCE)


def courses_for_export(*, include_demo: bool = False) -> QuerySet[Course]:
    queryset = Course.objects.public().for_display().order_by("pk")
    if include_demo:
        return queryset
    return (
        queryset.exclude(source=DEMO_SOURCE).exclude(structure__source=DEMO_SOURCE).exclude(place__source=DEMO_SOURCE)
    )


# --- validation and writing ------------------------------------------------------------------------------


def _errors(exc):
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])} : {e['msg']}" for e in exc.errors())


def validated(
    items: Iterable[dict[str, Any]], model: type[BaseModel], report: ExportReport
) -> Iterator[dict[str, Any]]:
    """Items the official model accepts; the others go to `report.rejected` with their id and errors."""
    for item in items:
        try:
            model.model_validate(item, context={"ignore_warnings": False})
        except ValidationError as exc:
            report.rejected.append((item["id"], _errors(exc)))
            logger.warning("data·inclusion export: %s refused by the schema: %s", item["id"], _errors(exc))
            continue
        report.written += 1
        yield item


def iter_structures(
    *, include_demo: bool = False, site_url: str | None = None, report: ExportReport | None = None
) -> Iterator[dict[str, Any]]:
    report = report if report is not None else ExportReport()
    for structure in structures_for_export(include_demo=include_demo).iterator(chunk_size=ITERATOR_CHUNK):
        with translation.override("fr"):
            item = structure_item(structure, site_url=site_url)
        yield from validated([item], Structure, report)


def iter_services(
    *, include_demo: bool = False, site_url: str | None = None, report: ExportReport | None = None
) -> Iterator[dict[str, Any]]:
    report = report if report is not None else ExportReport()
    for course in courses_for_export(include_demo=include_demo).iterator(chunk_size=ITERATOR_CHUNK):
        with translation.override("fr"):
            item = service_item(course, site_url=site_url)
        yield from validated([item], Service, report)


def iter_json_array(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array written item by item: one item per line, nulls left out, keys in schema order."""
    yield "["
    separator = "\n"
    for item in items:
        yield separator + json.dumps({k: v for k, v in item.items() if v is not None}, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"
