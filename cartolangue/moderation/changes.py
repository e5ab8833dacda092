"""The coordinators' review feed and its one-click revert, read from the field-by-field history
(offers/history.py). A change set is what one person saved in one request: a course marked "complet" and its
Tuesday slot moved are one entry, reverted together."""

import dataclasses
import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartolangue.offers.history import change_set
from cartolangue.offers.models import Course, ExamSession, Place, Session, Structure, TimeSlot

# The models whose hand edits the feed shows, in the order an entry lists them.
REVIEWED_MODELS: tuple[type[models.Model], ...] = (Structure, Place, Course, TimeSlot, Session, ExamSession)
# Bookkeeping, not content: a provider's edit also confirms the course (verified_on, verified_by), which the
# feed need not repeat and a revert leaves as it is.
HIDDEN_FIELDS = {
    "search_text",
    "hand_edited_fields",
    "updated_at",
    "created_at",
    "source",
    "source_id",
    "verified_on",
    "verified_by",
    "duplicate_of",  # set by the matching across sources, not by a person (cartolangue/dedup)
    "fused_fields",
}
ACTIONS = {"+": gettext_lazy("ajout"), "~": gettext_lazy("modification"), "-": gettext_lazy("suppression")}


@dataclasses.dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclasses.dataclass
class ChangeItem:
    """One object's row in a change set: what it is, what happened, the fields that changed."""

    record: Any  # a historical row
    model: type[models.Model]
    action: str
    title: str
    changes: list[FieldChange]


REVERT_PREFIX = "annule-"


@dataclasses.dataclass
class ChangeSet:
    id: str
    when: datetime.datetime
    user: Any
    structure: Structure | None
    items: list[ChangeItem]
    reverted_by: "ChangeSet | None" = None  # the revert of this change set, once made

    @property
    def reverts(self) -> str:
        """The id of the change set this one undid ("" for an edit)."""
        return self.id.removeprefix(REVERT_PREFIX) if self.id.startswith(REVERT_PREFIX) else ""

    @property
    def can_be_reverted(self) -> bool:
        return not self.reverts and self.reverted_by is None


def _display(field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("oui") if value else _("non")
    if isinstance(field, models.ForeignKey):
        target = field.related_model.objects.filter(pk=value).first()
        return str(target) if target is not None else f"#{value}"
    return str(value)


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS and f.name != "id"]


def field_changes(record: Any, model: type[models.Model]) -> list[FieldChange]:
    """The fields this historical row changed, with their values before and after, as people read them."""
    previous = record.prev_record if record.history_type != "+" else None
    changes = []
    for field in _fields(model):
        attname = field.attname
        after = getattr(record, attname) if record.history_type != "-" else None
        before = getattr(previous, attname) if previous is not None else None
        if record.history_type == "-":
            before = getattr(record, attname)
        if before != after:
            changes.append(FieldChange(str(field.verbose_name), _display(field, before), _display(field, after)))
    return changes


def _structure_id(record: Any, model: type[models.Model], course_structures: dict[int, int]) -> int | None:
    if model is Structure:
        return record.id
    if model in (TimeSlot, Session):
        return course_structures.get(record.course_id)
    return record.structure_id


def review_feed(structure_ids: Iterable[int] | None, days: int | None = None, limit: int = 200) -> list[ChangeSet]:
    """The hand edits (a person is named) of the last `days` days, newest first, grouped by change set, for the
    given structures (None: all)."""
    since = timezone.now() - datetime.timedelta(days=days or settings.REVIEW_FEED_DAYS)
    wanted = None if structure_ids is None else set(structure_ids)
    records = []
    for model in REVIEWED_MODELS:
        rows = model.history.filter(history_date__gte=since, history_user__isnull=False).select_related("history_user")
        records += [(row, model) for row in rows.order_by("-history_date")[: limit * 4]]
    course_ids = {row.course_id for row, model in records if model in (TimeSlot, Session)}
    course_structures = dict(Course.history.filter(id__in=course_ids).values_list("id", "structure_id").distinct())
    sets: dict[str, ChangeSet] = {}
    for row, model in sorted(records, key=lambda pair: pair[0].history_date, reverse=True):
        structure_id = _structure_id(row, model, course_structures)
        if wanted is not None and structure_id not in wanted:
            continue
        key = row.change_set or f"{model._meta.model_name}-{row.history_id}"
        entry = sets.get(key)
        if entry is None:
            if len(sets) >= limit:
                continue
            structure = Structure.objects.filter(pk=structure_id).first()
            entry = sets[key] = ChangeSet(key, row.history_date, row.history_user, structure, [])
        changes = field_changes(row, model)
        if changes or row.history_type != "~":
            entry.items.append(ChangeItem(row, model, ACTIONS[row.history_type], _title(row, model), changes))
    for entry in sets.values():
        if entry.reverts in sets:
            sets[entry.reverts].reverted_by = entry
    return [entry for entry in sets.values() if entry.items]


def _title(record: Any, model: type[models.Model]) -> str:
    return f"{model._meta.verbose_name} : {record.instance}"


def change_set_by_id(key: str, structure_ids: Iterable[int] | None) -> ChangeSet | None:
    """One change set of the feed (None when unknown or out of the given structures)."""
    for entry in review_feed(structure_ids, days=3650, limit=10_000):
        if entry.id == key:
            return entry
    return None


class RevertError(Exception):
    """A revert the data refuses (e.g. a slot now clashes with another): nothing was changed."""


def revert(entry: ChangeSet) -> None:
    """Undo a change set, all or nothing: the fields it changed get their values before (other fields keep what
    they hold now), the objects it created are removed, the objects it deleted come back. The revert is itself a
    change set in the history."""
    if not entry.can_be_reverted:
        raise RevertError(_("Cette modification est déjà annulée, ou c'est elle-même une annulation."))
    try:
        with transaction.atomic(), change_set(REVERT_PREFIX + entry.id):
            for item in reversed(entry.items):
                _revert_item(item)
    except IntegrityError as exc:
        raise RevertError(_("Annulation impossible : %(error)s") % {"error": exc}) from exc


def _revert_item(item: ChangeItem) -> None:
    record, model = item.record, item.model
    if record.history_type == "+":
        model.objects.filter(pk=record.id).delete()
        return
    if record.history_type == "-":
        if not model.objects.filter(pk=record.id).exists():
            record.instance.save(force_insert=True)
        return
    current = model.objects.filter(pk=record.id).first()
    previous = record.prev_record
    if current is None or previous is None:
        return
    changed = [f for f in _fields(model) if getattr(record, f.attname) != getattr(previous, f.attname)]
    for field in changed:
        setattr(current, field.attname, getattr(previous, field.attname))
    current.save()
