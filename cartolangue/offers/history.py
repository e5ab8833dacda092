"""Field-by-field history of the offer (django-simple-history, ADR 0021): every save through the provider space,
the admin or the write API adds a row (who, when, the values after) to the model's historical table. Rows saved
in one request share a `change_set`, so the coordinators' feed shows one edit ("complet, and Tuesday moved to
18:00") as one entry with one revert. Imports write in bulk and are recorded as one ImportEvent instead
(moderation/models.py)."""

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ChangeSetHistory(models.Model):
    """The columns every historical table adds to simple-history's: the change set its row belongs to."""

    change_set = models.CharField(_("modification"), max_length=64, blank=True, db_index=True)

    class Meta:
        abstract = True


def history_of(excluded_fields: list[str] | None = None) -> HistoricalRecords:
    """The history field of an offer model: one historical table, grouped by change set."""
    return HistoricalRecords(
        bases=[ChangeSetHistory],
        excluded_fields=excluded_fields or [],
        cascade_delete_history=False,
    )


def new_change_set() -> str:
    return uuid.uuid4().hex


_current_change_set: contextvars.ContextVar[str] = contextvars.ContextVar("change_set", default="")


@contextlib.contextmanager
def change_set(name: str = "") -> Iterator[str]:
    """Group the history rows written inside the block (outside a request: a command, a test) as one change,
    named `name` or a new id."""
    token = _current_change_set.set(name or new_change_set())
    try:
        yield _current_change_set.get()
    finally:
        _current_change_set.reset(token)


def current_change_set() -> str:
    """The change set of the block, else of the request (one per request), else a new one."""
    value = _current_change_set.get()
    if value:
        return value
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return new_change_set()
    if not getattr(request, "change_set", ""):
        request.change_set = new_change_set()
    return request.change_set


def stamp_change_set(sender: type[Model], history_instance: Model, **kwargs: Any) -> None:
    """simple-history's pre_create_historical_record receiver (connected in offers/apps.py)."""
    if isinstance(history_instance, ChangeSetHistory) and not history_instance.change_set:
        history_instance.change_set = current_change_set()
