"""Reference territories: communes, départements, EPCI, and generic zonings (zones d'emploi, bassins…).

Geometries are stored as WKB (EPSG:4326, lon/lat) and read with shapely; a bounding box and a centroid
are kept in plain float columns so that SQLite and PostgreSQL can pre-filter without a spatial extension
(see docs/adr/0003-geo-without-gis.md).
"""

from functools import cached_property

import shapely
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from shapely.geometry.base import BaseGeometry


class Departement(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    region_code = models.CharField(_("code région"), max_length=2, db_index=True)

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    code = models.CharField(_("SIREN"), max_length=9, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, help_text=_("CC, CA, CU, MET, EPT…"))

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CommuneQuerySet(models.QuerySet):
    def containing_bbox(self, latitude: float, longitude: float) -> "CommuneQuerySet":
        return self.filter(
            min_latitude__lte=latitude,
            max_latitude__gte=latitude,
            min_longitude__lte=longitude,
            max_longitude__gte=longitude,
        )


class Commune(models.Model):
    code_insee = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    # Lower-case, accent-free, hyphens as spaces: "saint ouen l'aumone", for the autocomplete.
    search_name = models.CharField(max_length=100, db_index=True, default="", editable=False)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    departement = models.ForeignKey(
        Departement, verbose_name=_("département"), on_delete=models.PROTECT, related_name="communes"
    )
    epci = models.ForeignKey(
        Epci, verbose_name=_("EPCI"), on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    geometry = models.BinaryField(_("contour (WKB, WGS84)"), editable=False)
    latitude = models.FloatField(_("latitude du centroïde"))
    longitude = models.FloatField(_("longitude du centroïde"))
    min_latitude = models.FloatField()
    max_latitude = models.FloatField()
    min_longitude = models.FloatField()
    max_longitude = models.FloatField()

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["min_latitude", "max_latitude", "min_longitude", "max_longitude"], name="commune_bbox"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_latitude__lte=F("max_latitude")) & Q(min_longitude__lte=F("max_longitude")),
                name="commune_bbox_ordered",
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="commune_centroid_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code_insee})"

    @cached_property
    def shape(self) -> BaseGeometry:
        return shapely.from_wkb(bytes(self.geometry))


class CommuneAlias(models.Model):
    """A former or secondary INSEE code (commune déléguée, associée, or merged away) and the commune it is now."""

    code = models.CharField(_("ancien code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name = _("ancien code commune")
        verbose_name_plural = _("anciens codes communes")

    def __str__(self):
        return f"{self.code} → {self.commune.code_insee}"


class PostCode(models.Model):
    """La Poste post code → commune (many to many: a post code can serve several communes, and the reverse)."""

    code = models.CharField(_("code postal"), max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="post_codes")

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="postcode_unique_commune")]

    def __str__(self):
        return f"{self.code} {self.commune.name}"


class Zoning(models.Model):
    """A way of cutting the territory into zones: INSEE zones d'emploi, the Région's bassins d'emploi…"""

    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(
        _("nom"), max_length=200, help_text=_("Affiché tel quel, p. ex. « Zones d'emploi INSEE 2020 ».")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(_("chargé le"), auto_now=True)

    class Meta:
        verbose_name = _("zonage")
        verbose_name_plural = _("zonages")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Zone(models.Model):
    zoning = models.ForeignKey(Zoning, verbose_name=_("zonage"), on_delete=models.CASCADE, related_name="zones")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("nom"), max_length=200)
    geometry = models.BinaryField(_("contour (WKB, WGS84)"), null=True, editable=False)
    communes: "models.ManyToManyField[Commune, ZoneMembership]" = models.ManyToManyField(
        Commune, through="ZoneMembership", related_name="zones"
    )

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["zoning", "code"]
        constraints = [models.UniqueConstraint(fields=["zoning", "code"], name="zone_unique_code")]

    def __str__(self):
        return f"{self.name} ({self.code})"


class ZoneMembership(models.Model):
    class Resolution(models.TextChoices):
        TABLE = "table", _("table de composition")
        ALIAS = "alias", _("ancien code de la table")
        POLYGON = "polygon", _("contour de la zone")

    zoning = models.ForeignKey(Zoning, on_delete=models.CASCADE, related_name="memberships")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="memberships")
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="zone_memberships")
    resolution = models.CharField(_("rattachement"), max_length=10, choices=Resolution.choices)

    class Meta:
        verbose_name = _("appartenance à une zone")
        verbose_name_plural = _("appartenances aux zones")
        # A commune belongs to exactly one zone of a zoning.
        constraints = [models.UniqueConstraint(fields=["zoning", "commune"], name="membership_one_zone_per_zoning")]

    def __str__(self):
        return f"{self.commune_id} ∈ {self.zone_id}"


class Qpv(models.Model):
    """A quartier prioritaire de la politique de la ville (2024), with its contour as shipped: simplified to
    about 50 m (data/territories/PROVENANCE.md), good for a map and a "within N m" filter, not for a boundary."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    commune_name = models.CharField(_("commune"), max_length=200)
    geometry = models.BinaryField(_("contour simplifié (WKB, WGS84)"), editable=False)

    class Meta:
        verbose_name = _("quartier prioritaire (QPV)")
        verbose_name_plural = _("quartiers prioritaires (QPV)")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @cached_property
    def shape(self) -> BaseGeometry:
        return shapely.from_wkb(bytes(self.geometry))


class NeedSource(models.Model):
    """Where a need indicator of the territorial diagnostic comes from: shown with every figure it gives. An
    indicator without its row here is absent from the diagnostic, never estimated."""

    key = models.SlugField(_("indicateur"), unique=True)
    label = models.CharField(_("libellé"), max_length=200)
    source = models.CharField(_("source"), max_length=300)
    year = models.PositiveSmallIntegerField(_("millésime"))
    licence = models.CharField(_("licence"), max_length=200)
    loaded_at = models.DateTimeField(_("chargé le"), auto_now=True)

    class Meta:
        verbose_name = _("source d'un indicateur de besoin")
        verbose_name_plural = _("sources des indicateurs de besoin")

    def __str__(self):
        return f"{self.label} ({self.source}, {self.year})"
