"""The forms of the provider and coordinator spaces. They use the model's referentials (choices), the course
rules shared with the imports (offers/rules.py) and the database constraints, and put each error next to its
field."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.db import models
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from cartolangue.accounts.people import normalise_email
from cartolangue.geo.models import Commune, Departement
from cartolangue.offers import enums
from cartolangue.offers.models import Certification, Course, ExamSession, Place, Session, Structure, TimeSlot
from cartolangue.offers.rules import course_rule_errors

# The course fields a provider edits; those an import also writes become theirs once edited (hand_edited_fields).
COURSE_FORM_FIELDS = [
    "name",
    "description",
    "place",
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
    "seats_left",
    "certifications",
    "contact_role",
    "contact_public",
    "contact_name",
    "contact_phone",
    "contact_email",
]


def https_urls(field: Any, **kwargs: Any) -> Any:
    """Form fields of model fields; a web address typed without its scheme is taken as https."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


NULL_BOOLEAN = [("", _("Non précisé")), ("true", _("Oui")), ("false", _("Non"))]


class LoginForm(AuthenticationForm):
    """Log in with the e-mail address (the username, in lower case: accounts/people.py)."""

    username = forms.EmailField(label=_("Courriel"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def clean_username(self) -> str:
        return normalise_email(self.cleaned_data["username"])


def _null_boolean(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=NULL_BOOLEAN,
        coerce=lambda v: {"true": True, "false": False}.get(v),
        empty_value=None,
        required=False,
    )


class CourseForm(forms.ModelForm):
    """A course, with its audiences, schooling criteria and funders (child tables edited as one field each)."""

    schooling = forms.MultipleChoiceField(
        label=_("Scolarisation attendue"),
        choices=enums.Schooling.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    funders = forms.MultipleChoiceField(
        label=_("Financeurs"), choices=enums.Funder.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Course
        fields = COURSE_FORM_FIELDS
        formfield_callback = https_urls
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "certifications": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, structure: Structure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.structure = structure
        self.fields["place"].queryset = structure.places.select_related("commune").defer("commune__geometry")
        self.fields["certifications"].queryset = Certification.objects.order_by("family", "level", "name")
        for name, label in (
            ("is_free", _("Gratuit")),
            ("childcare", _("Garde d'enfants")),
            ("places_available", _("Places disponibles")),
        ):
            self.fields[name] = _null_boolean(label)
            if self.instance.pk:
                self.initial[name] = {True: "true", False: "false"}.get(getattr(self.instance, name), "")
        # One select per audience: not concerned, priority or exclusive (the referential of the imports).
        current = dict(self.instance.audiences.values_list("audience", "mode")) if self.instance.pk else {}
        self.audience_fields = []
        for value, label in enums.Audience.choices:
            name = f"audience_{value}"
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[("", _("Non concerné")), *enums.AudienceMode.choices],
                required=False,
                initial=current.get(value, ""),
            )
            self.audience_fields.append(name)
        if self.instance.pk:
            self.initial["schooling"] = list(self.instance.schooling.values_list("schooling", flat=True))
            self.initial["funders"] = list(self.instance.funders.values_list("funder", flat=True))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for field, message in course_rule_errors(cleaned).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def audiences(self) -> dict[str, str]:
        return {
            name.removeprefix("audience_"): self.cleaned_data[name]
            for name in self.audience_fields
            if self.cleaned_data.get(name)
        }

    def edited_fields(self) -> set[str]:
        """The fields the person changed, as the import rule names them (child tables by their relation)."""
        changed = set(self.changed_data)
        if any(name in changed for name in self.audience_fields):
            changed.add("audiences")
        return {name for name in changed if not name.startswith("audience_")}


TimeSlotFormSet = inlineformset_factory(
    Course,
    TimeSlot,
    fields=["weekday", "starts_at", "ends_at"],
    widgets={"starts_at": forms.TimeInput(attrs={"type": "time"}), "ends_at": forms.TimeInput(attrs={"type": "time"})},
    extra=2,
    can_delete=True,
)

SessionFormSet = inlineformset_factory(
    Course,
    Session,
    fields=["starts_on", "ends_on", "recruitment_status", "seats", "seats_left"],
    widgets={"starts_on": forms.DateInput(attrs={"type": "date"}), "ends_on": forms.DateInput(attrs={"type": "date"})},
    extra=1,
    can_delete=True,
)


class SeatsForm(forms.Form):
    """One click from the list: "complet", or "il reste N places"."""

    seats_left = forms.IntegerField(label=_("Places restantes"), min_value=0, max_value=999)


class PlaceForm(forms.ModelForm):
    """A place of the structure: an address and a commune; its point is the commune's centre until set (a click
    on the map fills latitude and longitude; no external geocoder)."""

    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.order_by("name").defer("geometry"))
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=48.0, max_value=49.5)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=1.3, max_value=3.7)

    class Meta:
        model = Place
        fields = ["name", "address", "address_complement", "post_code", "commune", "step_free_access"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude", _("Donnez la latitude et la longitude, ou aucune des deux."))
        return cleaned

    def save(self, commit: bool = True) -> Place:
        place = super().save(commit=False)
        if self.cleaned_data.get("latitude") is not None:
            place.latitude, place.longitude = self.cleaned_data["latitude"], self.cleaned_data["longitude"]
            place.location_is_approximate = False
        elif place.pk is None or place.latitude is None:
            place.latitude, place.longitude = place.commune.latitude, place.commune.longitude
            place.location_is_approximate = True
        if commit:
            place.save()
        return place


ExamSessionFormSet = inlineformset_factory(
    Structure,
    ExamSession,
    fields=["certification", "place", "exam_date", "registration_deadline", "price", "seats_left", "registration_url"],
    formfield_callback=https_urls,
    widgets={
        "exam_date": forms.DateInput(attrs={"type": "date"}),
        "registration_deadline": forms.DateInput(attrs={"type": "date"}),
    },
    extra=1,
    can_delete=True,
)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Courriel de la personne"))
    structure = forms.ModelChoiceField(label=_("Structure"), queryset=Structure.objects.none())
    is_admin = forms.BooleanField(
        label=_("Administrateur de la structure (peut inviter ses collègues)"), required=False
    )

    def __init__(self, *args: Any, structures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures.order_by("name")


class NewPasswordForm(forms.Form):
    """The password of a new account (Django's password validators)."""

    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Mot de passe (encore)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe diffèrent."))
        elif first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AccessRequestForm(NewPasswordForm):
    """ "Je gère cette structure" (an existing one) or a new structure, with an account if the person has none."""

    email = forms.EmailField(label=_("Votre courriel"))
    proposed_name = forms.CharField(label=_("Nom de la structure"), max_length=250, required=False)
    proposed_siret = forms.RegexField(label=_("SIRET"), regex=r"^\d{14}$", required=False)
    proposed_kind = forms.ChoiceField(
        label=_("Type de structure"), choices=[("", "—"), *enums.StructureKind.choices], required=False
    )
    proposed_departement = forms.ModelChoiceField(
        label=_("Département"), queryset=Departement.objects.filter(region_code="11"), required=False
    )
    message = forms.CharField(
        label=_("Message au coordinateur"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    field_order = ["email", "password1", "password2"]

    def __init__(self, *args: Any, structure: Structure | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.structure = structure
        if structure is not None:
            for name in ("proposed_name", "proposed_siret", "proposed_kind", "proposed_departement"):
                del self.fields[name]
        else:
            for name in ("proposed_name", "proposed_kind", "proposed_departement"):
                self.fields[name].required = True

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])
