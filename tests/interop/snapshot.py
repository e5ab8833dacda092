"""A course as plain data, every field a user or an export sees, to compare offers across a round trip."""

import dataclasses
from decimal import Decimal

COURSE_FIELDS = (
    "name",
    "description",
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
    "formacode",
    "rs_code",
    "rncp_code",
    "verified_on",
    "source_url",
    "search_text",
)
STRUCTURE_FIELDS = ("name", "siret", "acronym", "kind", "networks", "description", "website", "email", "phone")
PLACE_FIELDS = (
    "name",
    "address",
    "address_complement",
    "post_code",
    "latitude",
    "longitude",
    "location_is_approximate",
    "step_free_access",
)


def _value(value):
    return value.normalize() if isinstance(value, Decimal) else value


def course_snapshot(course):
    return {
        **{f: _value(getattr(course, f)) for f in COURSE_FIELDS},
        # The contact as anyone sees it (ADR 0019): a non-public person's own details are in no export.
        "contact": dataclasses.asdict(course.public_contact),
        "structure": {f: getattr(course.structure, f) for f in STRUCTURE_FIELDS},
        "place": {f: getattr(course.place, f) for f in PLACE_FIELDS} | {"commune": course.place.commune.code_insee},
        "audiences": sorted(course.audiences.values_list("audience", "mode")),
        "schooling": sorted(course.schooling.values_list("schooling", flat=True)),
        "funders": sorted(course.funders.values_list("funder", flat=True)),
        "time_slots": sorted(course.time_slots.values_list("weekday", "starts_at", "ends_at")),
        "certifications": sorted(course.certifications.values_list("code", flat=True)),
        "sessions": sorted(
            (str(s.starts_on), str(s.ends_on), s.recruitment_status, s.seats, s.seats_left)
            for s in course.sessions.all()
        ),
    }


def offer_snapshot(queryset):
    """The courses of a queryset, keyed by name + place + structure so that ids and sources do not matter."""
    snapshots = [course_snapshot(c) for c in queryset.select_related("structure", "place__commune")]
    return sorted(snapshots, key=lambda s: (s["name"], s["place"]["address"], s["structure"]["name"], repr(s)))
