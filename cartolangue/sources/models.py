"""The source registry (ADR 0022): each feed the platform reads by itself, where and how often, what it owns,
under which licence; each synchronisation run with its outcome and report; the courses a complete feed stopped
listing, counted run after run, and those withdrawn for it (reversible)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartolangue.offers.models import Course

SECRET_PREFIX = "CARTOLANGUE_SOURCE_"  # the only environment variables a source's headers may read

# The structure fields a source may own when its structure is also known from another source (same SIRET):
# interop/persist.py STRUCTURE_FIELDS, without the identifier itself.
OWNABLE_FIELDS = ("name", "acronym", "kind", "networks", "description", "website", "email", "phone")


class Source(models.Model):
    class Format(models.TextChoices):
        LHEO = "lheo", "LHEO 2.2 / 2.3"
        RESEAU_ALPHA = "reseau-alpha", _("Réseau Alpha (cartographie.json)")
        DATA_INCLUSION = "data-inclusion", _("data·inclusion v1 (API ou fichier)")
        SPREADSHEET = "tableur", _("Tableur (modèle XLSX ou CSV)")

    name = models.SlugField(
        _("identifiant"),
        max_length=50,
        unique=True,
        help_text=_("Enregistré avec chaque fiche importée (Course.source) : ne pas le changer après un import."),
    )
    label = models.CharField(_("nom"), max_length=200)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    location = models.CharField(
        _("adresse du fichier"),
        max_length=500,
        help_text=_("Une adresse http(s):// ou un chemin de fichier sur le serveur."),
    )
    structures_location = models.CharField(
        _("adresse des structures"),
        max_length=500,
        blank=True,
        help_text=_("data·inclusion : le fichier ou l'adresse des structures auxquelles se rattachent les services."),
    )
    headers_from_env = models.JSONField(
        _("en-têtes lus dans l'environnement"),
        default=dict,
        blank=True,
        help_text=_(
            "En-tête → nom de la variable d'environnement qui tient sa valeur, par exemple "
            '{"Authorization": "CARTOLANGUE_SOURCE_DOKELIO"}. Seules les variables CARTOLANGUE_SOURCE_… sont '
            "lues ; aucun secret n'est enregistré ici."
        ),
    )
    every_hours = models.PositiveIntegerField(
        _("périodicité (heures)"), default=24, help_text=_("Une synchronisation est due quand ce délai est passé.")
    )
    complete = models.BooleanField(
        _("flux complet"),
        default=False,
        help_text=_(
            "Le fichier donne toute l'offre de la source : un cours qui n'y figure plus pendant plusieurs "
            "synchronisations réussies de suite est retiré (réversible)."
        ),
    )
    owned_fields = models.JSONField(
        _("champs dont la source fait autorité"),
        default=list,
        blank=True,
        help_text=_(
            "Champs d'une structure connue aussi d'une autre source (même SIRET) que cette source remplace : "
            "%(fields)s. Les autres champs, elle ne fait que les compléter."
        )
        % {"fields": ", ".join(OWNABLE_FIELDS)},
    )
    licence = models.CharField(_("licence"), max_length=200)
    licence_url = models.URLField(_("adresse de la licence"), blank=True)
    attribution = models.CharField(_("attribution"), max_length=300)
    enabled = models.BooleanField(_("active"), default=True)
    # What the last successful download said, for conditional requests and to skip an unchanged file.
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    file_hash = models.CharField(_("empreinte du dernier fichier importé"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        unknown = sorted(set(self.owned_fields or []) - set(OWNABLE_FIELDS))
        if unknown:
            raise ValidationError({"owned_fields": _("Champs inconnus : %(f)s.") % {"f": ", ".join(unknown)}})
        if not isinstance(self.headers_from_env, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.headers_from_env.items()
        ):
            raise ValidationError({"headers_from_env": _("Un objet JSON : en-tête → nom de variable.")})
        foreign = sorted(v for v in self.headers_from_env.values() if not v.startswith(SECRET_PREFIX))
        if foreign:
            raise ValidationError(
                {
                    "headers_from_env": _("Seules les variables %(p)s… sont lues (pas %(v)s).")
                    % {"p": SECRET_PREFIX, "v": ", ".join(foreign)}
                }
            )
        if self.structures_location and self.format != self.Format.DATA_INCLUSION:
            raise ValidationError(
                {"structures_location": _("Seul le format data·inclusion a un fichier de structures.")}
            )


class SyncRun(models.Model):
    class Outcome(models.TextChoices):
        RUNNING = "en-cours", _("En cours")
        IMPORTED = "importe", _("Importé")
        NOT_MODIFIED = "non-modifie", _("Inchangé à la source (304)")
        SAME_FILE = "meme-fichier", _("Fichier identique au dernier importé")
        FAILED = "echec", _("Échec")

    SUCCESSES = (Outcome.IMPORTED, Outcome.NOT_MODIFIED, Outcome.SAME_FILE)

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(_("début"), db_index=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    outcome = models.CharField(_("résultat"), max_length=12, choices=Outcome.choices, default=Outcome.RUNNING)
    http_status = models.PositiveSmallIntegerField(_("statut HTTP"), null=True, blank=True)
    bytes_read = models.PositiveBigIntegerField(_("octets lus"), default=0)
    file_hash = models.CharField(_("empreinte"), max_length=64, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    report = models.JSONField(_("rapport d'import"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    withdrawn = models.PositiveIntegerField(_("cours retirés"), default=0)
    restored = models.PositiveIntegerField(_("cours revenus dans le flux"), default=0)

    class Meta:
        verbose_name = _("synchronisation")
        verbose_name_plural = _("synchronisations")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source.name} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def succeeded(self) -> bool:
        return self.outcome in self.SUCCESSES


class Absence(models.Model):
    """A course of a complete feed that the feed's last successful versions no longer list: how many in a row."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="feed_absence")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="absences")
    runs = models.PositiveSmallIntegerField(_("versions du flux sans ce cours, de suite"), default=1)
    first_missing_run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("cours absent du flux")
        verbose_name_plural = _("cours absents du flux")

    def __str__(self) -> str:
        return f"{self.course_id} ({self.source.name}, {self.runs})"


class Withdrawal(models.Model):
    """A course withdrawn because its complete feed stopped listing it; undone by `restore` or by the feed."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="feed_withdrawals")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="withdrawals")
    run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, related_name="withdrawals_made")
    previous_status = models.CharField(max_length=12)
    withdrawn_at = models.DateTimeField(_("retiré le"), auto_now_add=True)
    restored_at = models.DateTimeField(_("rétabli le"), null=True, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("cours retiré par sa source")
        verbose_name_plural = _("cours retirés par leur source")
        ordering = ["-withdrawn_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"], condition=models.Q(restored_at__isnull=True), name="withdrawal_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.source.name})"
