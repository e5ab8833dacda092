"""The one writer of imports: normalised records (records.py) → the database.

Over 400 lines on purpose: the one writer of every import, whose batch, savepoint and replay steps share the
same caches; splitting them would spread one transaction over several modules.

- Matching is on (source, source id). A structure already known from another source with the same SIRET
  is that structure: the new source is added to its provenances (StructureSource), and the first source
  keeps authority over its fields (the others only fill what is empty), except the fields the source registry
  gives another of its sources (`authority`, cartolangue/sources): that source replaces them, the first leaves
  them alone.
- Records are checked one by one, then written in batches (a few set-based queries per batch, in a
  savepoint; new rows go in as plain tuples, COPY on PostgreSQL, without model instances); a batch the
  database refuses is replayed record by record. A bad record is rejected with its
  reason and the rest goes on. The whole import runs in one transaction (see `run_import`): interrupted
  or failed, it leaves the database as it was; a dry run rolls back at the end.
- A place's commune is resolved from its INSEE code, else its post code and town, else its coordinates.
  A commune that is unknown or outside the loaded territories is repaired from the other clues, and the
  report says so, or the record is rejected: it is never silently placed elsewhere.
"""

import gc
import time
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from operator import itemgetter
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, reset_queries, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from cartolangue.db import analyse_tables, constraints_checked_at_once, insert_rows
from cartolangue.interop.checks import check_course
from cartolangue.interop.errors import RecordError
from cartolangue.interop.geography import Geography
from cartolangue.interop.records import CourseRecord, ExamSessionRecord, Filtered, Notice, ReaderItem, Rejected
from cartolangue.interop.report import ImportReport, Issue
from cartolangue.moderation.conflicts import Conflict, child_kept_by_provider, record_import, values_kept_by_provider
from cartolangue.offers.enums import ConfirmedBy, PublicationStatus
from cartolangue.offers.indexing import search_text_parts
from cartolangue.offers.models import (
    Certification,
    Course,
    CourseAudience,
    CourseFunder,
    CourseSchooling,
    ExamSession,
    Place,
    Session,
    Structure,
    StructureSource,
    TimeSlot,
)
from cartolangue.search.version import renewed_once
from cartolangue.text import fold

COURSE_FIELDS = (
    "name",
    "description",
    "course_type",
    "parcours",
    "cecrl_level_target",
    "entry_level_oral",
    "entry_level_written",
    "hours_per_week",
    "total_hours",
    "is_free",
    "cost_amount",
    "cost_details",
    "childcare",
    "modality",
    "registration_mode",
    "places_available",
    "formacode",
    "rs_code",
    "rncp_code",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_public",
    "contact_role",
    "verified_on",
    "source_url",
)
STRUCTURE_FIELDS = ("name", "siret", "acronym", "kind", "networks", "description", "website", "email", "phone")
PLACE_FIELDS = (
    "name",
    "address",
    "address_complement",
    "post_code",
    "latitude",
    "longitude",
    "location_is_approximate",
    "step_free_access",
)
SESSION_FIELDS = ("starts_on", "ends_on", "recruitment_status", "seats", "seats_left")
EXAM_FIELDS = ("registration_deadline", "price", "seats_left", "registration_url", "source_url")


class _Rollback(Exception):
    pass


class Writer:
    """Stores courses in batches: a batch is read, compared and written in a few set-based queries, inside a
    savepoint. If the database refuses a batch, it is replayed record by record, so that only the culprit is
    rejected. Everything a record can be rejected for in Python (referentials, levels, commune) is checked
    before it joins a batch."""

    CACHE_LIMIT = 10_000  # structures and places kept between batches; memory stays flat on big files
    # PostgreSQL: the look-ups by (source, source id) are planned from statistics that know nothing of the rows
    # this import has added so far; believing the source nearly empty, the planner walks all of its rows for
    # each batch instead of probing the ids (quadratic: 16 ms instead of 1 ms a query after 40,000 rows).
    # The statistics of the source column are refreshed as the import grows (×4 each time; they count this
    # transaction's own rows; 0.3 s for the five tables).
    FIRST_ANALYSIS = 1_000

    BATCH_SIZE = 500

    def __init__(self, report, batch_size=None, authority=None):
        self.report = report
        # Source name → the structure fields it owns (the source registry); this import's and the others'.
        authority = authority or {}
        self.owned_fields = frozenset(authority.get(report.source, ()))
        self.owned_elsewhere = {name: frozenset(f) for name, f in authority.items() if f and name != report.source}
        self.batch_size = batch_size or self.BATCH_SIZE
        self.geo = Geography()
        self.certifications = dict(Certification.objects.values_list("code", "id"))
        self.pending = []
        self._structures = {}
        self._places = {}
        self._post_codes = {}  # commune id → its first post code, for places given without one
        self._stored = 0
        self._analyse_at = self.FIRST_ANALYSIS
        self.conflicts: list[Conflict] = []  # fields a provider set by hand that the import left as they were
        self.touched: list[int] = []  # courses the import created or changed

    # --- entry points --------------------------------------------------------------------------------

    def add_course(self, record: CourseRecord) -> None:
        try:
            check_course(record, self.certifications)
            self._prepare(record, Course, COURSE_FIELDS)
        except RecordError as exc:
            self.report.reject(record.source_id, record.location, exc)
            return
        self.pending.append(record)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def write_exam_session(self, record: ExamSessionRecord) -> None:
        try:
            if record.certification not in self.certifications:
                raise RecordError(_("certification inconnue : « %(code)s »") % {"code": record.certification})
            if record.registration_deadline and record.registration_deadline > record.exam_date:
                raise RecordError(_("la date limite d'inscription est après l'épreuve"))
            if record.price is not None and record.price < 0:
                raise RecordError(_("tarif négatif"))
            self._prepare(record, ExamSession, EXAM_FIELDS)
            with transaction.atomic():
                outcome = self._exam_session(record)
        except RecordError as exc:
            self.report.reject(record.source_id, record.location, exc)
            return
        except (IntegrityError, DatabaseError) as exc:
            self._forget()
            self.report.reject(record.source_id, record.location, _("refusé par la base : %(e)s") % {"e": exc})
            return
        self._done(record, outcome)

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        reset_queries()  # with DEBUG on, Django keeps the last 9,000 queries: bulk inserts would pile up
        conflicts_before, touched_before = len(self.conflicts), len(self.touched)
        try:
            with transaction.atomic():
                outcomes = self._store(batch)
        except (IntegrityError, DatabaseError) as exc:
            self._forget()
            del self.conflicts[conflicts_before:], self.touched[touched_before:]
            if len(batch) == 1:
                record = batch[0]
                self.report.reject(record.source_id, record.location, _("refusé par la base : %(e)s") % {"e": exc})
                return
            for record in batch:
                self.pending = [record]
                self.flush()
            return
        for record, outcome in zip(batch, outcomes, strict=True):
            self._done(record, outcome)
        self._stored += len(batch)
        if self._stored >= self._analyse_at:
            self._analyse_at *= 4
            analyse_tables(Course, Session, Place, Structure, StructureSource, columns=["source"])

    def _done(self, record, outcome):
        self.report.count(outcome)
        for warning in record.warnings:
            self.report.warn(record.source_id, record.location, warning)

    def _forget(self):
        """After a rollback, cached objects may not exist any more."""
        self._structures.clear()
        self._places.clear()

    # --- checks and preparation (pure Python) ------------------------------------------------------------

    def _fit(self, model, values, warnings):
        """Cut text longer than its column, saying so (PostgreSQL would refuse it, SQLite would keep it)."""
        for name, limit in _limits(model, tuple(values)):
            value = values[name]
            if isinstance(value, str) and len(value) > limit:
                values[name] = value[: limit - 1] + "…"
                warnings.append(
                    _("%(field)s coupé à %(n)d caractères")
                    % {"field": model._meta.get_field(name).verbose_name, "n": limit}
                )
        return values

    def _prepare(self, r, model, fields):
        """Resolve the commune and compute every value to store, once, before the record joins a batch."""
        commune, lat, lon, approximate, notes = self.geo.resolve(r.place)
        r.warnings.extend(notes)
        if approximate and not notes:
            r.warnings.append(_("lieu sans coordonnées : placé au centre de %(commune)s") % {"commune": commune.name})
        place = {
            "name": r.place.name,
            "address": r.place.address or "-",
            "address_complement": r.place.address_complement,
            "post_code": r.place.post_code if len(r.place.post_code or "") == 5 else "",
            "latitude": lat,
            "longitude": lon,
            "location_is_approximate": approximate or r.place.location_is_approximate,
            "step_free_access": r.place.step_free_access,
        }
        self._fit(Place, place, r.warnings)
        if not place["post_code"]:
            if commune.id not in self._post_codes:
                codes = [c for c, communes in self.geo.by_post_code.items() if commune in communes]
                self._post_codes[commune.id] = min(codes) if codes else ""
            if not self._post_codes[commune.id]:
                raise RecordError(_("code postal manquant pour %(commune)s") % {"commune": commune.name})
            place["post_code"] = self._post_codes[commune.id]
        place["commune_id"] = commune.id
        r.place_values, r.commune_name = place, commune.name
        structure = self._fit(Structure, {name: getattr(r.structure, name) for name in STRUCTURE_FIELDS}, r.warnings)
        if structure["siret"] and not (len(structure["siret"]) == 14 and structure["siret"].isdigit()):
            structure["siret"] = ""
        r.structure_values = structure
        values = self._fit(model, {name: getattr(r, name) for name in fields}, r.warnings)
        if values.get("hours_per_week") is not None:
            values["hours_per_week"] = Decimal(values["hours_per_week"]).quantize(Decimal("0.1"))
        for name in ("cost_amount", "price"):
            if values.get(name) is not None:
                values[name] = Decimal(values[name]).quantize(Decimal("0.01"))
        r.values = values

    # --- structures and places, set-based ------------------------------------------------------------------

    def _structures_for(self, records):
        """(source, source id) → Structure for the records' structures: found by provenance, else by SIRET
        (then merged, both provenances kept), else created."""
        wanted: dict[tuple[str, str], Any] = {}  # the records, with the values `_prepare` gave them
        for r in records:
            key = (r.structure.source, r.structure.source_id)
            if key not in self._structures:
                wanted.setdefault(key, r)
        if not wanted:
            return self._structures
        now = timezone.now()
        found: dict[tuple[str, str], Structure] = {}
        links = []
        for source in {k[0] for k in wanted}:
            ids = [k[1] for k in wanted if k[0] == source]
            for link in StructureSource.objects.filter(source=source, source_id__in=ids).select_related("structure"):
                found[(link.source, link.source_id)] = link.structure
            missing = [i for i in ids if (source, i) not in found]
            structure: Structure | None
            for structure in Structure.objects.filter(source=source, source_id__in=missing):
                found[(structure.source, structure.source_id)] = structure
                r = wanted[(structure.source, structure.source_id)]
                links.append((structure, r))
        sirets = {
            r.structure_values["siret"] for k, r in wanted.items() if k not in found and r.structure_values["siret"]
        }
        by_siret: dict[str, Structure] = {}
        for structure in Structure.objects.filter(siret__in=sirets).order_by("pk"):
            by_siret.setdefault(structure.siret, structure)
        new: list[Structure] = []
        for key, r in wanted.items():
            values, rec = r.structure_values, r.structure
            structure = found.get(key)
            if structure is None:
                structure = by_siret.get(values["siret"]) if values["siret"] else None
                if structure is not None and structure.pk is not None:
                    self.report.structures_merged.append(
                        Issue(
                            rec.source_id,
                            "",
                            _(
                                "même SIRET %(siret)s que « %(name)s » (%(source)s) : "
                                "une seule structure, deux provenances"
                            )
                            % {"siret": values["siret"], "name": structure.name, "source": structure.source},
                        )
                    )
                    self._fill_blanks(structure, values)
                elif structure is None:
                    structure = Structure(
                        source=rec.source,
                        source_id=rec.source_id,
                        source_url=rec.source_url,
                        updated_at=rec.updated_at or now,
                        **values,
                    )
                    new.append(structure)
                    if values["siret"]:
                        by_siret[values["siret"]] = structure
                links.append((structure, r))
            elif structure.source == rec.source and structure.source_id == rec.source_id:
                if _assign(structure, self._not_owned_elsewhere(structure, values)) or (
                    structure.source_url != rec.source_url
                ):
                    structure.source_url = rec.source_url
                    structure.updated_at = rec.updated_at or now
                    structure.save()  # rare; its signal refreshes the search text of its courses
            else:
                self._fill_blanks(structure, values)
            self._structures[key] = structure
        self._insert_objects(Structure, new, now)
        insert_rows(  # one provenance per structure and source, as plain rows
            StructureSource,
            ["structure", "source", "source_id", "source_url", "updated_at"],
            [
                (
                    structure,
                    r.structure.source,
                    r.structure.source_id,
                    r.structure.source_url,
                    r.structure.updated_at or now,
                )
                for structure, r in links
            ],
        )
        return self._structures

    def _not_owned_elsewhere(self, structure, values):
        """The structure's own source leaves alone the fields another of its sources owns (one query, only when
        some other source owns fields)."""
        if not self.owned_elsewhere:
            return values
        others = StructureSource.objects.filter(structure=structure).exclude(source=self.report.source)
        owned = set().union(*(self.owned_elsewhere.get(name, ()) for name in others.values_list("source", flat=True)))
        return {k: v for k, v in values.items() if k not in owned}

    def _fill_blanks(self, structure, values):
        """Another source's structure: this source fills what it leaves empty, and replaces the fields it owns."""
        taken = {k: v for k, v in values.items() if v and (k in self.owned_fields or not getattr(structure, k))}
        if _assign(structure, taken):
            structure.save()

    def _places_for(self, records, structures):
        wanted: dict[tuple[str, str], Any] = {}
        for r in records:
            key = (r.source, r.place.source_id)
            if key not in self._places:
                wanted.setdefault(key, r)
        if not wanted:
            return self._places
        now = timezone.now()
        existing: dict[tuple[str, str], Place] = {}
        place: Place | None
        for source in {k[0] for k in wanted}:
            ids = [k[1] for k in wanted if k[0] == source]
            for place in Place.objects.filter(source=source, source_id__in=ids).defer("commune__geometry"):
                existing[(place.source, place.source_id)] = place
        new: list[Place] = []
        for key, r in wanted.items():
            structure = structures[(r.structure.source, r.structure.source_id)]
            place = existing.get(key)
            if place is None:
                place = Place(source=key[0], source_id=key[1], structure=structure, updated_at=now, **r.place_values)
                new.append(place)
            elif _assign(place, r.place_values) or place.structure_id != structure.pk:
                place.structure = structure
                place.updated_at = now
                place.save()  # rare; its signal refreshes the search text of its courses
            place.commune_name = r.commune_name
            self._places[key] = place
        self._insert_objects(Place, new, now)
        return self._places

    # --- courses, set-based --------------------------------------------------------------------------------

    def _store(self, batch):
        if len(self._structures) > self.CACHE_LIMIT or len(self._places) > self.CACHE_LIMIT:
            self._forget()
        structures = self._structures_for(batch)
        places = self._places_for(batch, structures)
        now = timezone.now()
        existing = {}
        for source in {r.source for r in batch}:
            ids = [r.source_id for r in batch if r.source == source]
            for course in Course.objects.filter(source=source, source_id__in=ids):
                existing[(course.source, course.source_id)] = course
        created, kept = [], []
        for r in batch:
            structure = structures[(r.structure.source, r.structure.source_id)]
            place = places[(r.source, r.place.source_id)]
            course = existing.get((r.source, r.source_id))
            if course is None:
                course = _NewCourse(r.values["name"], r.values["description"], structure.pk, place.pk)
                created.append((r, course))
                changed = True
            else:
                changed = _assign(course, values_kept_by_provider(course, r.values, r.source, self.conflicts))
                if course.structure_id != structure.pk or course.place_id != place.pk:
                    course.structure, course.place, changed = structure, place, True
                kept.append((r, course))
            text = _search_text(course, structure, place, place.commune_name)
            if text != course.search_text:
                course.search_text, changed = text, True
            r.changed = changed
        self._insert_courses(created, now)
        self._store_children(created, kept)
        self._store_sessions(created + kept, {c.pk for _r, c in kept}, now)
        for r, course in kept:
            if r.changed:
                course.updated_at = r.updated_at or now
        fields = [*COURSE_FIELDS, "structure", "place", "search_text", "updated_at"]
        Course.objects.bulk_update([c for r, c in kept if r.changed], fields)
        self.touched += [c.pk for _r, c in created] + [c.pk for r, c in kept if r.changed]
        return [
            "created" if (r.source, r.source_id) not in existing else ("updated" if r.changed else "unchanged")
            for r in batch
        ]

    def _insert_courses(self, created, now):
        """Insert new courses as plain rows (model instances and bulk_create cost more than the database
        does here), then read back their ids by (source, source id), which is unique."""
        if not created:
            return
        rows = [
            (
                r.source,
                r.source_id,
                r.updated_at or now,
                now,
                course.structure_id,
                course.place_id,
                *_course_values(r.values),
                course.search_text,
                PublicationStatus.PUBLISHED,  # a source's course is published: its source is the moderation
                [],  # no field set by hand yet
                ConfirmedBy.SOURCE,  # `verified_on` is the source's own date
                None,  # places left: the providers' own figure
                None,  # not a copy of another source's course until matching says so (cartolangue/dedup)
                {},  # no field taken from another source (cartolangue/dedup/fusion.py)
            )
            for r, course in created
        ]
        insert_rows(Course, COURSE_INSERT_COLUMNS, rows)
        by_key = {(r.source, r.source_id): course for r, course in created}
        for source in {r.source for r, _c in created}:
            ids = [r.source_id for r, _c in created if r.source == source]
            for source_id, pk in Course.objects.filter(source=source, source_id__in=ids).values_list(
                "source_id", "pk"
            ):
                by_key[(source, source_id)].pk = pk
        if any(course.pk is None for _r, course in created):  # cannot happen: the rows were just inserted
            raise DatabaseError("inserted courses not found again")

    def _insert_objects(self, model, objects, now):
        """Insert new structures or places as plain rows, then give the objects their ids, read back by
        (source, source id), which is unique."""
        if not objects:
            return
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        for obj in objects:
            if obj.created_at is None:  # auto_now_add, as bulk_create would set it
                obj.created_at = now
        insert_rows(model, [f.name for f in fields], [[getattr(o, f.attname) for f in fields] for o in objects])
        by_key = {(o.source, o.source_id): o for o in objects}
        for source in {o.source for o in objects}:
            ids = [o.source_id for o in objects if o.source == source]
            for source_id, pk in model.objects.filter(source=source, source_id__in=ids).values_list("source_id", "pk"):
                obj = by_key[(source, source_id)]
                obj.pk, obj._state.adding, obj._state.db = pk, False, connection.alias
        if any(o.pk is None for o in objects):  # cannot happen: the rows were just inserted
            raise DatabaseError(f"inserted {model._meta.model_name} rows not found again")

    def _store_children(self, created, kept):
        # (model, columns read, columns written, the record's rows, the field a provider edits it as)
        tables = (
            (
                CourseAudience,
                ("audience", "mode"),
                ("audience", "mode"),
                lambda r: set(r.audiences.items()),
                "audiences",
            ),
            (CourseSchooling, ("schooling",), ("schooling",), lambda r: {(v,) for v in r.schooling}, "schooling"),
            (CourseFunder, ("funder",), ("funder",), lambda r: {(v,) for v in r.funders}, "funders"),
            (
                TimeSlot,
                ("weekday", "starts_at", "ends_at"),
                ("weekday", "starts_at", "ends_at"),
                lambda r: {(t.weekday, t.starts_at, t.ends_at) for t in r.time_slots},
                "time_slots",
            ),
            (
                Course.certifications.through,
                ("certification_id",),
                ("certification",),
                lambda r: {(self.certifications[c],) for c in r.certifications},
                "certifications",
            ),
        )
        kept_ids = [c.pk for _r, c in kept]
        for model, read_columns, write_columns, wanted_of, field in tables:
            have: dict[int, set[tuple]] = {}
            if kept_ids:
                for row in model.objects.filter(course_id__in=kept_ids).values_list("course_id", *read_columns):
                    have.setdefault(row[0], set()).add(tuple(row[1:]))
            reset, rows = [], []
            for r, course in created:
                rows += [(course.pk, *v) for v in wanted_of(r)]
            for r, course in kept:
                wanted = wanted_of(r)
                if child_kept_by_provider(course, field, wanted, have.get(course.pk, set()), r.source, self.conflicts):
                    continue
                if wanted != have.get(course.pk, set()):
                    reset.append(course.pk)
                    rows += [(course.pk, *v) for v in wanted]
                    r.changed = True
            if reset:
                model.objects.filter(course_id__in=reset).delete()
            insert_rows(model, ["course", *write_columns], rows)

    def _store_sessions(self, courses, kept_ids, now):
        by_key: dict[tuple[str, str], Session] = {}
        session: Session | None
        for source in {r.source for r, _c in courses}:
            ids = [s.source_id for r, _c in courses if r.source == source for s in r.sessions]
            for session in Session.objects.filter(source=source, source_id__in=ids):
                by_key[(session.source, session.source_id)] = session
        of_kept: dict[int, list[Session]] = {}
        for session in Session.objects.filter(course_id__in=kept_ids):
            by_key.setdefault((session.source, session.source_id), session)
            of_kept.setdefault(session.course_id, []).append(session)
        new: list[tuple] = []
        updated: list[Session] = []
        gone: list[int] = []
        for r, course in courses:
            seen = set()
            for rec in r.sessions:
                seen.add((r.source, rec.source_id))
                values = {name: getattr(rec, name) for name in SESSION_FIELDS}
                session = by_key.get((r.source, rec.source_id))
                if session is None:
                    new.append((course.pk, r.source, rec.source_id, "", *values.values(), rec.updated_at or now, now))
                    r.changed = True
                elif _assign(session, values) or session.course_id != course.pk:
                    session.course_id = course.pk
                    session.updated_at = rec.updated_at or now
                    updated.append(session)
                    r.changed = True
            for session in of_kept.get(course.pk, []):
                if (session.source, session.source_id) not in seen:
                    gone.append(session.pk)
                    r.changed = True
        if gone:
            Session.objects.filter(pk__in=gone).delete()
        Session.objects.bulk_update(updated, [*SESSION_FIELDS, "course", "updated_at"])
        columns = ["course", "source", "source_id", "source_url", *SESSION_FIELDS, "updated_at", "created_at"]
        insert_rows(Session, columns, new)

    # --- exam sessions (few: one by one) -------------------------------------------------------------------

    def _exam_session(self, r):
        structure = self._structures_for([r])[(r.structure.source, r.structure.source_id)]
        place = self._places_for([r], self._structures)[(r.source, r.place.source_id)]
        values = dict(r.values)
        values["exam_date"] = r.exam_date
        values["certification_id"] = self.certifications[r.certification]
        exam = ExamSession.objects.filter(source=r.source, source_id=r.source_id).first()
        if exam is None:
            ExamSession.objects.create(
                source=r.source,
                source_id=r.source_id,
                structure=structure,
                place=place,
                updated_at=r.updated_at or timezone.now(),
                **values,
            )
            return "created"
        changed = _assign(exam, values)
        if exam.structure_id != structure.pk or exam.place_id != place.pk:
            exam.structure, exam.place, changed = structure, place, True
        if changed:
            exam.updated_at = r.updated_at or timezone.now()
            exam.save()
            return "updated"
        return "unchanged"


COURSE_INSERT_COLUMNS = [
    "source",
    "source_id",
    "updated_at",
    "created_at",
    "structure",
    "place",
    *COURSE_FIELDS,
    "search_text",
    "status",
    "hand_edited_fields",
    "verified_by",
    "seats_left",
    "duplicate_of",
    "fused_fields",
]


_course_values = itemgetter(*COURSE_FIELDS)


class _NewCourse:
    """A course about to be inserted as a plain row: what its search text reads, then its id."""

    __slots__ = ("name", "description", "structure_id", "place_id", "search_text", "pk")

    def __init__(self, name, description, structure_id, place_id):
        self.name, self.description = name, description
        self.structure_id, self.place_id = structure_id, place_id
        self.search_text, self.pk = None, None


def _search_text(course, structure, place, commune_name):
    """`offers.indexing.course_search_text`, the same string (a test holds them equal), folded part by part
    with the parts memoised: an import repeats the same structures, places, communes, titles and
    descriptions. Folding parts apart gives the same text as folding them joined: the space between them is
    a starter for Unicode normalisation and not case-ignorable for lower-casing (Greek final sigma)."""
    return " ".join([_fold_part(p) for p in search_text_parts(course, structure, place, commune_name)])


_folded: dict[str, str] = {}


def _fold_part(text: str) -> str:
    """`fold`, memoised for the short parts that recur through an import."""
    if text.isascii():
        return text.lower()
    folded = _folded.get(text)
    if folded is None:
        folded = fold(text)
        if len(text) <= 250:  # names, addresses, titles: they recur; a description seldom does
            if len(_folded) >= 5_000:
                _folded.clear()
            _folded[text] = folded
    return folded


@cache
def _limits(model, names):
    """(name, max_length) of the given fields that have one, in the given order."""
    limits = {f.name: f.max_length for f in model._meta.concrete_fields if getattr(f, "max_length", None)}
    return tuple((name, limits[name]) for name in names if name in limits)


def _assign(obj, values):
    """Set the values that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


@contextmanager
def _fewer_collections(threshold=50_000):
    """Run the cyclic garbage collector less often during an import (and in the process reading the file in
    the background, which inherits the setting): an import makes millions of short-lived containers
    (records, rows, lxml proxies, query objects), and at CPython's default threshold (700 new containers) the
    collector goes over the survivors again and again, a large share of the writer's time
    (docs/bench/import-throughput-2026-11.md). Cycles are still collected, less often; memory stays flat."""
    previous = gc.get_threshold()
    gc.set_threshold(threshold, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


@contextmanager
def _atomic_run(dry_run):
    try:
        with transaction.atomic():
            yield
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass


def run_import(
    items: Iterable[ReaderItem],
    report: ImportReport,
    dry_run: bool = False,
    progress: tqdm | None = None,
    authority: Mapping[str, Iterable[str]] | None = None,
) -> ImportReport:
    """Store what a reader yields (records, Rejected, Filtered), all or nothing. Returns the report.
    `authority`: source name → the structure fields it owns (see the module's docstring).

    A reader's fatal error (unreadable file, wrong format) propagates and the transaction rolls back."""
    started = time.perf_counter()
    report.dry_run = dry_run
    # The search's data-version token is renewed once, not per row;
    # PostgreSQL checks foreign keys as rows are written, not all at commit.
    with _fewer_collections(), _atomic_run(dry_run), constraints_checked_at_once(), renewed_once():
        writer = Writer(report, authority=authority)
        for item in items:
            if isinstance(item, CourseRecord):
                writer.add_course(item)
            elif isinstance(item, ExamSessionRecord):
                writer.write_exam_session(item)
            elif isinstance(item, Rejected):
                report.reject(item.record_id, item.location, item.reason)
            elif isinstance(item, Filtered):
                report.filter_out(item.reason)
            elif isinstance(item, Notice):
                report.warn(item.record_id, item.location, item.reason)
            if progress is not None:
                progress.update(1)
        writer.flush()
        report.note_conflicts(writer.conflicts)
        if not dry_run:
            record_import(report.as_dict(), writer.touched, writer.conflicts)
    report.seconds = time.perf_counter() - started
    return report
