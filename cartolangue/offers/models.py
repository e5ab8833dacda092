"""The language offer: structures, places, courses (LHEO "action") and their sessions, certification
tests and their exam sessions. Shaped after LHEO (offre → formation → action → session), with the
language detail LHEO lacks and Réseau Alpha has (levels, schooling, audiences flagged priority or
exclusive, weekly timetables, places). Invariants live in the database constraints below.

Over 400 lines on purpose: the models of one Django app stay in its models.py, declarations of fields and
constraints with little logic; the enumerations (enums.py), contacts, freshness and history are already apart.
"""

import datetime
import uuid

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartolangue.geo.models import Commune
from cartolangue.offers import enums, freshness
from cartolangue.offers.contacts import PublicContact, public_contact
from cartolangue.offers.history import history_of

# Lets constraints say `field__length=N` (Length as a lookup transform on text fields).
models.CharField.register_lookup(Length)

DEMO_SOURCE = "demo"
MANUAL_SOURCE = "saisie"


def _new_source_id():
    return uuid.uuid4().hex


class Provenance(models.Model):
    """Where a record comes from: one source, its id there, and when that source last changed it."""

    # No index of its own: the unique (source, source_id) index serves every look-up by source, and each extra
    # index costs every inserted row (two on PostgreSQL, with the LIKE one a SlugField gets by default).
    source = models.SlugField(
        _("source"),
        max_length=50,
        default=MANUAL_SOURCE,
        db_index=False,
        help_text=_("p. ex. lheo-dokelio, reseau-alpha, demo"),
    )
    source_id = models.CharField(_("identifiant dans la source"), max_length=200, default=_new_source_id)
    source_url = models.URLField(_("adresse dans la source"), blank=True, max_length=500)
    updated_at = models.DateTimeField(_("dernière mise à jour"), default=timezone.now, db_index=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE


def _provenance_constraints(prefix):
    return [
        models.UniqueConstraint(fields=["source", "source_id"], name=f"{prefix}_unique_source_id"),
        models.CheckConstraint(condition=~Q(source="") & ~Q(source_id=""), name=f"{prefix}_source_not_empty"),
    ]


class Structure(Provenance):
    name = models.CharField(_("nom"), max_length=250)
    acronym = models.CharField(_("sigle"), max_length=50, blank=True)
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[RegexValidator(r"^\d{14}$", _("Un SIRET compte 14 chiffres."))],
    )
    kind = models.CharField(_("type de structure"), max_length=30, choices=enums.StructureKind.choices)
    networks = models.JSONField(_("réseaux"), default=list, blank=True, help_text=_("Codes de réseaux (Network)."))
    description = models.TextField(_("présentation"), blank=True)
    website = models.URLField(_("site internet"), blank=True, max_length=500)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    premoderated = models.BooleanField(
        _("sous pré-modération"),
        default=False,
        help_text=_("Coché : les nouveaux cours de ses membres attendent la validation d'un coordinateur."),
    )

    history = history_of()

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]
        indexes = [models.Index(fields=["siret"], name="structure_siret")]  # not `db_index`: no LIKE index
        constraints = [
            *_provenance_constraints("structure"),
            models.CheckConstraint(condition=Q(siret="") | Q(siret__length=14), name="structure_siret_14"),
        ]

    def __str__(self):
        return self.name


class StructureSource(models.Model):
    """Every source that describes a structure: one structure seen by Réseau Alpha and by the Carif-Oref
    (same SIRET) is one structure with two provenances, so each source's next import finds it again."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="sources")
    source = models.SlugField(_("source"), max_length=50, db_index=False)  # the unique index below serves it
    source_id = models.CharField(_("identifiant dans la source"), max_length=200)
    source_url = models.URLField(_("adresse dans la source"), blank=True, max_length=500)
    updated_at = models.DateTimeField(_("dernière mise à jour"), default=timezone.now)

    class Meta:
        verbose_name = _("provenance de la structure")
        verbose_name_plural = _("provenances de la structure")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="structuresource_unique_source_id"),
        ]

    def __str__(self):
        return f"{self.source}:{self.source_id}"


class Place(Provenance):
    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="places"
    )
    name = models.CharField(_("nom du lieu"), max_length=250, blank=True)
    address = models.CharField(_("adresse"), max_length=250)
    address_complement = models.CharField(_("complément d'adresse"), max_length=250, blank=True)
    post_code = models.CharField(
        _("code postal"), max_length=5, validators=[RegexValidator(r"^\d{5}$", _("Un code postal compte 5 chiffres."))]
    )
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="places")
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    location_is_approximate = models.BooleanField(
        _("localisation approximative"), default=False, help_text=_("Centre de la commune faute de coordonnées.")
    )
    step_free_access = models.BooleanField(_("accessible en fauteuil roulant"), null=True, blank=True)

    history = history_of()

    # Not stored: set by an import on the places it writes (interop/persist.py), for the courses' search text.
    commune_name: str

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["commune__name", "address"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="place_lat_lon")]
        constraints = [
            *_provenance_constraints("place"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="place_coordinates_in_range",
            ),
            models.CheckConstraint(condition=Q(post_code__length=5), name="place_post_code_5"),
        ]

    def __str__(self):
        return f"{self.name or self.address}, {self.post_code} {self.commune.name}"


class Certification(models.Model):
    """A French-language certification (DELF A2, TCF IRN, DCL FLE…), loaded by a data migration."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("intitulé"), max_length=200)
    family = models.CharField(_("famille"), max_length=10, choices=enums.CertificationFamily.choices)
    level = models.PositiveSmallIntegerField(
        _("niveau CECRL"),
        choices=enums.CecrlLevel.choices,
        null=True,
        blank=True,
        help_text=_("Vide pour un test qui mesure tous les niveaux (TCF, TEF, DCL)."),
    )
    rs_code = models.CharField(_("code RS (France compétences)"), max_length=10, blank=True)
    cpf_eligible = models.BooleanField(_("éligible au CPF"), default=False)
    # The residence and nationality steps a certification proves: cartolangue/parcours/rules.py `uses_of`.

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["family", "level", "name"]

    def __str__(self):
        return self.name


class CourseQuerySet(models.QuerySet):
    def for_display(self) -> "CourseQuerySet":
        """Everything a result card, a detail page or the API shows, in a bounded number of queries."""
        # Commune contours are large and never shown here: leave them in the database.
        return (
            self.select_related("structure", "place__commune")
            .defer("place__commune__geometry")
            .prefetch_related(
                models.Prefetch("time_slots", queryset=TimeSlot.objects.order_by("weekday", "starts_at")),
                models.Prefetch("audiences", queryset=CourseAudience.objects.order_by("audience")),
                models.Prefetch("schooling", queryset=CourseSchooling.objects.order_by("schooling")),
                models.Prefetch("funders", queryset=CourseFunder.objects.order_by("funder")),
                models.Prefetch("certifications", queryset=Certification.objects.order_by("code")),
            )
        )

    def public(self) -> "CourseQuerySet":
        """The courses anyone may see: published (not waiting for a coordinator, not archived), and not the copy
        of an offer another source gives too (cartolangue/dedup: the offer is shown once, through its
        representative)."""
        return self.filter(status=enums.PublicationStatus.PUBLISHED, duplicate_of__isnull=True)

    def real(self) -> "CourseQuerySet":
        return self.exclude(source=DEMO_SOURCE)

    def demo(self) -> "CourseQuerySet":
        return self.filter(source=DEMO_SOURCE)


class Course(Provenance):
    """One training action: a course given by a structure at a place, with its language detail."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="courses"
    )
    place = models.ForeignKey(Place, verbose_name=_("lieu"), on_delete=models.RESTRICT, related_name="courses")
    name = models.CharField(_("intitulé"), max_length=250)
    description = models.TextField(_("présentation"), blank=True)
    course_type = models.CharField(_("type de cours"), max_length=30, choices=enums.CourseType.choices)
    parcours = models.CharField(_("parcours"), max_length=40, choices=enums.Parcours.choices, blank=True)
    cecrl_level_target = models.PositiveSmallIntegerField(
        _("niveau CECRL visé"), choices=enums.CecrlLevel.choices, null=True, blank=True
    )
    entry_level_oral = models.PositiveSmallIntegerField(
        _("niveau d'entrée à l'oral"),
        choices=enums.CecrlLevel.choices,
        null=True,
        blank=True,
        help_text=_("Vide : aucun prérequis."),
    )
    entry_level_written = models.PositiveSmallIntegerField(
        _("niveau d'entrée à l'écrit"),
        choices=enums.CecrlLevel.choices,
        null=True,
        blank=True,
        help_text=_("Vide : aucun prérequis."),
    )
    hours_per_week = models.DecimalField(
        _("heures par semaine"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    total_hours = models.PositiveIntegerField(_("durée totale (heures)"), null=True, blank=True)
    is_free = models.BooleanField(
        _("gratuit"), null=True, blank=True, default=True, help_text=_("Vide : coût non précisé par la source.")
    )
    cost_amount = models.DecimalField(
        _("coût pour l'apprenant (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cost_details = models.CharField(_("précisions sur le coût"), max_length=250, blank=True)
    childcare = models.BooleanField(_("garde d'enfants"), null=True, blank=True)
    modality = models.CharField(
        _("modalité"), max_length=20, choices=enums.Modality.choices, default=enums.Modality.ON_SITE
    )
    registration_mode = models.CharField(
        _("modalité d'inscription"), max_length=30, choices=enums.RegistrationMode.choices, blank=True
    )
    places_available = models.BooleanField(_("places disponibles"), null=True, blank=True)
    seats_left = models.PositiveIntegerField(
        _("places restantes"), null=True, blank=True, help_text=_("Vide : nombre non précisé.")
    )
    formacode = models.CharField(_("Formacode"), max_length=5, blank=True)
    rs_code = models.CharField(_("code RS"), max_length=10, blank=True)
    rncp_code = models.CharField(_("code RNCP"), max_length=10, blank=True)
    certifications = models.ManyToManyField(
        Certification, verbose_name=_("certifications préparées"), blank=True, related_name="courses"
    )
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_phone = models.CharField(_("téléphone du contact"), max_length=30, blank=True)
    contact_email = models.EmailField(_("courriel du contact"), blank=True)
    # Personal data (ADR 0019): the person above is shown only when they are a public contact point; otherwise
    # the course shows its role with the structure's own phone and e-mail (offers/contacts.py).
    contact_public = models.BooleanField(
        _("contact public"),
        default=False,
        help_text=_("Coché : le nom, le téléphone et le courriel de la personne sont publiés."),
    )
    contact_role = models.CharField(
        _("rôle du contact"),
        max_length=20,
        choices=enums.ContactRole.choices,
        blank=True,
        help_text=_("Affiché à la place du nom quand le contact n'est pas public. Vide : accueil."),
    )
    # When the course's information was last confirmed, and by whom (offers/freshness.py): by the source (its
    # own date; empty: the date the source last changed the course), the structure or a coordinator.
    verified_on = models.DateField(_("vérifié le"), null=True, blank=True)
    verified_by = models.CharField(
        _("vérifié par"), max_length=12, choices=enums.ConfirmedBy.choices, default=enums.ConfirmedBy.SOURCE
    )
    status = models.CharField(
        _("publication"),
        max_length=12,
        choices=enums.PublicationStatus.choices,
        default=enums.PublicationStatus.PUBLISHED,
    )
    # The fields a provider set by hand: a later import of the same record keeps them and reports a conflict
    # (moderation/conflicts.py). Child tables count as one field each ("time_slots", "audiences"…).
    hand_edited_fields = models.JSONField(_("champs saisis par la structure"), default=list, blank=True)
    # Set when the same offer came from another source too (cartolangue/dedup, ADR 0024): this record is then a
    # copy of `duplicate_of`, the one shown; it stays stored, and unlinking the two clears it.
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("même offre que"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="copies",
    )
    # Fields of this record shown with the value of a linked copy whose source has more authority over them
    # (cartolangue/dedup/fusion.py): field → {"own": own value, "value": value shown, "from": copy id}.
    fused_fields = models.JSONField(_("champs pris à une autre source"), default=dict, blank=True, editable=False)
    # Lower-case, accent-free text of the course, its structure and its place, for `q` (see offers/indexing.py).
    search_text = models.TextField(editable=False, default="")

    history = history_of(excluded_fields=["search_text", "duplicate_of", "fused_fields"])

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("cours")
        verbose_name_plural = _("cours")
        ordering = ["name"]
        # A plain index: `db_index` would add, on PostgreSQL, a second one for LIKE, which no query uses.
        indexes = [models.Index(fields=["course_type"], name="course_type")]
        constraints = [
            *_provenance_constraints("course"),
            models.CheckConstraint(
                condition=Q(entry_level_oral__isnull=True)
                | Q(cecrl_level_target__isnull=True)
                | Q(entry_level_oral__lte=F("cecrl_level_target")),
                name="course_oral_entry_not_above_target",
            ),
            models.CheckConstraint(
                condition=Q(entry_level_written__isnull=True)
                | Q(cecrl_level_target__isnull=True)
                | Q(entry_level_written__lte=F("cecrl_level_target")),
                name="course_written_entry_not_above_target",
            ),
            models.CheckConstraint(
                condition=Q(is_free=False) | Q(cost_amount__isnull=True) | Q(cost_amount=0),
                name="course_free_has_no_cost",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | Q(hours_per_week__gte=0, hours_per_week__lte=80),
                name="course_hours_per_week_range",
            ),
            # "Il reste N places" says there are places; "complet" is 0 and no places.
            models.CheckConstraint(
                condition=Q(seats_left__isnull=True)
                | Q(seats_left=0, places_available=False)
                | Q(seats_left__gt=0, places_available=True),
                name="course_seats_left_agrees_with_places_available",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def confirmed_on(self) -> datetime.date:
        """The date the information was last confirmed (offers/freshness.py)."""
        return freshness.confirmed_on(self.verified_on, self.updated_at)

    @property
    def is_stale(self) -> bool:
        """ "Information à vérifier": not confirmed for STALE_AFTER_MONTHS (offers/freshness.py)."""
        return freshness.is_stale(self.confirmed_on, timezone.localdate())

    @property
    def public_contact(self) -> PublicContact:
        """The contact anyone may see (name or role, phone, e-mail): offers/contacts.py, ADR 0019."""
        return public_contact(self)


class CourseAudience(models.Model):
    # Looked up by course through the unique (course, …) index below: no index of its own.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="audiences", db_index=False)
    audience = models.CharField(_("public"), max_length=60, choices=enums.Audience.choices)
    mode = models.CharField(_("accès"), max_length=15, choices=enums.AudienceMode.choices)

    class Meta:
        verbose_name = _("public du cours")
        verbose_name_plural = _("publics du cours")
        constraints = [models.UniqueConstraint(fields=["course", "audience"], name="course_audience_unique")]

    def __str__(self):
        return f"{self.get_audience_display()} ({self.get_mode_display()})"


class CourseSchooling(models.Model):
    # Looked up by course through the unique (course, …) index below: no index of its own.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="schooling", db_index=False)
    schooling = models.CharField(_("scolarisation"), max_length=30, choices=enums.Schooling.choices)

    class Meta:
        verbose_name = _("critère de scolarisation")
        verbose_name_plural = _("critères de scolarisation")
        constraints = [models.UniqueConstraint(fields=["course", "schooling"], name="course_schooling_unique")]

    def __str__(self):
        return self.get_schooling_display()


class CourseFunder(models.Model):
    # Looked up by course through the unique (course, …) index below: no index of its own.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="funders", db_index=False)
    funder = models.CharField(_("financeur"), max_length=30, choices=enums.Funder.choices)

    class Meta:
        verbose_name = _("financeur")
        verbose_name_plural = _("financeurs")
        constraints = [models.UniqueConstraint(fields=["course", "funder"], name="course_funder_unique")]

    def __str__(self):
        return self.get_funder_display()


class TimeSlot(models.Model):
    """A weekly time slot of a course: a day and a start and end time."""

    # Looked up by course through the unique (course, …) index below: no index of its own.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="time_slots", db_index=False)
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=enums.Weekday.choices)
    starts_at = models.TimeField(_("début"))
    ends_at = models.TimeField(_("fin"))

    history = history_of()

    class Meta:
        verbose_name = _("créneau hebdomadaire")
        verbose_name_plural = _("créneaux hebdomadaires")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="timeslot_starts_before_end"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="timeslot_weekday_range"),
            models.UniqueConstraint(fields=["course", "weekday", "starts_at"], name="timeslot_unique"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Session(Provenance):
    """A dated run of a course (LHEO session)."""

    course = models.ForeignKey(Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="sessions")
    starts_on = models.DateField(_("début"), null=True, blank=True, db_index=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    recruitment_status = models.CharField(
        _("état du recrutement"), max_length=20, choices=enums.RecruitmentStatus.choices, blank=True
    )
    seats = models.PositiveIntegerField(_("places"), null=True, blank=True)
    seats_left = models.PositiveIntegerField(_("places restantes"), null=True, blank=True)

    history = history_of()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_on"]
        constraints = [
            *_provenance_constraints("session"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(starts_on__lte=F("ends_on")),
                name="session_starts_before_end",
            ),
            models.CheckConstraint(
                condition=Q(seats__isnull=True) | Q(seats_left__isnull=True) | Q(seats_left__lte=F("seats")),
                name="session_seats_left_within_seats",
            ),
        ]

    def __str__(self):
        return f"{self.course} ({self.starts_on or '?'} → {self.ends_on or '?'})"


class ExamSession(Provenance):
    """A certification test date at a centre."""

    certification = models.ForeignKey(
        Certification, verbose_name=_("certification"), on_delete=models.PROTECT, related_name="exam_sessions"
    )
    structure = models.ForeignKey(
        Structure, verbose_name=_("centre d'examen"), on_delete=models.CASCADE, related_name="exam_sessions"
    )
    place = models.ForeignKey(Place, verbose_name=_("lieu"), on_delete=models.RESTRICT, related_name="exam_sessions")
    exam_date = models.DateField(_("date de l'épreuve"), db_index=True)
    registration_deadline = models.DateField(_("date limite d'inscription"), null=True, blank=True)
    price = models.DecimalField(
        _("tarif (€)"), max_digits=7, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    seats_left = models.PositiveIntegerField(_("places restantes"), null=True, blank=True)
    registration_url = models.URLField(_("lien d'inscription"), blank=True, max_length=500)

    history = history_of()

    # Not stored: set by the search on the sessions it returns (search/exams.py).
    registration_closed: bool
    distance: float  # km from the searched point, when there is one

    class Meta:
        verbose_name = _("session d'examen")
        verbose_name_plural = _("sessions d'examen")
        ordering = ["exam_date"]
        constraints = [
            *_provenance_constraints("examsession"),
            models.CheckConstraint(
                condition=Q(registration_deadline__isnull=True) | Q(registration_deadline__lte=F("exam_date")),
                name="examsession_deadline_before_exam",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="examsession_price_positive"
            ),
        ]

    def __str__(self):
        return f"{self.certification} – {self.exam_date}"
