"""Who may change what: a person's memberships of structures (provider members and admins), the territories and
networks a coordinator looks after, the invitations that bring people in and the requests they make.
People are Django users whose username is their e-mail address in lower case (accounts/people.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartolangue.geo.models import Departement, Zone
from cartolangue.offers import enums
from cartolangue.offers.models import Structure


class Membership(models.Model):
    """A person who keeps a structure's offer up to date; an admin also invites colleagues."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="memberships")
    is_admin = models.BooleanField(_("administrateur de la structure"), default=False)
    created_at = models.DateTimeField(_("depuis le"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre d'une structure")
        verbose_name_plural = _("membres des structures")
        constraints = [models.UniqueConstraint(fields=["user", "structure"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.structure}"


class Coordinator(models.Model):
    """A person who approves providers, reviews their changes and reverts them, within a scope: the structures
    with a place in one of its départements or zones, or in one of its networks."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator")
    organisation = models.CharField(_("organisme"), max_length=200, help_text=_("p. ex. Défi métiers, Ofii"))
    departements = models.ManyToManyField(Departement, verbose_name=_("départements"), blank=True)
    zones = models.ManyToManyField(
        Zone, verbose_name=_("zones"), blank=True, help_text=_("Zones d'un zonage (bassins, zones d'emploi…).")
    )
    networks = models.JSONField(
        _("réseaux"), default=list, blank=True, help_text=_("Codes de réseaux (%s).") % ", ".join(enums.Network)
    )

    class Meta:
        verbose_name = _("coordinateur")
        verbose_name_plural = _("coordinateurs")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class Invitation(models.Model):
    """An invitation, sent by e-mail, to manage a structure: its link is signed, single-use and expires."""

    email = models.EmailField(_("courriel"))
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="invitations")
    is_admin = models.BooleanField(_("administrateur de la structure"), default=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.structure}"


class AccessRequest(models.Model):
    """A person asks to manage an existing structure ("je gère cette structure") or proposes a new one; a
    coordinator decides. A proposed structure is created only when approved."""

    class Status(models.TextChoices):
        PENDING = "en-attente", _("En attente")
        APPROVED = "acceptee", _("Acceptée")
        REJECTED = "refusee", _("Refusée")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests")
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, null=True, blank=True, related_name="access_requests"
    )
    proposed_name = models.CharField(_("nom de la structure proposée"), max_length=250, blank=True)
    proposed_siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    proposed_kind = models.CharField(
        _("type de structure"), max_length=30, choices=enums.StructureKind.choices, blank=True
    )
    proposed_departement = models.ForeignKey(
        Departement, verbose_name=_("département"), on_delete=models.PROTECT, null=True, blank=True
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande d'accès")
        verbose_name_plural = _("demandes d'accès")
        constraints = [
            models.CheckConstraint(
                condition=Q(structure__isnull=False) | ~Q(proposed_name=""), name="accessrequest_structure_or_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.structure or self.proposed_name}"


class ApiToken(models.Model):
    """A partner's key to the write API (api/writes.py): named, scoped to structures its owner is a member of,
    stored as a SHA-256 digest (the key is shown once, at creation), revocable, its last use recorded."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100, help_text=_("p. ex. « logiciel d'inscription »"))
    structures = models.ManyToManyField(Structure, verbose_name=_("structures"), related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("début de la clé"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("clé d'API")
        verbose_name_plural = _("clés d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
