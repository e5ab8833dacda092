"""Reading the offer's columns for the search index (search/index.py): a `values_list` straight from the cursor,
and the decoding of its dates, times and timestamps into numpy-friendly integers."""

import datetime
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

NO_DATE = np.iinfo(np.int32).max
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def read_columns(values_list: QuerySet) -> list[Sequence[Any]]:
    """The columns of a `values_list` queryset, read with the database cursor: Django's per-row conversions
    cost more than the query at 100,000 rows. Booleans come as 0/1 on SQLite, dates and times as ISO text:
    the callers read both."""
    compiler = values_list.query.get_compiler(values_list.db)
    sql, params = compiler.as_sql()
    with connections[values_list.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    width = len(compiler.select)
    return list(zip(*rows, strict=True)) if rows else [()] * width


def day_number(date: datetime.date | str) -> int:
    """A date (or its ISO text) → days since 1970-01-01."""
    return int(np.datetime64(date, "D").astype(np.int64))


def days_of(values: Sequence[Any]) -> np.ndarray:
    """Dates (date objects or ISO text) → day numbers, NO_DATE for none."""
    distinct = {v: NO_DATE if v is None else day_number(v) for v in set(values)}  # a few hundred dates
    return np.fromiter((distinct[v] for v in values), dtype=np.int32, count=len(values))


def minutes_of(value: Any) -> int:
    """A stored time (time object, or "HH:MM[:SS]" text on SQLite) → minutes after midnight."""
    if isinstance(value, str):
        hours, minutes = value.split(":")[:2]
        return int(hours) * 60 + int(minutes)
    return value.hour * 60 + value.minute


def microseconds_of(value: Any) -> int:
    """A stored timestamp (datetime, or ISO text on SQLite, UTC) → microseconds since 1970, exactly."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return (value - EPOCH) // datetime.timedelta(microseconds=1)


def _offset_seconds(moment: datetime.datetime) -> float:
    offset = moment.utcoffset()
    assert offset is not None  # an aware datetime has an offset
    return offset.total_seconds()


def local_days(microseconds: np.ndarray) -> np.ndarray:
    """UTC timestamps (µs since 1970) → day numbers of their date in the site's time zone. The zone's offset is
    looked up once per distinct hour (it changes only on the hour)."""
    seconds = microseconds // 1_000_000
    hours, inverse = np.unique(seconds // 3600, return_inverse=True)
    zone = timezone.get_default_timezone()
    offsets = np.fromiter(
        (_offset_seconds(datetime.datetime.fromtimestamp(int(h) * 3600, tz=zone)) for h in hours),
        dtype=np.int64,
        count=len(hours),
    )
    return ((seconds + offsets[inverse]) // 86400).astype(np.int32)


def pack(mask: np.ndarray) -> np.ndarray:
    """A boolean column → its bits in 64-bit words (zero bits past the end)."""
    packed = np.packbits(mask, bitorder="little")
    packed = np.concatenate([packed, np.zeros(-len(packed) % 8, dtype=np.uint8)])
    return packed.view(np.uint64)
