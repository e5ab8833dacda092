"""The one permission rule of the project: `can(user, verb, obj)`. Every view of the provider and coordinator
spaces, and later the write API, asks it on the server for the object it is about to show or change; nothing is
hidden in a template alone. Tested as a matrix of role × object × verb (tests/accounts/test_permission_matrix.py).

- A visitor (or anyone) views what is public: published courses and what hangs on them.
- A provider member views, creates, edits and deletes the offer of their structures; a structure admin also
  invites colleagues.
- A coordinator views everything of the structures in scope (a place in one of their départements or zones,
  or a network they look after), approves and reverts there; they do not edit a provider's offer themselves.
- Staff (the Django admin) may do everything.
"""

import enum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from cartolangue.accounts.models import AccessRequest, Coordinator, Invitation, Membership
from cartolangue.offers import enums
from cartolangue.offers.models import Course, ExamSession, Place, Session, Structure, TimeSlot
from cartolangue.upkeep.models import ErrorReport

User = AbstractBaseUser | AnonymousUser


class Verb(enum.StrEnum):
    VIEW = "view"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    APPROVE = "approve"
    REVERT = "revert"
    INVITE = "invite"


OFFER_MODELS = (Structure, Place, Course, Session, TimeSlot, ExamSession)


def structure_of(obj: Any) -> Structure | None:
    """The structure an object belongs to (None for a proposed structure not created yet)."""
    if isinstance(obj, Structure):
        return obj
    if isinstance(obj, Place | Course | ExamSession | Membership | Invitation):
        return obj.structure
    if isinstance(obj, Session | TimeSlot):
        return obj.course.structure
    if isinstance(obj, AccessRequest):
        return obj.structure
    return getattr(obj, "structure", None)


def _course_of(obj: Any) -> Course | None:
    if isinstance(obj, Course):
        return obj
    if isinstance(obj, Session | TimeSlot):
        return obj.course
    return None


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _staff(user: User) -> bool:
    return _active(user) and bool(user.is_staff)


def member_structures(user: User) -> QuerySet:
    """The structures whose offer the person keeps."""
    if not _active(user):
        return Structure.objects.none()
    return Structure.objects.filter(memberships__user=user)


def _coordinator(user: User) -> Coordinator | None:
    if not _active(user):
        return None
    try:
        return user.coordinator
    except Coordinator.DoesNotExist:
        return None


def coordinated_structures(user: User) -> QuerySet:
    """The structures within a coordinator's scope (every structure for staff)."""
    if _staff(user):
        return Structure.objects.all()
    coordinator = _coordinator(user)
    if coordinator is None:
        return Structure.objects.none()
    scope = Q(places__commune__departement__in=coordinator.departements.all()) | Q(
        places__commune__zone_memberships__zone__in=coordinator.zones.all()
    )
    for network in coordinator.networks:
        # The JSON text holds each code in quotes, and the lookup quotes its value as JSON: the whole code
        # matches, on SQLite and PostgreSQL alike (`contains` on a JSON list is PostgreSQL's only).
        scope |= Q(networks__icontains=network)
    return Structure.objects.filter(scope).distinct()


def is_member(user: User, structure: Structure | None) -> bool:
    return structure is not None and _active(user) and structure.memberships.filter(user=user).exists()


def is_structure_admin(user: User, structure: Structure | None) -> bool:
    return structure is not None and _active(user) and structure.memberships.filter(user=user, is_admin=True).exists()


def coordinates(user: User, structure: Structure | None, departement_id: int | None = None) -> bool:
    """The structure (or, for a proposed structure, its département) is within the person's coordination."""
    if _staff(user):
        return True
    coordinator = _coordinator(user)
    if coordinator is None:
        return False
    if structure is None:  # a proposed structure: by the département it gives
        return departement_id is not None and coordinator.departements.filter(pk=departement_id).exists()
    return coordinated_structures(user).filter(pk=structure.pk).exists()


def _public(obj: Any) -> bool:
    course = _course_of(obj)
    if course is not None:
        return course.status == enums.PublicationStatus.PUBLISHED
    return isinstance(obj, OFFER_MODELS)


def can(user: User, verb: Verb, obj: Any) -> bool:
    """Whether the person may do `verb` to `obj` (an offer object, an access request, an invitation, a change
    set of moderation/changes.py, or an error report)."""
    if _staff(user):
        return True
    structure = structure_of(obj)
    if isinstance(obj, ErrorReport):  # read and closed by the structure's people and its coordinators
        return verb in (Verb.VIEW, Verb.EDIT) and (is_member(user, structure) or coordinates(user, structure))
    if verb == Verb.VIEW:
        if _public(obj):
            return True
        if isinstance(obj, AccessRequest):
            return (_active(user) and obj.user_id == user.pk) or coordinates(
                user, structure, obj.proposed_departement_id
            )
        return is_member(user, structure) or coordinates(user, structure)
    if verb in (Verb.CREATE, Verb.EDIT, Verb.DELETE):
        if not isinstance(obj, OFFER_MODELS):
            return False
        if isinstance(obj, Structure) and verb == Verb.DELETE:
            return False  # a structure is removed by staff only: its history and links go with it
        if _course_of(obj) is not None and _course_of(obj).status == enums.PublicationStatus.ARCHIVED:
            return verb == Verb.EDIT and isinstance(obj, Course) and is_member(user, structure)  # restore
        return is_member(user, structure)
    if verb in (Verb.APPROVE, Verb.REVERT):
        departement = obj.proposed_departement_id if isinstance(obj, AccessRequest) else None
        return coordinates(user, structure, departement)
    if verb == Verb.INVITE:
        return is_structure_admin(user, structure) or coordinates(user, structure)
    return False


def coordinators_of(structure: Structure) -> list[Any]:
    """The people who coordinate the structure (coordinators are a few dozen: each is asked the one rule)."""
    people = [c.user for c in Coordinator.objects.select_related("user").filter(user__is_active=True)]
    return [person for person in people if coordinates(person, structure)]
