"""What a partner sends to the write API (api/writes.py). The referentials are the model's own choices (one
declaration: offers/enums.py); the rules across fields are offers/rules.py's, checked by the service. Booleans
and integers are strict: `0` is not `false`, `"5"` is not `5`."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt, model_validator

from cartolangue.offers import enums


def _choices(name: str, choices: type) -> Any:
    """The codes of a referential as a literal type: OpenAPI lists them as an enum, a wrong one is a 422 naming
    the field. (`name` documents the type.)"""
    return Literal[tuple(str(value) for value in choices.values)]  # type: ignore[valid-type]


CourseType = _choices("CourseType", enums.CourseType)
Parcours = _choices("Parcours", enums.Parcours)
Modality = _choices("Modality", enums.Modality)
RegistrationMode = _choices("RegistrationMode", enums.RegistrationMode)
RecruitmentStatus = _choices("RecruitmentStatus", enums.RecruitmentStatus)
Audience = _choices("Audience", enums.Audience)
AudienceMode = _choices("AudienceMode", enums.AudienceMode)
Schooling = _choices("Schooling", enums.Schooling)
Funder = _choices("Funder", enums.Funder)
Level = Literal["A1.1", "A1", "A2", "B1", "B2", "C1", "C2"]
LEVELS = {label: value for value, label in enums.CecrlLevel.choices}


class SlotIn(Schema):
    weekday: StrictInt = Field(ge=0, le=6, description="0 = lundi … 6 = dimanche")
    starts_at: datetime.time
    ends_at: datetime.time

    @model_validator(mode="after")
    def _starts_before_end(self) -> "SlotIn":
        if self.starts_at >= self.ends_at:
            raise ValueError("le créneau doit commencer avant de finir")
        return self


class SessionIn(Schema):
    source_id: str = Field(min_length=1, max_length=200, description="Identifiant de la session chez le partenaire.")
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    recruitment_status: RecruitmentStatus | None = None  # type: ignore[valid-type]
    seats: StrictInt | None = Field(None, ge=0, le=100_000)
    seats_left: StrictInt | None = Field(None, ge=0, le=100_000)


class AudienceIn(Schema):
    audience: Audience  # type: ignore[valid-type]
    mode: AudienceMode  # type: ignore[valid-type]


class CourseIn(Schema):
    """A course of the structure, identified by the partner's own `source_id` (the path's)."""

    name: str = Field(min_length=1, max_length=250)
    description: str = Field("", max_length=10_000)
    place_id: StrictInt | None = Field(None, description="Un lieu de la structure (son identifiant Carto-Langue).")
    place_source_id: str | None = Field(
        None, min_length=1, max_length=200, description="Ou un lieu envoyé par l'API, par son identifiant partenaire."
    )
    course_type: CourseType  # type: ignore[valid-type]
    parcours: Parcours | None = None  # type: ignore[valid-type]
    cecrl_level_target: Level | None = None
    entry_level_oral: Level | None = None
    entry_level_written: Level | None = None
    hours_per_week: Decimal | None = Field(None, ge=0, le=80, max_digits=4, decimal_places=1)
    total_hours: StrictInt | None = Field(None, ge=0, le=100_000)
    is_free: StrictBool | None = None
    cost_amount: Decimal | None = Field(None, ge=0, max_digits=8, decimal_places=2)
    cost_details: str = Field("", max_length=250)
    childcare: StrictBool | None = None
    modality: Modality = Field(enums.Modality.ON_SITE.value)  # type: ignore[valid-type]
    registration_mode: RegistrationMode | None = None  # type: ignore[valid-type]
    places_available: StrictBool | None = None
    seats_left: StrictInt | None = Field(None, ge=0, le=100_000)
    audiences: list[AudienceIn] = Field(default_factory=list, max_length=30)
    schooling: list[Schooling] = Field(default_factory=list, max_length=10)  # type: ignore[valid-type]
    funders: list[Funder] = Field(default_factory=list, max_length=30)  # type: ignore[valid-type]
    time_slots: list[SlotIn] = Field(default_factory=list, max_length=50)
    sessions: list[SessionIn] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _one_place(self) -> "CourseIn":
        if (self.place_id is None) == (self.place_source_id is None):
            raise ValueError("donnez place_id ou place_source_id (un seul des deux)")
        return self


class PartnerCourseIn(CourseIn):
    source_id: str = Field(min_length=1, max_length=200, description="Identifiant du cours chez le partenaire.")


class PlaceIn(Schema):
    name: str = Field("", max_length=250)
    address: str = Field(min_length=1, max_length=250, examples=["3 rue de la Gare"])
    address_complement: str = Field("", max_length=250)
    post_code: str = Field(pattern=r"^\d{5}$", examples=["95000"])
    commune: str = Field(pattern=r"^(\d[\dAB]\d{3})$", description="Code INSEE de la commune.", examples=["95127"])
    latitude: float | None = Field(None, ge=48.0, le=49.5)
    longitude: float | None = Field(None, ge=1.3, le=3.7)
    step_free_access: StrictBool | None = None


class ExamSessionIn(Schema):
    certification: str = Field(min_length=1, max_length=50, description="Code de la certification, p. ex. tcf-irn.")
    place_id: StrictInt
    exam_date: datetime.date
    registration_deadline: datetime.date | None = None
    price: Decimal | None = Field(None, ge=0, max_digits=7, decimal_places=2)
    seats_left: StrictInt | None = Field(None, ge=0, le=100_000)
    registration_url: str = Field("", max_length=500, pattern=r"^(https?://\S+)?$")


class WriteOut(Schema):
    outcome: Literal["created", "updated", "unchanged", "deleted"]
    id: int | None
    source_id: str


class BulkOut(Schema):
    created: int
    updated: int
    unchanged: int
    results: list[WriteOut]


class WriteErrorOut(Schema):
    detail: list[dict] | str
