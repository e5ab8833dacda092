"""Support actors (issue #22): the organisations and offices that help a person around the language course –
Mission Locale, France Travail, Ofii, France Services, SIAE, CIDFF… – with where they are, how to reach them,
whom they serve, the schemes they run and the communes they cover."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartolangue.actors.enums import DEFAULT_REACH_KM, ActorKind
from cartolangue.geo.models import Commune
from cartolangue.offers.models import DEMO_SOURCE


class Actor(models.Model):
    source = models.SlugField(_("source"), max_length=50)
    source_id = models.CharField(_("identifiant dans la source"), max_length=200)
    kind = models.CharField(_("type d'acteur"), max_length=40, choices=ActorKind.choices, db_index=True)
    name = models.CharField(_("nom"), max_length=250)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    post_code = models.CharField(
        _("code postal"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("Un code postal compte 5 chiffres."))],
    )
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="actors")
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    location_is_approximate = models.BooleanField(
        _("localisation approximative"), default=False, help_text=_("Centre de la commune faute de coordonnées.")
    )
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    website = models.URLField(_("site web"), blank=True, max_length=500)
    opening_hours = models.TextField(_("horaires d'ouverture"), blank=True)
    # Audience values (offers.enums.Audience) and Scheme values, in the referential's order.
    publics = models.JSONField(_("publics"), default=list, blank=True)
    schemes = models.JSONField(_("dispositifs"), default=list, blank=True)
    covered_communes = models.ManyToManyField(
        Commune, verbose_name=_("communes couvertes"), blank=True, related_name="covering_actors"
    )
    reach_km = models.PositiveSmallIntegerField(
        _("rayon d'action (km)"),
        default=DEFAULT_REACH_KM,
        help_text=_("Faute de liste des communes couvertes : sa commune et ce rayon."),
    )
    source_date = models.DateField(_("date des données de la source"), null=True, blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    # Not stored: set by the search on the actors it returns (search/actors.py), when a point is searched.
    distance: float

    class Meta:
        verbose_name = _("acteur de l'accompagnement")
        verbose_name_plural = _("acteurs de l'accompagnement")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="actor_unique_source_id"),
            models.CheckConstraint(condition=~Q(source="") & ~Q(source_id=""), name="actor_source_not_empty"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="actor_coordinates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune.name})" if self.commune_id else self.name

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE
