"""What the write API does (api/writes.py): idempotent upserts by the partner's own identifier, within the
structures its token is scoped to, asked of the one permission rule (accounts/permissions.py) for the token's
owner, checked with the course rules shared with the imports and the provider space (offers/rules.py) and the
model's constraints, and saved through the ORM so that the history records them (offers/history.py).

A partner's records live in their own source, `api-<structure id>`, so its identifiers never meet an import's."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cartolangue.accounts.models import ApiToken
from cartolangue.accounts.permissions import Verb, can
from cartolangue.api.write_schemas import LEVELS, CourseIn, ExamSessionIn, PlaceIn
from cartolangue.geo.models import Commune
from cartolangue.offers import enums, freshness
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
    TimeSlot,
)
from cartolangue.offers.rules import course_rule_errors


class WriteError(Exception):
    """A refused write: `status` (403, 404, 409, 422) and the field it is about (`loc`)."""

    def __init__(self, status: int, message: str, loc: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status, self.message, self.loc = status, message, loc


def partner_source(structure: Structure) -> str:
    return f"api-{structure.pk}"


def structure_for(token: ApiToken, structure_id: int, verb: Verb) -> Structure:
    """The structure, if the token is scoped to it and its owner may do `verb` there (404 if the token does not
    see it: its existence is not disclosed; 403 if it sees it but may not write)."""
    structure = token.structures.filter(pk=structure_id).first()
    if structure is None:
        raise WriteError(404, "structure inconnue ou hors de la portée de cette clé")
    if not can(token.owner, verb, structure):
        raise WriteError(403, "le propriétaire de cette clé ne peut plus modifier cette structure")
    return structure


def _level(code: str | None) -> int | None:
    return None if code is None else LEVELS[code]


def _course_values(data: CourseIn, place: Place) -> dict[str, Any]:
    values = {
        "name": data.name,
        "description": data.description,
        "place_id": place.pk,
        "course_type": data.course_type,
        "parcours": data.parcours or "",
        "cecrl_level_target": _level(data.cecrl_level_target),
        "entry_level_oral": _level(data.entry_level_oral),
        "entry_level_written": _level(data.entry_level_written),
        "hours_per_week": data.hours_per_week,
        "total_hours": data.total_hours,
        "is_free": data.is_free,
        "cost_amount": data.cost_amount,
        "cost_details": data.cost_details,
        "childcare": data.childcare,
        "modality": data.modality,
        "registration_mode": data.registration_mode or "",
        "places_available": data.places_available,
        "seats_left": data.seats_left,
    }
    for field, message in course_rule_errors(values).items():
        raise WriteError(422, message, ("body", "data", field))
    return values


def _place_of(structure: Structure, data: CourseIn | ExamSessionIn) -> Place:
    place_id = getattr(data, "place_id", None)
    if place_id is not None:
        place = structure.places.filter(pk=place_id).first()
        if place is None:
            raise WriteError(422, "ce lieu n'est pas un lieu de la structure", ("body", "data", "place_id"))
        return place
    place = structure.places.filter(source=partner_source(structure), source_id=data.place_source_id).first()
    if place is None:
        raise WriteError(
            422, "lieu inconnu : envoyez-le d'abord (PUT …/places/{source_id})", ("body", "data", "place_source_id")
        )
    return place


def _children(data: CourseIn) -> dict[str, Any]:
    return {
        "slots": {
            (s.weekday, s.starts_at.replace(tzinfo=None), s.ends_at.replace(tzinfo=None)) for s in data.time_slots
        },
        "audiences": {a.audience: a.mode for a in data.audiences},
        "schooling": set(data.schooling),
        "funders": set(data.funders),
        "sessions": {
            s.source_id: {
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "recruitment_status": s.recruitment_status or "",
                "seats": s.seats,
                "seats_left": s.seats_left,
            }
            for s in data.sessions
        },
    }


def _current_children(course: Course, source: str) -> dict[str, Any]:
    prefix = f"{course.source_id}/"
    return {
        "slots": set(course.time_slots.values_list("weekday", "starts_at", "ends_at")),
        "audiences": dict(course.audiences.values_list("audience", "mode")),
        "schooling": set(course.schooling.values_list("schooling", flat=True)),
        "funders": set(course.funders.values_list("funder", flat=True)),
        "sessions": {
            s.source_id.removeprefix(prefix): {
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "recruitment_status": s.recruitment_status,
                "seats": s.seats,
                "seats_left": s.seats_left,
            }
            for s in course.sessions.filter(source=source)
        },
    }


def _write_children(course: Course, source: str, children: dict[str, Any], current: dict[str, Any]) -> None:
    if children["slots"] != current["slots"]:
        course.time_slots.all().delete()
        for weekday, starts_at, ends_at in sorted(children["slots"]):
            TimeSlot.objects.create(course=course, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
    if children["audiences"] != current["audiences"]:
        course.audiences.all().delete()
        CourseAudience.objects.bulk_create(
            CourseAudience(course=course, audience=a, mode=m) for a, m in children["audiences"].items()
        )
    if children["schooling"] != current["schooling"]:
        course.schooling.all().delete()
        CourseSchooling.objects.bulk_create(CourseSchooling(course=course, schooling=v) for v in children["schooling"])
    if children["funders"] != current["funders"]:
        course.funders.all().delete()
        CourseFunder.objects.bulk_create(CourseFunder(course=course, funder=v) for v in children["funders"])
    if children["sessions"] != current["sessions"]:
        prefix = f"{course.source_id}/"
        course.sessions.filter(source=source).exclude(
            source_id__in=[prefix + key for key in children["sessions"]]
        ).delete()
        for key, values in children["sessions"].items():
            session = Session.objects.filter(source=source, source_id=prefix + key).first() or Session(
                course=course, source=source, source_id=prefix + key
            )
            for name, value in values.items():
                setattr(session, name, value)
            _save(session, ("body", "data", "sessions"))


def _save(obj: Any, loc: tuple[str, ...]) -> None:
    """Save after the model's own field checks (lengths, choices, validators): a refusal is a 422 at `loc`. The
    rules across fields were checked before (offers/rules.py), with their field; the database's constraints
    hold them last (an IntegrityError is a 422 too). Foreign keys were resolved by the caller."""
    try:
        related = [f.name for f in obj._meta.concrete_fields if f.is_relation]
        obj.full_clean(exclude=related, validate_unique=False, validate_constraints=False)
        obj.save()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise WriteError(422, "; ".join(messages), (*loc, field) if field != "__all__" else loc) from error
    except IntegrityError as error:
        raise WriteError(422, str(error), loc) from error


def upsert_course(
    token: ApiToken,
    structure_id: int,
    source_id: str,
    data: CourseIn,
    structure: Structure | None = None,
    places: dict[Any, Place] | None = None,
) -> tuple[str, Course]:
    """Create or update the partner's course; "unchanged" writes nothing (its confirmation date apart). A push
    passes the structure it checked once, and a cache of the places it resolved."""
    structure = structure or structure_for(token, structure_id, Verb.CREATE)
    source = partner_source(structure)
    with transaction.atomic():
        course = Course.objects.select_for_update().filter(source=source, source_id=source_id).first()
        if course is not None and course.status == enums.PublicationStatus.ARCHIVED:
            raise WriteError(403, "ce cours est archivé : remettez-le dans l'offre depuis l'espace de la structure")
        key = (data.place_id, data.place_source_id)
        place = places.get(key) if places is not None else None
        if place is None:
            place = _place_of(structure, data)
            if places is not None:
                places[key] = place
        values, children = _course_values(data, place), _children(data)
        today = timezone.localdate()
        if course is not None:
            current = _current_children(course, source)
            same = all(getattr(course, name) == value for name, value in values.items()) and current == children
            if same:
                if course.verified_on != today:  # a push of the same data confirms it: not an edit
                    Course.objects.filter(pk=course.pk).update(
                        verified_on=today, verified_by=enums.ConfirmedBy.STRUCTURE
                    )
                return "unchanged", course
            outcome = "updated"
        else:
            course = Course(structure=structure, source=source, source_id=source_id)
            course.status = (
                enums.PublicationStatus.PENDING if structure.premoderated else enums.PublicationStatus.PUBLISHED
            )
            current = {"slots": set(), "audiences": {}, "schooling": set(), "funders": set(), "sessions": {}}
            outcome = "created"
        for name, value in values.items():
            setattr(course, name, value)
        course.updated_at = timezone.now()
        freshness.confirm(course, enums.ConfirmedBy.STRUCTURE, today)
        _save(course, ("body", "data"))
        _write_children(course, source, children, current)
    return outcome, course


def delete_course(token: ApiToken, structure_id: int, source_id: str) -> Course:
    structure = structure_for(token, structure_id, Verb.EDIT)
    course = Course.objects.filter(source=partner_source(structure), source_id=source_id).first()
    if course is None:
        raise WriteError(404, "cours inconnu")
    if not can(token.owner, Verb.DELETE, course):
        raise WriteError(403, "ce cours ne peut pas être supprimé")
    with transaction.atomic():
        course.delete()
    return course


def upsert_place(token: ApiToken, structure_id: int, source_id: str, data: PlaceIn) -> tuple[str, Place]:
    structure = structure_for(token, structure_id, Verb.CREATE)
    commune = Commune.objects.filter(code_insee=data.commune).defer("geometry").first()
    if commune is None:
        raise WriteError(422, "commune inconnue en Île-de-France", ("body", "data", "commune"))
    source = partner_source(structure)
    with transaction.atomic():
        place = Place.objects.select_for_update().filter(source=source, source_id=source_id).first()
        outcome = "updated" if place is not None else "created"
        place = place or Place(structure=structure, source=source, source_id=source_id)
        values = data.model_dump(exclude={"commune", "latitude", "longitude"}) | {"commune_id": commune.pk}
        if data.latitude is not None and data.longitude is not None:
            values |= {"latitude": data.latitude, "longitude": data.longitude, "location_is_approximate": False}
        elif place.pk is None:
            values |= {"latitude": commune.latitude, "longitude": commune.longitude, "location_is_approximate": True}
        if outcome == "updated" and all(getattr(place, k) == v for k, v in values.items()):
            return "unchanged", place
        for name, value in values.items():
            setattr(place, name, value)
        place.updated_at = timezone.now()
        _save(place, ("body", "data"))
    return outcome, place


def delete_place(token: ApiToken, structure_id: int, source_id: str) -> Place:
    structure = structure_for(token, structure_id, Verb.EDIT)
    place = Place.objects.filter(source=partner_source(structure), source_id=source_id).first()
    if place is None:
        raise WriteError(404, "lieu inconnu")
    if not can(token.owner, Verb.DELETE, place):
        raise WriteError(403, "ce lieu ne peut pas être supprimé")
    if place.courses.exists() or place.exam_sessions.exists():
        raise WriteError(409, "des cours ou des sessions d'examen ont encore lieu ici : supprimez-les d'abord")
    place.delete()
    return place


def upsert_exam_session(
    token: ApiToken, structure_id: int, source_id: str, data: ExamSessionIn
) -> tuple[str, ExamSession]:
    structure = structure_for(token, structure_id, Verb.CREATE)
    certification = Certification.objects.filter(code=data.certification).first()
    if certification is None:
        raise WriteError(422, "certification inconnue", ("body", "data", "certification"))
    place = _place_of(structure, data)
    source = partner_source(structure)
    with transaction.atomic():
        exam = ExamSession.objects.select_for_update().filter(source=source, source_id=source_id).first()
        outcome = "updated" if exam is not None else "created"
        exam = exam or ExamSession(structure=structure, source=source, source_id=source_id)
        values = data.model_dump(exclude={"certification", "place_id"}) | {
            "certification_id": certification.pk,
            "place_id": place.pk,
        }
        if outcome == "updated" and all(getattr(exam, k) == v for k, v in values.items()):
            return "unchanged", exam
        for name, value in values.items():
            setattr(exam, name, value)
        exam.updated_at = timezone.now()
        _save(exam, ("body", "data"))
    return outcome, exam


def delete_exam_session(token: ApiToken, structure_id: int, source_id: str) -> ExamSession:
    structure = structure_for(token, structure_id, Verb.EDIT)
    exam = ExamSession.objects.filter(source=partner_source(structure), source_id=source_id).first()
    if exam is None:
        raise WriteError(404, "session d'examen inconnue")
    if not can(token.owner, Verb.DELETE, exam):
        raise WriteError(403, "cette session ne peut pas être supprimée")
    exam.delete()
    return exam
