"""Reads the Carto-Langue spreadsheet back (layout in columns.py): a filled template (.xlsx) or a CSV of one
entity, into CourseRecord and ExamSessionRecord (records.py). This module maps rows to records; the file walk is
workbook.py (unreadable files, upload caps), the parsing of one cell cells.py.

- Labels are the French labels of the referentials (the Listes sheet), or their codes, whatever the case and
  accents.
- Every problem is located like a spreadsheet does, "Cours!E12" (sheet, column, row). A bad cell rejects its
  record: a course, with its time slots and sessions, is taken whole or not at all, since an import replaces
  a course's slots and sessions with the ones it is given. A bad structure or place rejects the records that
  use it.

A CSV holds one entity, recognised by its header row (or named with `sheet`): courses, one row per course with
its structure's and its place's columns on the same row and its weekly time slots in a "Créneaux" column, or
exam sessions, likewise with their structure and place.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from cartolangue.interop.records import (
    CourseRecord,
    ExamSessionRecord,
    PlaceRecord,
    Rejected,
    SessionRecord,
    StructureRecord,
    TimeSlotRecord,
)
from cartolangue.interop.spreadsheet.cells import SOURCE_ID_LENGTH, Cells, referential_lookups
from cartolangue.interop.spreadsheet.columns import (
    COURSES,
    EXAM_SESSIONS,
    PLACES,
    REFERENTIALS,
    SESSIONS,
    SHEETS,
    STRUCTURES,
    TIME_SLOTS,
    Sheet,
)
from cartolangue.interop.spreadsheet.workbook import load_tables

TEXT_KINDS = ("text", "email", "url", "siret", "post_code", "code_insee", "code")
SCALAR_SKIP = ("id", "ref", "slots")


@dataclass
class Entry:
    """A structure or place row, read once, used by every record that names it."""

    record: object
    location: str
    error: str = ""


@dataclass
class CourseRow:
    number: int
    key: str
    record: CourseRecord | None
    failure: Rejected | None
    slot_keys: set = field(default_factory=set)


def _empty(column):
    if column.kind in TEXT_KINDS:
        return ""
    if column.kind == "enum":
        enum = REFERENTIALS[column.referential].enum
        if enum is not None:
            values = enum.values
            return "" if values and isinstance(values[0], str) else None
    return None


def _scalars(cells, sheet):
    """{record attribute: value} of a sheet's single-valued columns."""
    values = {}
    for column in sheet.columns:
        if column.index or column.kind in SCALAR_SKIP:
            continue
        value = cells.get(column)
        values[column.key] = _empty(column) if value is None else value
    return values


def _numbered(sheet, key):
    return [c for c in sheet.columns if c.key == key and c.index]


class OfferReader:
    def __init__(self, tables, *, source):
        self.tables = tables
        self.source = source
        self.lookups = referential_lookups()
        self.stray = []  # Rejected rows that belong to no course or exam session, reported at the end

    def rows(self, key: str) -> Iterator[Cells]:
        table = self.tables.get(key)
        if table is None:
            return
        for number, values in table.rows:
            cells = Cells(table, number, values, self.lookups)
            if not cells.is_empty():
                yield cells

    def title(self, sheet: Sheet) -> str:
        """The sheet's name as in the file (the CSV's name for a flat CSV), for messages."""
        return self.tables[sheet.key].title if sheet.key in self.tables else str(sheet.title)

    def records(self) -> Iterator[CourseRecord | ExamSessionRecord | Rejected]:
        if any(t.flat for t in self.tables.values()):
            if "courses" in self.tables:
                yield from self._flat_courses()
            else:
                yield from self._exam_sessions(self._flat_parents)
            return
        structures = self._entries(STRUCTURES, self._structure)
        places = self._entries(PLACES, self._place)

        def parents(cells, sheet):
            return (
                self._resolve(cells, sheet.column("structure"), structures),
                self._resolve(cells, sheet.column("place"), places),
            )

        yield from self._courses(parents)
        yield from self._exam_sessions(parents)
        yield from self.stray

    @staticmethod
    def _duplicate(cells, column, key, seen):
        """Record a key already used on another row of the sheet; True when it is."""
        if key is None:
            return False
        if key in seen:
            cells.error(column, _("identifiant « %(key)s » déjà utilisé ligne %(n)d") % {"key": key, "n": seen[key]})
            return True
        seen[key] = cells.number
        return False

    # --- structures and places -------------------------------------------------------------------------------

    def _structure(self, cells, key):
        values = _scalars(cells, STRUCTURES)
        values["kind"] = values["kind"] or "autre"
        networks = [str(v) for c in _numbered(STRUCTURES, "networks") for v in cells.get_many(c)]
        return StructureRecord(source=self.source, source_id=key, networks=list(dict.fromkeys(networks)), **values)

    def _place(self, cells, key):
        values = _scalars(cells, PLACES)
        if (values["latitude"] is None) != (values["longitude"] is None):
            cells.error(
                PLACES.column("longitude" if values["longitude"] is None else "latitude"),
                _("latitude et longitude vont ensemble"),
            )
        return PlaceRecord(source_id=key, **values)

    def _entries(self, sheet, build):
        """{key: Entry} of the Structures or Lieux sheet; a duplicated key is an error of both rows."""
        entries: dict[str, Entry] = {}
        for cells in self.rows(sheet.key):
            key = cells.get(sheet.key_column)
            record = build(cells, key)
            if key is None:  # nothing can name it: say so rather than drop it
                self.stray.append(cells.failure())
            elif key in entries:
                first = entries[key]
                reason = _("identifiant « %(key)s » en double (%(a)s et %(b)s)") % {
                    "key": key,
                    "a": first.location,
                    "b": cells.location,
                }
                entries[key] = Entry(None, first.location, reason)
            elif cells.errors:
                rejected = cells.failure(key)
                entries[key] = Entry(None, rejected.location, rejected.reason)
            else:
                entries[key] = Entry(record, cells.location)
        return entries

    def _resolve(self, cells, column, entries):
        key = cells.get(column)
        if key is None:
            return None
        entry = entries.get(key)
        if entry is None:
            cells.error(
                column,
                _("« %(key)s » absent de la feuille %(sheet)s")
                % {"key": key, "sheet": self.title(SHEETS[column.ref])},
            )
            return None
        if entry.error:
            cells.error(
                column,
                _("« %(key)s » refusé : %(reason)s (%(location)s)")
                % {"key": key, "reason": entry.error, "location": entry.location},
            )
            return None
        return entry.record

    # --- courses ---------------------------------------------------------------------------------------------

    def _course(self, cells, key, structure, place):
        values = _scalars(cells, COURSES)
        values["modality"] = values["modality"] or "presentiel"
        if values["is_free"] is None and values["cost_amount"]:
            values["is_free"] = False
        elif values["is_free"] and values["cost_amount"]:
            cells.error(
                COURSES.column("cost_amount"), _("un cours gratuit n'a pas de coût (mettez « non » dans « Gratuit »)")
            )
        if values["hours_per_week"] is not None and values["hours_per_week"] > 80:
            cells.error(COURSES.column("hours_per_week"), _("plus de 80 heures par semaine"))
        target = values["cecrl_level_target"]
        for name in ("entry_level_oral", "entry_level_written"):
            if values[name] is not None and target is not None and values[name] > target:
                cells.error(COURSES.column(name), _("niveau d'entrée au-dessus du niveau visé"))
        multi: dict[str, Any] = {
            name: list(dict.fromkeys(str(v) for c in _numbered(COURSES, name) for v in cells.get_many(c)))
            for name in ("schooling", "funders", "certifications")
        }
        slots = cells.get(COURSES.column("slots")) or []
        slot_column = COURSES.column("slots")
        if len({(s.weekday, s.starts_at) for s in slots}) != len(slots):
            cells.error(slot_column, _("créneau en double"))
        if any(s.starts_at >= s.ends_at for s in slots):
            cells.error(slot_column, _("l'heure de fin n'est pas après l'heure de début"))
        return CourseRecord(
            source=self.source,
            source_id=key,
            structure=structure,
            place=place,
            location=cells.location,
            audiences=self._audiences(cells),
            time_slots=slots,
            **multi,
            **values,
        )

    @staticmethod
    def _audiences(cells):
        """{audience: mode} from the "Public n" / "Accès du public n" pairs (an empty access: priority)."""
        audiences: dict[str, str] = {}
        for column in _numbered(COURSES, "audiences"):
            mode_column = COURSES.column("audience_modes", column.index)
            found = cells.get_many(column)
            mode = cells.get(mode_column)
            if mode is not None and not found:
                cells.error(mode_column, _("accès indiqué sans public"))
            mode = mode or "prioritaire"
            for audience in found:
                if audiences.get(audience, mode) != mode:
                    cells.error(column, _("public « %(v)s » indiqué deux fois") % {"v": audience})
                audiences[str(audience)] = str(mode)
        return audiences

    def _courses(self, parents):
        rows: list[CourseRow] = []
        by_key: dict[str, CourseRow] = {}
        for cells in self.rows("courses"):
            key = cells.get(COURSES.key_column)
            structure, place = parents(cells, COURSES)
            record = self._course(cells, key, structure, place)
            duplicate = self._duplicate(cells, COURSES.key_column, key, {k: r.number for k, r in by_key.items()})
            row = CourseRow(cells.number, key, None, cells.failure(key)) if cells.errors else None
            row = row or CourseRow(
                cells.number, key, record, None, {(s.weekday, s.starts_at) for s in record.time_slots}
            )
            rows.append(row)
            if key is not None and not duplicate:
                by_key[key] = row
        self._time_slots(by_key)
        self._sessions(by_key)
        for row in rows:
            yield row.record if row.record is not None else row.failure

    def _time_slots(self, by_key):
        for cells in self.rows("time_slots"):
            row = self._child_course(cells, TIME_SLOTS, by_key)
            slot = TimeSlotRecord(**_scalars(cells, TIME_SLOTS))
            if row is None:
                continue
            if not cells.errors and slot.starts_at >= slot.ends_at:
                cells.error(TIME_SLOTS.column("ends_at"), _("l'heure de fin n'est pas après l'heure de début"))
            if not cells.errors and (slot.weekday, slot.starts_at) in row.slot_keys:
                cells.error(TIME_SLOTS.column("starts_at"), _("créneau en double"))
            if self._attach(row, cells):
                row.record.time_slots.append(slot)
                row.slot_keys.add((slot.weekday, slot.starts_at))

    def _sessions(self, by_key):
        seen: dict[str, int] = {}
        for cells in self.rows("sessions"):
            key = cells.get(SESSIONS.key_column)
            row = self._child_course(cells, SESSIONS, by_key)
            values = _scalars(cells, SESSIONS)
            if row is None:
                continue
            if values["starts_on"] and values["ends_on"] and values["starts_on"] > values["ends_on"]:
                cells.error(SESSIONS.column("ends_on"), _("fin avant le début"))
            seats, left = values["seats"], values["seats_left"]
            if seats is not None and left is not None and left > seats:
                cells.error(SESSIONS.column("seats_left"), _("plus de places restantes que de places"))
            self._duplicate(cells, SESSIONS.key_column, key, seen)
            if self._attach(row, cells):
                row.record.sessions.append(SessionRecord(source_id=key, **values))

    def _child_course(self, cells, sheet, by_key):
        """The course row a time slot or session row belongs to, or None (the row is then reported)."""
        column = sheet.column("course")
        key = cells.get(column)
        row = by_key.get(key)
        if key is not None and row is None:
            cells.error(
                column,
                _("cours « %(key)s » absent de la feuille %(sheet)s") % {"key": key, "sheet": self.title(COURSES)},
            )
        if row is None:
            self.stray.append(cells.failure(key))
        return row

    @staticmethod
    def _attach(row, cells):
        """True when this time slot or session row can join its course; its errors reject the course."""
        if row.record is None:
            return False
        if cells.errors:
            row.record, row.failure = None, cells.failure(row.key)
            return False
        return True

    # --- exam sessions ---------------------------------------------------------------------------------------

    def _exam_sessions(self, parents):
        seen: dict[str, int] = {}
        for cells in self.rows("exam_sessions"):
            key = cells.get(EXAM_SESSIONS.key_column)
            structure, place = parents(cells, EXAM_SESSIONS)
            values = _scalars(cells, EXAM_SESSIONS)
            deadline, exam_date = values["registration_deadline"], values["exam_date"]
            if deadline and exam_date and deadline > exam_date:
                cells.error(EXAM_SESSIONS.column("registration_deadline"), _("après la date de l'épreuve"))
            self._duplicate(cells, EXAM_SESSIONS.key_column, key, seen)
            if cells.errors:
                yield cells.failure(key)
                continue
            yield ExamSessionRecord(
                source=self.source,
                source_id=key,
                structure=structure,
                place=place,
                location=cells.location,
                **values,
            )

    # --- flat CSV ----------------------------------------------------------------------------------------------

    def _flat_parents(self, cells, sheet):
        """The structure and the place written on a flat CSV row, their keys derived when left empty."""
        structure_key = cells.get(sheet.column("structure"))
        structure = self._structure(cells, structure_key)
        if structure_key is None:
            structure.source_id = structure.siret or _derived_key("structure", structure.name)
        place_key = cells.get(sheet.column("place"))
        place = self._place(cells, place_key)
        if place_key is None:
            place.source_id = _derived_key(
                structure.source_id, place.address, place.post_code or place.code_insee or place.city
            )
        return structure, place

    def _flat_courses(self):
        seen: dict[str, int] = {}
        for cells in self.rows("courses"):
            key = cells.get(COURSES.key_column)
            structure, place = self._flat_parents(cells, COURSES)
            record = self._course(cells, key, structure, place)
            self._duplicate(cells, COURSES.key_column, key, seen)
            yield cells.failure(key) if cells.errors else record


def _derived_key(*parts):
    return slugify("-".join(str(p) for p in parts if p))[:SOURCE_ID_LENGTH] or "-"


def spreadsheet_read(
    path: str | Path, *, source: str, sheet: str | None = None
) -> Iterator[CourseRecord | ExamSessionRecord | Rejected]:
    """Yield CourseRecord, ExamSessionRecord and Rejected from a filled template (.xlsx) or a CSV.

    `sheet` names the entity of a CSV ("cours" or "sessions-examen") when its header row does not tell."""
    tables = load_tables(path, sheet)
    yield from OfferReader(tables, source=source).records()
