"""Invitations to manage a structure: a signed link (Django's signing), valid INVITATION_VALID_DAYS, used once.
The link carries the invitation's id only; the database says whether it was used."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartolangue.accounts.models import Invitation, Membership
from cartolangue.accounts.people import create_person, normalise_email, person_by_email
from cartolangue.offers.models import Structure

SALT = "cartolangue.accounts.invitation"


class InvitationError(Exception):
    """The link is tampered with, expired or already used: said in plain words to the person."""


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=SALT, compress=True)


def invitation_from_token(token: str) -> Invitation:
    try:
        data = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=settings.INVITATION_VALID_DAYS))
    except signing.SignatureExpired as exc:
        raise InvitationError(_("Ce lien d'invitation a expiré : demandez une nouvelle invitation.")) from exc
    except signing.BadSignature as exc:
        raise InvitationError(_("Ce lien d'invitation n'est pas valide.")) from exc
    invitation = Invitation.objects.select_related("structure").filter(pk=data.get("invitation")).first()
    if invitation is None:
        raise InvitationError(_("Cette invitation n'existe plus."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("Cette invitation a déjà été utilisée : connectez-vous."))
    return invitation


def invite(email: str, structure: Structure, is_admin: bool, invited_by: AbstractUser, site_url: str) -> Invitation:
    """Create the invitation and send its link by e-mail (after the transaction commits)."""
    invitation = Invitation.objects.create(
        email=normalise_email(email), structure=structure, is_admin=is_admin, invited_by=invited_by
    )
    link = site_url.rstrip("/") + reverse("space:accept-invitation", args=[invitation_token(invitation)])
    subject = _("Carto-Langue : invitation à gérer l'offre de %(structure)s") % {"structure": structure.name}
    body = _(
        "Bonjour,\n\n%(who)s vous invite à tenir à jour l'offre de cours de français de %(structure)s sur "
        "Carto-Langue.\n\nPour accepter, ouvrez ce lien (valable %(days)d jours, une seule fois) :\n%(link)s\n\n"
        "Si vous ne connaissez pas cette structure, ignorez ce message."
    ) % {
        "who": invited_by.get_full_name() or invited_by.email,
        "structure": structure.name,
        "days": settings.INVITATION_VALID_DAYS,
        "link": link,
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))
    return invitation


def accept(invitation: Invitation, password: str | None) -> AbstractUser:
    """Make the person a member (creating their account with `password` if they have none); single use."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise InvitationError(_("Cette invitation a déjà été utilisée : connectez-vous."))
        person = person_by_email(locked.email) or create_person(locked.email, password)
        membership, _created = Membership.objects.get_or_create(user=person, structure=locked.structure)
        if locked.is_admin and not membership.is_admin:
            membership.is_admin = True
            membership.save(update_fields=["is_admin"])
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return person
