"""The normalised records every reader produces and the one writer (`persist.py`) stores.

Readers (LHEO, Réseau Alpha, data·inclusion, spreadsheets) know their format and nothing of the
database; the writer knows the database and nothing of the formats. Values are already in our
referentials (enums.py); what a reader could not map stays empty, never guessed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal


@dataclass
class StructureRecord:
    source: str
    source_id: str
    name: str
    siret: str = ""
    acronym: str = ""
    kind: str = "autre"
    networks: list = field(default_factory=list)
    description: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    source_url: str = ""
    updated_at: datetime | None = None


@dataclass
class PlaceRecord:
    """An address. The commune is resolved by the writer from `code_insee`, else the post code and
    town, else the coordinates; a place without coordinates gets its commune's centroid, flagged."""

    source_id: str
    address: str
    post_code: str = ""
    city: str = ""
    code_insee: str = ""
    name: str = ""
    address_complement: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_is_approximate: bool = False  # the source says its coordinates are approximate
    step_free_access: bool | None = None


@dataclass
class SessionRecord:
    source_id: str
    starts_on: date | None = None
    ends_on: date | None = None
    recruitment_status: str = ""
    seats: int | None = None
    seats_left: int | None = None
    updated_at: datetime | None = None


@dataclass
class TimeSlotRecord:
    weekday: int
    starts_at: time
    ends_at: time


@dataclass
class CourseRecord:
    source: str
    source_id: str
    structure: StructureRecord
    place: PlaceRecord
    name: str
    course_type: str
    location: str = ""  # where the record is in its file (line, path, row), for the report
    description: str = ""
    parcours: str = ""
    cecrl_level_target: int | None = None
    entry_level_oral: int | None = None
    entry_level_written: int | None = None
    hours_per_week: Decimal | None = None
    total_hours: int | None = None
    is_free: bool | None = True  # None: the source does not say
    cost_amount: Decimal | None = None
    cost_details: str = ""
    childcare: bool | None = None
    modality: str = "presentiel"
    registration_mode: str = ""
    places_available: bool | None = None
    formacode: str = ""
    rs_code: str = ""
    rncp_code: str = ""
    certifications: list = field(default_factory=list)  # Certification codes
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_public: bool = False  # True only when the source marks the contact a public contact point (ADR 0019)
    contact_role: str = ""  # ContactRole value; "" is shown as "Accueil"
    verified_on: date | None = None
    audiences: dict = field(default_factory=dict)  # Audience value → AudienceMode value
    schooling: list = field(default_factory=list)  # Schooling values
    funders: list = field(default_factory=list)  # Funder values
    time_slots: list = field(default_factory=list)  # TimeSlotRecord
    sessions: list = field(default_factory=list)  # SessionRecord
    source_url: str = ""
    updated_at: datetime | None = None
    warnings: list = field(default_factory=list)  # what the reader repaired or dropped, for the report


@dataclass
class ExamSessionRecord:
    source: str
    source_id: str
    certification: str  # Certification code
    structure: StructureRecord
    place: PlaceRecord
    exam_date: date
    location: str = ""
    registration_deadline: date | None = None
    price: Decimal | None = None
    seats_left: int | None = None
    registration_url: str = ""
    source_url: str = ""
    updated_at: datetime | None = None
    warnings: list = field(default_factory=list)


@dataclass
class Rejected:
    """A record a reader could not read: its id, where it is, and why."""

    record_id: str
    location: str
    reason: str


@dataclass
class Filtered:
    """A record a reader skipped on purpose (not a language course), counted in the report."""

    record_id: str
    location: str
    reason: str


@dataclass
class Notice:
    """Something the report must say about the file that is not tied to one stored record (e.g. a schema
    defect in a record that was then filtered out)."""

    record_id: str
    location: str
    reason: str


# What a reader yields, in file order: records to store, and the report's rejections, skips and notices.
ReaderItem = CourseRecord | ExamSessionRecord | Rejected | Filtered | Notice
