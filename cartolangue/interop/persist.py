"""The one writer of imports: normalised records (records.py) → the database.

- Matching is on (source, source id). A structure already known from another source with the same SIRET
  is that structure: the new source is added to its provenances (StructureSource), and the first source
  keeps authority over its fields (the others only fill what is empty).
- Each record is written in its own savepoint: a bad record is rejected with its reason and the rest goes
  on. The whole import runs in one transaction (see `run_import`): interrupted or failed, it leaves the
  database as it was; a dry run rolls back at the end.
- A place's commune is resolved from its INSEE code, else its post code and town, else its coordinates.
  A commune that is unknown or outside the loaded territories is repaired from the other clues, and the
  report says so, or the record is rejected: it is never silently placed elsewhere.
"""

import time
from contextlib import contextmanager
from decimal import Decimal

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartolangue.geo.distance import haversine_km
from cartolangue.geo.lookup import commune_at
from cartolangue.geo.models import Commune, CommuneAlias, PostCode
from cartolangue.interop.records import CourseRecord, ExamSessionRecord, Filtered, Notice, Rejected
from cartolangue.interop.report import Issue
from cartolangue.offers import enums
from cartolangue.offers.indexing import course_search_text
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
from cartolangue.text import fold_name

# Coordinates farther than this from their commune's centre are taken as wrong (a typo, 48/2 for Paris).
MAX_KM_FROM_COMMUNE = 20
# Arrondissements municipaux → their commune (territories are loaded at commune level).
ARRONDISSEMENTS = {
    **{f"751{n:02d}": "75056" for n in range(1, 21)},
    **{f"6938{n}": "69123" for n in range(1, 10)},
    **{f"132{n:02d}": "13055" for n in range(1, 17)},
}

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


class RecordError(Exception):
    """A record that cannot be stored; the message is the reason given in the report."""


class _Rollback(Exception):
    pass


def _choices(enum):
    return {str(v) for v in enum.values}


CHOICES = {
    "course_type": _choices(enums.CourseType),
    "parcours": _choices(enums.Parcours) | {""},
    "modality": _choices(enums.Modality),
    "registration_mode": _choices(enums.RegistrationMode) | {""},
    "recruitment_status": _choices(enums.RecruitmentStatus) | {""},
    "kind": _choices(enums.StructureKind),
}
LEVELS = set(enums.CecrlLevel.values)


class Geography:
    """The loaded territories, in memory for the length of an import (a few thousand communes)."""

    def __init__(self):
        fields = ("id", "code_insee", "name", "search_name", "latitude", "longitude")
        self.by_code = {c.code_insee: c for c in Commune.objects.only(*fields)}
        by_id = {c.id: c for c in self.by_code.values()}
        self.aliases = {a.code: by_id[a.commune_id] for a in CommuneAlias.objects.all() if a.commune_id in by_id}
        self.by_post_code = {}
        for code, commune_id in PostCode.objects.values_list("code", "commune_id"):
            if commune_id in by_id:
                self.by_post_code.setdefault(code, []).append(by_id[commune_id])

    def _from_post_code(self, post_code, city):
        candidates = self.by_post_code.get(post_code, [])
        if len(candidates) == 1:
            return candidates[0]
        wanted = fold_name(city)
        for commune in candidates:
            if wanted and commune.search_name == wanted:
                return commune
        return None

    def resolve(self, place):
        """(commune, latitude, longitude, approximate, notes) for a PlaceRecord, or RecordError."""
        notes = []
        code = (place.code_insee or "").strip()
        commune = self.by_code.get(code)
        if commune is None and code:
            if code in ARRONDISSEMENTS:
                commune = self.by_code.get(ARRONDISSEMENTS[code])
            elif code in self.aliases:
                commune = self.aliases[code]
                notes.append(_("ancien code commune %(old)s, aujourd'hui %(new)s") % {"old": code, "new": commune})
        has_point = place.latitude is not None and place.longitude is not None
        if commune is None:
            repaired_by = ""
            if place.post_code:
                commune = self._from_post_code(place.post_code, place.city)
                repaired_by = _("code postal et ville")
            if commune is None and has_point:
                found = commune_at(place.latitude, place.longitude)
                commune = self.by_code.get(found.code_insee) if found else None
                repaired_by = _("coordonnées")
            if commune is None:
                raise RecordError(
                    _(
                        "commune inconnue ou hors des territoires chargés (code INSEE « %(code)s », "
                        "code postal « %(post_code)s », ville « %(city)s »)"
                    )
                    % {"code": code, "post_code": place.post_code, "city": place.city}
                )
            if code:
                notes.append(
                    _(
                        "code commune « %(code)s » inconnu ou hors territoire, "
                        "commune retrouvée par %(by)s : %(commune)s"
                    )
                    % {"code": code, "by": repaired_by, "commune": f"{commune.code_insee} {commune.name}"}
                )
        if has_point:
            km = haversine_km(place.latitude, place.longitude, commune.latitude, commune.longitude)
            if km > MAX_KM_FROM_COMMUNE:
                notes.append(
                    _("coordonnées à %(km)d km de %(commune)s, remplacées par le centre de la commune")
                    % {"km": km, "commune": commune.name}
                )
                has_point = False
        if has_point:
            return commune, place.latitude, place.longitude, False, notes
        return commune, commune.latitude, commune.longitude, True, notes


class Writer:
    def __init__(self, report):
        self.report = report
        self.geo = Geography()
        self.certifications = dict(Certification.objects.values_list("code", "id"))
        self._structures = {}
        self._places = {}
        self._warnings = []

    # --- entry points --------------------------------------------------------------------------------

    def write_course(self, record):
        try:
            self._check_course(record)
            with transaction.atomic():
                outcome = self._course(record)
        except RecordError as exc:
            self.report.reject(record.source_id, record.location, str(exc))
            return "rejected"
        except (IntegrityError, DatabaseError) as exc:
            self.report.reject(record.source_id, record.location, _("refusé par la base : %(e)s") % {"e": exc})
            return "rejected"
        self.report.count(outcome)
        for warning in record.warnings:
            self.report.warn(record.source_id, record.location, warning)
        return outcome

    def write_exam_session(self, record):
        try:
            if record.certification not in self.certifications:
                raise RecordError(_("certification inconnue : « %(code)s »") % {"code": record.certification})
            if record.registration_deadline and record.registration_deadline > record.exam_date:
                raise RecordError(_("la date limite d'inscription est après l'épreuve"))
            if record.price is not None and record.price < 0:
                raise RecordError(_("tarif négatif"))
            with transaction.atomic():
                outcome = self._exam_session(record)
        except RecordError as exc:
            self.report.reject(record.source_id, record.location, str(exc))
            return "rejected"
        except (IntegrityError, DatabaseError) as exc:
            self.report.reject(record.source_id, record.location, _("refusé par la base : %(e)s") % {"e": exc})
            return "rejected"
        self.report.count(outcome)
        for warning in record.warnings:
            self.report.warn(record.source_id, record.location, warning)
        return outcome

    # --- checks ----------------------------------------------------------------------------------------

    def _fit(self, model, values, warnings):
        """Cut text longer than its column, saying so (PostgreSQL would refuse it, SQLite would keep it)."""
        for name, value in values.items():
            limit = getattr(model._meta.get_field(name), "max_length", None)
            if isinstance(value, str) and limit and len(value) > limit:
                values[name] = value[: limit - 1] + "…"
                warnings.append(
                    _("%(field)s coupé à %(n)d caractères")
                    % {"field": model._meta.get_field(name).verbose_name, "n": limit}
                )
        return values

    def _check_course(self, r):
        if not (r.name or "").strip():
            raise RecordError(_("intitulé manquant"))
        if not (r.structure.name or "").strip():
            raise RecordError(_("nom de la structure manquant"))
        for name in ("course_type", "parcours", "modality", "registration_mode"):
            if getattr(r, name) not in CHOICES[name]:
                raise RecordError(
                    _("valeur inconnue pour %(field)s : « %(v)s »") % {"field": name, "v": getattr(r, name)}
                )
        for name in ("cecrl_level_target", "entry_level_oral", "entry_level_written"):
            value = getattr(r, name)
            if value is not None and value not in LEVELS:
                raise RecordError(_("niveau CECRL inconnu : « %(v)s »") % {"v": value})
        for name in ("entry_level_oral", "entry_level_written"):
            value = getattr(r, name)
            if value is not None and r.cecrl_level_target is not None and value > r.cecrl_level_target:
                raise RecordError(_("le niveau d'entrée dépasse le niveau visé"))
        if r.is_free and r.cost_amount:
            raise RecordError(_("un cours gratuit ne peut pas avoir de coût"))
        if r.hours_per_week is not None and not (0 <= r.hours_per_week <= 80):
            raise RecordError(_("heures par semaine hors de 0 à 80 : %(v)s") % {"v": r.hours_per_week})
        for value in r.audiences:
            if value not in enums.Audience.values:
                raise RecordError(_("public inconnu : « %(v)s »") % {"v": value})
        for code in r.certifications:
            if code not in self.certifications:
                raise RecordError(_("certification inconnue : « %(code)s »") % {"code": code})
        for slot in r.time_slots:
            if slot.starts_at >= slot.ends_at:
                raise RecordError(_("créneau qui finit avant de commencer"))
        for s in r.sessions:
            if s.starts_on and s.ends_on and s.starts_on > s.ends_on:
                raise RecordError(_("session %(id)s : fin avant le début") % {"id": s.source_id})
            if s.seats is not None and s.seats_left is not None and s.seats_left > s.seats:
                raise RecordError(_("session %(id)s : plus de places restantes que de places") % {"id": s.source_id})

    # --- structures and places -------------------------------------------------------------------------

    def _structure(self, rec):
        key = (rec.source, rec.source_id)
        if key in self._structures:
            return self._structures[key]
        link = StructureSource.objects.select_related("structure").filter(source=rec.source, source_id=rec.source_id)
        link = link.first()
        structure = (
            link.structure if link else Structure.objects.filter(source=rec.source, source_id=rec.source_id).first()
        )
        values = self._fit(Structure, {name: getattr(rec, name) for name in STRUCTURE_FIELDS}, self._warnings)
        if values["siret"] and not (len(values["siret"]) == 14 and values["siret"].isdigit()):
            values["siret"] = ""
        if structure is None and values["siret"]:
            structure = Structure.objects.filter(siret=values["siret"]).first()
            if structure is not None:
                self.report.structures_merged.append(
                    _issue(
                        rec.source_id,
                        _("même SIRET %(siret)s que « %(name)s » (%(source)s) : une seule structure, deux provenances")
                        % {"siret": values["siret"], "name": structure.name, "source": structure.source},
                    )
                )
        if structure is None:
            structure = Structure(source=rec.source, source_id=rec.source_id, source_url=rec.source_url, **values)
            structure.updated_at = rec.updated_at or timezone.now()
            structure.save()
        elif structure.source == rec.source and structure.source_id == rec.source_id:
            if _assign(structure, values) or structure.source_url != rec.source_url:
                structure.source_url = rec.source_url
                structure.updated_at = rec.updated_at or timezone.now()
                structure.save()
        else:  # another source's structure: only fill what it leaves empty
            blanks = {k: v for k, v in values.items() if v and not getattr(structure, k)}
            if _assign(structure, blanks):
                structure.save()
        if link is None:
            StructureSource.objects.update_or_create(
                source=rec.source,
                source_id=rec.source_id,
                defaults={
                    "structure": structure,
                    "source_url": rec.source_url,
                    "updated_at": rec.updated_at or timezone.now(),
                },
            )
        self._structures[key] = structure
        return structure

    def _place(self, source, rec, structure, warnings):
        key = (source, rec.source_id)
        if key in self._places:
            return self._places[key]
        commune, lat, lon, approximate, notes = self.geo.resolve(rec)
        warnings.extend(notes)
        if approximate and not notes:
            warnings.append(_("lieu sans coordonnées : placé au centre de %(commune)s") % {"commune": commune.name})
        values = {
            "name": rec.name,
            "address": rec.address or "-",
            "address_complement": rec.address_complement,
            "post_code": rec.post_code if len(rec.post_code or "") == 5 else "",
            "latitude": lat,
            "longitude": lon,
            "location_is_approximate": approximate or rec.location_is_approximate,
            "step_free_access": rec.step_free_access,
        }
        self._fit(Place, values, warnings)
        if not values["post_code"]:
            codes = [c for c, communes in self.geo.by_post_code.items() if commune in communes]
            if not codes:
                raise RecordError(_("code postal manquant pour %(commune)s") % {"commune": commune.name})
            values["post_code"] = min(codes)
        place = Place.objects.filter(source=source, source_id=rec.source_id).first()
        if place is None:
            place = Place.objects.create(
                source=source, source_id=rec.source_id, structure=structure, commune_id=commune.id, **values
            )
        else:
            changed = _assign(place, values)
            if place.commune_id != commune.id or place.structure_id != structure.id:
                place.commune_id, place.structure_id, changed = commune.id, structure.id, True
            if changed:
                place.updated_at = timezone.now()
                place.save()
        place._commune_name = commune.name
        self._places[key] = place
        return place

    # --- courses ---------------------------------------------------------------------------------------

    def _course(self, r):
        self._warnings = r.warnings
        structure = self._structure(r.structure)
        place = self._place(r.source, r.place, structure, r.warnings)
        values = self._fit(Course, {name: getattr(r, name) for name in COURSE_FIELDS}, r.warnings)
        for name in ("hours_per_week", "cost_amount"):
            if values[name] is not None:
                values[name] = Decimal(values[name]).quantize(
                    Decimal("0.01") if name == "cost_amount" else Decimal("0.1")
                )
        course = Course.objects.filter(source=r.source, source_id=r.source_id).first()
        created = course is None
        if created:
            course = Course(source=r.source, source_id=r.source_id, structure=structure, place=place, **values)
            changed = True
        else:
            changed = _assign(course, values)
            if course.structure_id != structure.id or course.place_id != place.id:
                course.structure, course.place, changed = structure, place, True
        text = course_search_text(course, structure, place, place._commune_name)
        if text != course.search_text:
            course.search_text, changed = text, True
        if changed:
            course.updated_at = r.updated_at or timezone.now()
            course.save()
        changed |= self._children(course, r, created)
        if created:
            return "created"
        if changed:
            if not r.updated_at:
                Course.objects.filter(pk=course.pk).update(updated_at=timezone.now())
            return "updated"
        return "unchanged"

    def _children(self, course, r, created):
        changed = False
        wanted = {(a, m) for a, m in r.audiences.items()}
        have = set() if created else set(course.audiences.values_list("audience", "mode"))
        if wanted != have:
            course.audiences.all().delete()
            CourseAudience.objects.bulk_create(CourseAudience(course=course, audience=a, mode=m) for a, m in wanted)
            changed = True
        wanted = set(r.schooling)
        have = set() if created else set(course.schooling.values_list("schooling", flat=True))
        if wanted != have:
            course.schooling.all().delete()
            CourseSchooling.objects.bulk_create(CourseSchooling(course=course, schooling=s) for s in wanted)
            changed = True
        wanted = set(r.funders)
        have = set() if created else set(course.funders.values_list("funder", flat=True))
        if wanted != have:
            course.funders.all().delete()
            CourseFunder.objects.bulk_create(CourseFunder(course=course, funder=f) for f in wanted)
            changed = True
        wanted = {(s.weekday, s.starts_at, s.ends_at) for s in r.time_slots}
        have = set() if created else set(course.time_slots.values_list("weekday", "starts_at", "ends_at"))
        if wanted != have:
            course.time_slots.all().delete()
            TimeSlot.objects.bulk_create(
                TimeSlot(course=course, weekday=w, starts_at=a, ends_at=b) for w, a, b in wanted
            )
            changed = True
        wanted = {self.certifications[c] for c in r.certifications}
        have = set() if created else set(course.certifications.values_list("id", flat=True))
        if wanted != have:
            course.certifications.set(wanted)
            changed = True
        changed |= self._sessions(course, r, created)
        return changed

    def _sessions(self, course, r, created):
        changed = False
        existing = {} if created else {s.source_id: s for s in course.sessions.all()}
        seen = set()
        for rec in r.sessions:
            seen.add(rec.source_id)
            values = {name: getattr(rec, name) for name in SESSION_FIELDS}
            session = existing.get(rec.source_id)
            if session is None:
                session = Session.objects.filter(source=r.source, source_id=rec.source_id).first()
            if session is None:
                Session.objects.create(
                    course=course,
                    source=r.source,
                    source_id=rec.source_id,
                    updated_at=rec.updated_at or timezone.now(),
                    **values,
                )
                changed = True
            elif _assign(session, values) or session.course_id != course.id:
                session.course = course
                session.updated_at = rec.updated_at or timezone.now()
                session.save()
                changed = True
        gone = [s.pk for source_id, s in existing.items() if source_id not in seen]
        if gone:
            Session.objects.filter(pk__in=gone).delete()
            changed = True
        return changed

    def _exam_session(self, r):
        self._warnings = r.warnings
        structure = self._structure(r.structure)
        place = self._place(r.source, r.place, structure, r.warnings)
        values = self._fit(ExamSession, {name: getattr(r, name) for name in EXAM_FIELDS}, r.warnings)
        if values["price"] is not None:
            values["price"] = Decimal(values["price"]).quantize(Decimal("0.01"))
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
        if exam.structure_id != structure.id or exam.place_id != place.id:
            exam.structure, exam.place, changed = structure, place, True
        if changed:
            exam.updated_at = r.updated_at or timezone.now()
            exam.save()
            return "updated"
        return "unchanged"


def _assign(obj, values):
    """Set the values that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _issue(record_id, reason):
    return Issue(record_id, "", reason)


@contextmanager
def _atomic_run(dry_run):
    try:
        with transaction.atomic():
            yield
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass


def run_import(items, report, dry_run=False, progress=None):
    """Store what a reader yields (records, Rejected, Filtered), all or nothing. Returns the report.

    A reader's fatal error (unreadable file, wrong format) propagates and the transaction rolls back."""
    started = time.perf_counter()
    report.dry_run = dry_run
    with _atomic_run(dry_run):
        writer = Writer(report)
        for item in items:
            if isinstance(item, CourseRecord):
                writer.write_course(item)
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
    report.seconds = time.perf_counter() - started
    return report
