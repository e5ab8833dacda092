"""Which contact a course shows: the one rule every page, API answer, export and printed sheet applies (ADR 0019).

A course's contact person (name, phone, e-mail) is personal data. They are published only when the person is a
public contact point (`Course.contact_public`: a source that says so, or the provider's own choice). Otherwise the
course shows the person's role ("Accueil", "Référent") with the structure's institutional phone and e-mail, and
never the person's name, phone or e-mail, even where the structure has no phone or e-mail of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cartolangue.offers import enums

if TYPE_CHECKING:
    from cartolangue.offers.models import Course


@dataclass(frozen=True)
class PublicContact:
    """What may be published of a course's contact. `name` is a person's name only when `is_person`."""

    name: str
    phone: str
    email: str
    is_person: bool
    role: str  # ContactRole value, "" when the source gave none


def public_contact(course: Course) -> PublicContact:
    """The contact of `course` as anyone may see it (needs `course.structure`, loaded or loadable)."""
    structure = course.structure
    role = course.contact_role or enums.ContactRole.RECEPTION
    role_label = str(enums.ContactRole(role).label)
    if course.contact_public:
        # A public person's own details first; the structure's fill what they lack.
        return PublicContact(
            name=course.contact_name or role_label,
            phone=course.contact_phone or structure.phone,
            email=course.contact_email or structure.email,
            is_person=bool(course.contact_name),
            role=course.contact_role,
        )
    return PublicContact(
        name=role_label, phone=structure.phone, email=structure.email, is_person=False, role=course.contact_role
    )
