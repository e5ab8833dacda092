"""Model objects → plain dicts shaped like the API schemas (the only place that knows both)."""

import functools

from django.urls import reverse

from cartolangue.geo.loading import departement_of
from cartolangue.offers import enums


@functools.cache
def _labels(choices):
    # The (lazy) labels of an enum, computed once: `choices.choices` builds a new list at every call.
    return dict(choices.choices)


def label(choices, value):
    if value in (None, ""):
        return None
    return {"code": str(value), "label": str(_labels(choices).get(value, value))}


def level(value):
    return enums.CecrlLevel(value).label if value is not None else None


def place(p):
    return {
        "id": p.pk,
        "name": p.name,
        "address": p.address,
        "post_code": p.post_code,
        "commune": {
            "code_insee": p.commune.code_insee,
            "name": p.commune.name,
            "departement": departement_of(p.commune.code_insee),
        },
        "latitude": p.latitude,
        "longitude": p.longitude,
        "location_is_approximate": p.location_is_approximate,
        "step_free_access": p.step_free_access,
    }


def structure_ref(s):
    return {"id": s.pk, "name": s.name, "url": reverse("www:structure", args=[s.pk])}


def course(c):
    return {
        "id": c.pk,
        "url": reverse("www:course", args=[c.pk]),
        "name": c.name,
        "course_type": label(enums.CourseType, c.course_type),
        "parcours": label(enums.Parcours, c.parcours),
        "cecrl_level_target": level(c.cecrl_level_target),
        "entry_level_oral": level(c.entry_level_oral),
        "entry_level_written": level(c.entry_level_written),
        "schooling": [label(enums.Schooling, s.schooling) for s in c.schooling.all()],
        "audiences": [
            {**label(enums.Audience, a.audience), "mode": label(enums.AudienceMode, a.mode)} for a in c.audiences.all()
        ],
        "time_slots": [
            {
                "weekday": label(enums.Weekday, s.weekday),
                "starts_at": s.starts_at.strftime("%H:%M"),
                "ends_at": s.ends_at.strftime("%H:%M"),
            }
            for s in c.time_slots.all()
        ],
        "hours_per_week": c.hours_per_week,
        "total_hours": c.total_hours,
        "is_free": c.is_free,
        "cost_amount": c.cost_amount,
        "childcare": c.childcare,
        "modality": label(enums.Modality, c.modality),
        "registration_mode": label(enums.RegistrationMode, c.registration_mode),
        "places_available": c.places_available,
        "seats_left": c.seats_left,
        "confirmed_on": c.confirmed_on,
        "confirmed_by": label(enums.ConfirmedBy, c.verified_by),
        "stale": c.is_stale,
        "funders": [label(enums.Funder, f.funder) for f in c.funders.all()],
        "certifications": [{"code": k.code, "label": k.name} for k in c.certifications.all()],
        "next_session_on": getattr(c, "next_session_on", None),
        "distance_km": round(c.distance, 2) if getattr(c, "distance", None) is not None else None,
        "structure": structure_ref(c.structure),
        "place": place(c.place),
        "source": c.source,
        "updated_at": c.updated_at,
        "is_demo": c.is_demo,
    }


def contact(c):
    # Never the person's own fields: the one rule of offers/contacts.py decides what is public.
    shown = c.public_contact
    return {
        "name": shown.name,
        "phone": shown.phone,
        "email": shown.email,
        "is_person": shown.is_person,
        "role": label(enums.ContactRole, shown.role),
    }


def course_detail(c):
    return {
        **course(c),
        "description": c.description,
        "cost_details": c.cost_details,
        "formacode": c.formacode,
        "contact": contact(c),
        "sessions": [
            {
                "id": s.pk,
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "recruitment_status": label(enums.RecruitmentStatus, s.recruitment_status),
                "seats": s.seats,
                "seats_left": s.seats_left,
            }
            for s in c.sessions.all()
        ],
        "source_url": c.source_url,
        "verified_on": c.verified_on,
    }


def facets(result):
    return {
        name: [{"value": f.value, "label": f.label, "count": f.count, "selected": f.selected} for f in values]
        for name, values in result.facets.items()
    }


def exam_session(e):
    k = e.certification
    return {
        "id": e.pk,
        "certification": {
            "code": k.code,
            "name": k.name,
            "level": level(k.level),
            "cpf_eligible": k.cpf_eligible,
            "rs_code": k.rs_code,
        },
        "centre": structure_ref(e.structure),
        "place": place(e.place),
        "exam_date": e.exam_date,
        "registration_deadline": e.registration_deadline,
        "registration_closed": bool(getattr(e, "registration_closed", False)),
        "price": e.price,
        "seats_left": e.seats_left,
        "registration_url": e.registration_url,
        "distance_km": round(e.distance, 2) if getattr(e, "distance", None) is not None else None,
        "source": e.source,
        "updated_at": e.updated_at,
        "is_demo": e.is_demo,
    }


def structure(s):
    return {
        "id": s.pk,
        "url": reverse("www:structure", args=[s.pk]),
        "name": s.name,
        "acronym": s.acronym,
        "siret": s.siret,
        "kind": label(enums.StructureKind, s.kind),
        "website": s.website,
        "email": s.email,
        "phone": s.phone,
        "source": s.source,
        "updated_at": s.updated_at,
        "is_demo": s.is_demo,
    }


def nearest(item, name, url):
    """The nearest result beyond the radius (a course or an exam session, with its `.distance`), or None."""
    if item is None:
        return None
    return {"id": item.pk, "name": name, "url": url, "distance_km": round(item.distance, 2)}


def page(result, serialize):
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "page_size": result.page_size,
        "results": [serialize(item) for item in result.items],
    }
