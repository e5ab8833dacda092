"""Response schemas of the public API (pydantic, through django-ninja). Field names are English; the
French descriptions are what OpenAPI shows."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import create_model

from cartolangue.search.params import COURSE_PARAMS, EXAM_PARAMS, MAX_VALUES, PARAM_SCHEMAS, STRUCTURE_PARAMS


def _filters_schema(name, params):
    """A query schema declaring every search parameter (repeatable strings) with its French description.
    The values themselves are validated by the search engine, which names the faulty parameter."""
    fields = {
        param: (
            list[str],
            Field(
                None,
                description=str(description),
                json_schema_extra={"items": PARAM_SCHEMAS[param], "maxItems": MAX_VALUES},
            ),
        )
        for param, description in params.items()
    }
    return create_model(name, __base__=Schema, **fields)


CourseFilters = _filters_schema("CourseFilters", COURSE_PARAMS)
ExamFilters = _filters_schema("ExamFilters", EXAM_PARAMS)
StructureFilters = _filters_schema("StructureFilters", STRUCTURE_PARAMS)


class Label(Schema):
    code: str
    label: str


class ErrorDetail(Schema):
    loc: list[str | int]
    msg: str
    type: str


class NotFoundOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[ErrorDetail]


class CommuneOut(Schema):
    code_insee: str
    name: str
    departement: str


class PlaceOut(Schema):
    id: int
    name: str
    address: str
    post_code: str
    commune: CommuneOut
    latitude: float
    longitude: float
    location_is_approximate: bool
    step_free_access: bool | None


class StructureRef(Schema):
    id: int
    name: str
    url: str


class AudienceOut(Schema):
    code: str
    label: str
    mode: Label


class TimeSlotOut(Schema):
    weekday: Label
    starts_at: str = Field(pattern=r"^\d{2}:\d{2}$", description=str(_("Heure de début, HH:MM (heure de Paris).")))
    ends_at: str = Field(pattern=r"^\d{2}:\d{2}$", description=str(_("Heure de fin, HH:MM (heure de Paris).")))


class CourseOut(Schema):
    id: int
    url: str = Field(description=str(_("Page du cours sur le site.")))
    name: str
    course_type: Label
    parcours: Label | None
    cecrl_level_target: str | None
    entry_level_oral: str | None
    entry_level_written: str | None
    schooling: list[Label]
    audiences: list[AudienceOut]
    time_slots: list[TimeSlotOut]
    hours_per_week: Decimal | None
    total_hours: int | None
    is_free: bool | None
    cost_amount: Decimal | None
    childcare: bool | None
    modality: Label
    registration_mode: Label | None
    places_available: bool | None
    seats_left: int | None = Field(None, description="Places restantes ; null : nombre non précisé.")
    confirmed_on: datetime.date = Field(
        description="Date à laquelle l'information a été confirmée pour la dernière fois."
    )
    confirmed_by: Label = Field(description="Qui l'a confirmée : la source, la structure ou la coordination.")
    stale: bool = Field(description="Information à vérifier : pas confirmée depuis STALE_AFTER_MONTHS mois (6).")
    funders: list[Label]
    certifications: list[Label]
    next_session_on: datetime.date | None
    distance_km: float | None = Field(None, description=str(_("Distance au centre de recherche, en km.")))
    structure: StructureRef
    place: PlaceOut
    source: str
    updated_at: datetime.datetime
    is_demo: bool = Field(description=str(_("Données de démonstration, fictives.")))


class SessionOut(Schema):
    id: int
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    recruitment_status: Label | None
    seats: int | None
    seats_left: int | None


class ContactOut(Schema):
    """Only what may be published (ADR 0019): a person only when they are a public contact point."""

    name: str = Field(
        description=str(_("Nom de la personne si elle est un contact public, sinon son rôle (Accueil, Référent)."))
    )
    phone: str = Field(
        description=str(_("Téléphone de la personne si elle est un contact public, sinon celui de la structure."))
    )
    email: str = Field(
        description=str(_("Courriel de la personne si elle est un contact public, sinon celui de la structure."))
    )
    is_person: bool = Field(description=str(_("Vrai : une personne, contact public. Faux : un rôle.")))
    role: Label | None


class CourseDetailOut(CourseOut):
    description: str
    cost_details: str
    formacode: str
    contact: ContactOut
    sessions: list[SessionOut]
    source_url: str
    verified_on: datetime.date | None


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class NearestOut(Schema):
    id: int
    name: str = Field(description=str(_("Intitulé du cours, ou nom de la certification pour une session de test.")))
    url: str = Field(description=str(_("Page du cours ou de la structure sur le site.")))
    distance_km: float = Field(description=str(_("Distance au centre de recherche, en km.")))


NEAREST = Field(
    None,
    description=str(
        _(
            "Quand rien ne se trouve dans le rayon : le résultat le plus proche au-delà (jusqu'à 200 km), qui "
            "répond à tous les autres critères ; sinon null."
        )
    ),
)


class CoursePage(Schema):
    total: int
    page: int
    pages: int
    page_size: int
    results: list[CourseOut]
    facets: dict[str, list[FacetValueOut]]
    nearest: NearestOut | None = NEAREST


class CertificationOut(Schema):
    code: str
    name: str
    level: str | None
    cpf_eligible: bool
    rs_code: str


class ExamSessionOut(Schema):
    id: int
    certification: CertificationOut
    centre: StructureRef
    place: PlaceOut
    exam_date: datetime.date
    registration_deadline: datetime.date | None
    registration_closed: bool = Field(
        description=str(
            _(
                "Vrai quand la date limite d'inscription est passée : ces sessions viennent après toutes les "
                "autres, quel que soit le tri."
            )
        )
    )
    price: Decimal | None
    seats_left: int | None
    registration_url: str
    distance_km: float | None
    source: str
    updated_at: datetime.datetime
    is_demo: bool


class ExamPage(Schema):
    total: int
    page: int
    pages: int
    page_size: int
    results: list[ExamSessionOut]
    facets: dict[str, list[FacetValueOut]]
    nearest: NearestOut | None = NEAREST


class StructureOut(Schema):
    id: int
    url: str
    name: str
    acronym: str
    siret: str
    kind: Label
    website: str
    email: str
    phone: str
    source: str
    updated_at: datetime.datetime
    is_demo: bool


class StructureDetailOut(StructureOut):
    description: str
    places: list[PlaceOut]
    courses: list[CourseOut]


class StructurePage(Schema):
    total: int
    page: int
    pages: int
    page_size: int
    results: list[StructureOut]


class CommuneSuggestion(Schema):
    code_insee: str
    name: str
    departement: str
    post_codes: list[str]


class ZoneOut(Schema):
    code: str
    name: str


class ZoningOut(Schema):
    slug: str
    name: str
    source: str
    zones: list[ZoneOut]
