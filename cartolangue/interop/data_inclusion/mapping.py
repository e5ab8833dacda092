"""Courses and structures → data·inclusion v1 services and structures (schema `data-inclusion-schema` 1.0.10):
the mapping of one item, a plain dict that writer.py validates with the official models and writes. The value
conversions (`di_name`, `di_phone`, `di_email`, `di_date`…) are shared with the actors' export (actors.py).

One service per course, one data·inclusion structure per structure. Every item is checked with the official
pydantic models (`data_inclusion.schema.v1.Service` / `Structure`) before it is written; an item they refuse
is left out and reported with its id and the error locations, and the rest is written.

Decisions:
- `source` is `carto-langue` (we publish the file); ids are `carto-langue--<our source>:<id in that source>`,
  stable across exports and re-imports (they do not depend on database keys).
- `thematiques`: `lecture-ecriture-calcul--maitriser-le-francais` for every course. `type`: `atelier` for the
  sociolinguistic workshops (ASL) and OEPRE workshops, `formation` otherwise.
- `publics` says who may come: the exclusive audiences when the course is reserved (ours folded into
  data·inclusion's through `enums.AUDIENCE_TO_DI_PUBLIC`), else `tous-publics`; a priority audience does not
  restrict access and goes to `publics_precisions`, with our finer labels. No audience recorded → no `publics`.
- The language detail data·inclusion has no field for (target and entry levels, schooling, timetable, priority
  and exclusive audiences, funders, certifications) is written in French into `description`, in Markdown
  sections, as data·inclusion does for Réseau Alpha. Entry levels and schooling also go to `conditions_acces`.
- A location flagged approximate (the commune's centre) is not sent as coordinates: data·inclusion geocodes the
  address itself. Phone numbers in the French 10-digit form become E.164 (`+33…`). An e-mail address the schema
  refuses is dropped, as data·inclusion does.
- The name of a contact person is not exported (data minimisation: these files are public); the phone and e-mail
  are those `offers/contacts.py` lets anyone see: a public contact point's, else the structure's (ADR 0019).
- A structure's address is that of its first place (lowest id).
"""

import datetime
import functools
import math
import re
from collections.abc import Iterable
from typing import Any

from data_inclusion.schema.v1 import (
    Frais,
    ModeAccueil,
    ModeMobilisation,
    PersonneMobilisatrice,
    Public,
    ReseauPorteur,
    Thematique,
    TypeService,
)
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pydantic.networks import validate_email

from cartolangue.interop.opendata.dictionary import label_of
from cartolangue.offers import enums
from cartolangue.offers.models import Course, Provenance
from cartolangue.offers.models import Structure as StructureModel

DI_SOURCE = "carto-langue"
NAME_MAX = 150
DESCRIPTION_MAX = 10000
FRENCH_THEME = Thematique.LECTURE_ECRITURE_CALCUL__MAITRISER_LE_FRANCAIS.value
WORKSHOP_TYPES = {enums.CourseType.ASL, enums.CourseType.OEPRE}
MODES_ACCUEIL: dict[str, list[str]] = {
    enums.Modality.ON_SITE: [ModeAccueil.EN_PRESENTIEL.value],
    enums.Modality.REMOTE: [ModeAccueil.A_DISTANCE.value],
    enums.Modality.HYBRID: [ModeAccueil.A_DISTANCE.value, ModeAccueil.EN_PRESENTIEL.value],
}
NETWORK_TO_RESEAU_PORTEUR = {enums.Network.CENTRE_SOCIAL: ReseauPorteur.FCSF}
OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]


# --- values ----------------------------------------------------------------------------------------------


def di_id(obj: Provenance) -> str:
    return f"{DI_SOURCE}--{obj.source}:{obj.source_id}"


def di_date(updated_at: datetime.datetime) -> str:
    # The schema refuses a date after the machine's today: a record stamped in the future (another time zone,
    # a clock ahead) is dated today.
    return min(timezone.localdate(updated_at), datetime.date.today()).isoformat()  # noqa: DTZ011 (as the schema)


def di_name(name: str, fallback: object) -> str:
    name = " ".join(name.split()).rstrip(".").strip()
    if len(name) < 3:
        name = str(fallback)
    if len(name) > NAME_MAX:
        name = name[: NAME_MAX - 1].rstrip() + "…"
    return name


def di_phone(phone: str) -> str | None:
    digits = re.sub(r"[\s.\-()]", "", phone or "")
    if re.fullmatch(r"0[1-9]\d{8}", digits):
        return "+33" + digits[1:]
    return phone.strip() or None


@functools.lru_cache(maxsize=4096)  # a structure's address recurs on each of its courses
def di_email(email: str) -> str | None:
    if not email:
        return None
    try:
        validate_email(email)
    except ValueError:
        return None
    return email


def _url(url):
    return url or None


def joined(labels: Iterable[object]) -> str:
    return ", ".join(str(label) for label in labels)


def _level(value):
    return enums.CecrlLevel(value).label if value is not None else None


def _osm_hours(slots):
    """Weekly slots in OpenStreetMap opening_hours form: "Mo 09:00-11:00,14:00-16:00; We 09:00-11:00"."""
    by_day: dict[int, list[str]] = {}
    for slot in slots:
        by_day.setdefault(slot.weekday, []).append(f"{slot.starts_at:%H:%M}-{slot.ends_at:%H:%M}")
    return "; ".join(f"{OSM_DAYS[day]} {','.join(times)}" for day, times in sorted(by_day.items())) or None


def _address(item, place):
    item.update(
        {
            "adresse": place.address,
            "complement_adresse": place.address_complement or None,
            "code_postal": place.post_code,
            "commune": place.commune.name,
            "code_insee": place.commune.code_insee,
            "latitude": None if place.location_is_approximate else round(place.latitude, 6),
            "longitude": None if place.location_is_approximate else round(place.longitude, 6),
        }
    )


def detail_url(site_url: str | None, name: str, pk: int) -> str | None:
    if not site_url:
        return None
    with translation.override("fr"):
        return site_url.rstrip("/") + reverse(name, args=[pk])


# --- structures ------------------------------------------------------------------------------------------


def structure_item(structure: StructureModel, *, site_url: str | None = None) -> dict[str, Any]:
    """One structure as a data·inclusion v1 structure (a plain dict, lists sorted)."""
    description = structure.description.strip()
    reseaux = sorted(
        {NETWORK_TO_RESEAU_PORTEUR[n].value for n in structure.networks if n in NETWORK_TO_RESEAU_PORTEUR}
    )
    item = {
        "source": DI_SOURCE,
        "id": di_id(structure),
        "nom": di_name(structure.name, structure.acronym or _("Structure sans nom")),
        "date_maj": di_date(structure.updated_at),
        "description": description[:DESCRIPTION_MAX] if len(description) >= 5 else None,
        "lien_source": detail_url(site_url, "www:structure", structure.pk) or _url(structure.source_url),
        "siret": structure.siret or None,
        "telephone": di_phone(structure.phone),
        "courriel": di_email(structure.email),
        "site_web": _url(structure.website),
        "reseaux_porteurs": reseaux or None,
    }
    places = list(structure.places.all())
    if places:
        _address(item, places[0])
    return item


# --- services --------------------------------------------------------------------------------------------


def _publics(course):
    audiences = list(course.audiences.all())
    if not audiences:
        return None
    exclusive = {a.audience for a in audiences if a.mode == enums.AudienceMode.EXCLUSIVE}
    publics = {str(enums.AUDIENCE_TO_DI_PUBLIC.get(a, a)) for a in exclusive} - {Public.TOUS_PUBLICS.value}
    return sorted(publics) or [Public.TOUS_PUBLICS.value]


def _audiences(course):
    """(exclusive labels, priority labels); "tous publics" as a priority says nothing and is left out."""
    audiences = course.audiences.all()
    exclusive = [label_of(enums.Audience, a.audience) for a in audiences if a.mode == enums.AudienceMode.EXCLUSIVE]
    priority = [
        label_of(enums.Audience, a.audience)
        for a in audiences
        if a.mode == enums.AudienceMode.PRIORITY and a.audience != enums.Audience.EVERYONE
    ]
    return exclusive, priority


def _audience_lines(course):
    if not course.audiences.all():
        return []
    exclusive, priority = _audiences(course)
    lines = [_("Réservé à : %(values)s") % {"values": joined(exclusive)} if exclusive else _("Ouvert à tous")]
    if priority:
        lines.append(_("Publics prioritaires : %(values)s") % {"values": joined(priority)})
    return lines


def _prerequisites(course):
    lines = [
        _("Niveau d'entrée à l'oral : %(level)s") % {"level": _level(course.entry_level_oral) or _("aucun prérequis")},
        _("Niveau d'entrée à l'écrit : %(level)s")
        % {"level": _level(course.entry_level_written) or _("aucun prérequis")},
    ]
    schooling = [label_of(enums.Schooling, s.schooling) for s in course.schooling.all()]
    if schooling:
        lines.append(_("Scolarisation : %(values)s") % {"values": joined(schooling)})
    return lines


def _cost_label(course):
    if course.is_free:
        return _("gratuit")
    if course.is_free is None and course.cost_amount is None:
        return _("à demander")
    return _cost_text(course) or _("payant")


def _cost_text(course):
    parts = []
    if course.cost_amount:
        parts.append(_("%(amount)s €") % {"amount": f"{course.cost_amount:.2f}".replace(".", ",").replace(",00", "")})
    if course.cost_details:
        parts.append(course.cost_details)
    return " – ".join(parts) or None


def _practical_lines(course):
    def yes_no(value):
        return _("oui") if value else _("non")

    lines = [_("Type de cours : %(value)s") % {"value": label_of(enums.CourseType, course.course_type)}]
    if course.parcours:
        lines.append(_("Parcours : %(value)s") % {"value": label_of(enums.Parcours, course.parcours)})
    slots = [
        f"{label_of(enums.Weekday, slot.weekday)} {slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"
        for slot in course.time_slots.all()
    ]
    if slots:
        lines.append(_("Horaires : %(value)s") % {"value": " ; ".join(slots)})
    if course.hours_per_week is not None:
        lines.append(_("Heures par semaine : %(value)s") % {"value": f"{course.hours_per_week:g}".replace(".", ",")})
    if course.total_hours is not None:
        lines.append(_("Durée totale : %(value)s heures") % {"value": course.total_hours})
    lines.append(_("Modalité : %(value)s") % {"value": label_of(enums.Modality, course.modality)})
    if course.registration_mode:
        lines.append(
            _("Inscription : %(value)s") % {"value": label_of(enums.RegistrationMode, course.registration_mode)}
        )
    if course.places_available is not None:
        lines.append(_("Places disponibles : %(value)s") % {"value": yes_no(course.places_available)})
    if course.childcare is not None:
        lines.append(_("Garde d'enfants : %(value)s") % {"value": yes_no(course.childcare)})
    lines.append(_("Coût : %(value)s") % {"value": _cost_label(course)})
    funders = [label_of(enums.Funder, f.funder) for f in course.funders.all()]
    if funders:
        lines.append(_("Financeurs : %(value)s") % {"value": joined(funders)})
    certifications = [c.name for c in course.certifications.all()]
    if certifications:
        lines.append(_("Certifications préparées : %(value)s") % {"value": joined(certifications)})
    return lines


def service_description(course: Course) -> str:
    """The course's own text, then its language detail in French Markdown sections; deterministic."""
    levels = []
    if course.cecrl_level_target is not None:
        levels.append(_("Niveau visé : %(level)s (CECRL)") % {"level": _level(course.cecrl_level_target)})
    levels += _prerequisites(course)
    sections = [
        (_("Niveaux"), levels),
        (_("Public"), _audience_lines(course)),
        (_("Informations pratiques"), _practical_lines(course)),
    ]
    detail = "\n\n".join(
        f"## {title}\n\n" + "\n".join(f"- {line}" for line in lines) for title, lines in sections if lines
    )
    own = course.description.strip()
    room = DESCRIPTION_MAX - len(detail) - 2
    if len(own) > room:
        own = own[: room - 1].rstrip() + "…"
    return f"{own}\n\n{detail}" if own else detail


def service_item(course: Course, *, site_url: str | None = None) -> dict[str, Any]:
    """One course as a data·inclusion v1 service (a plain dict, lists sorted)."""
    shown = course.public_contact  # a public person's phone and e-mail, else the structure's (ADR 0019)
    phone = di_phone(shown.phone)
    email = di_email(shown.email) or di_email(course.structure.email)
    modes_mobilisation = sorted(
        ([ModeMobilisation.TELEPHONER.value] if phone else [])
        + ([ModeMobilisation.ENVOYER_UN_COURRIEL.value] if email else [])
    )
    if course.registration_mode == enums.RegistrationMode.PRESCRIPTION:
        mobilisable_par = [PersonneMobilisatrice.PROFESSIONNELS.value]
    else:
        mobilisable_par = sorted([PersonneMobilisatrice.PROFESSIONNELS.value, PersonneMobilisatrice.USAGERS.value])
    exclusive, priority = _audiences(course)
    publics_precisions = " ".join(
        text
        for text in (
            _("Réservé à : %(values)s.") % {"values": joined(exclusive)} if exclusive else "",
            _("Publics prioritaires : %(values)s.") % {"values": joined(priority)} if priority else "",
        )
        if text
    )
    item = {
        "source": DI_SOURCE,
        "structure_id": di_id(course.structure),
        "id": di_id(course),
        "nom": di_name(course.name, label_of(enums.CourseType, course.course_type)),
        "description": service_description(course),
        "lien_source": detail_url(site_url, "www:course", course.pk) or _url(course.source_url),
        "date_maj": di_date(course.updated_at),
        "type": (TypeService.ATELIER if course.course_type in WORKSHOP_TYPES else TypeService.FORMATION).value,
        "thematiques": [FRENCH_THEME],
        "frais": None if course.is_free is None else (Frais.GRATUIT if course.is_free else Frais.PAYANT).value,
        "frais_precisions": None if course.is_free else _cost_text(course),
        "publics": _publics(course),
        "publics_precisions": publics_precisions or None,
        "conditions_acces": ". ".join(_prerequisites(course)) + ".",
        "telephone": phone,
        "courriel": email,
        "modes_accueil": MODES_ACCUEIL.get(course.modality),
        "modes_mobilisation": modes_mobilisation or None,
        "mobilisable_par": mobilisable_par,
        "mobilisation_precisions": label_of(enums.RegistrationMode, course.registration_mode)
        if course.registration_mode
        else None,
        "volume_horaire_hebdomadaire": float(course.hours_per_week) if course.hours_per_week is not None else None,
        "nombre_semaines": _weeks(course),
        "horaires_accueil": _osm_hours(course.time_slots.all()),
    }
    if course.modality != enums.Modality.REMOTE:
        _address(item, course.place)
    return item


def _weeks(course):
    # Only when both durations are known: the number of weeks the stated hours take, never less than one.
    if course.total_hours and course.hours_per_week:
        return max(1, math.ceil(course.total_hours / float(course.hours_per_week)))
    return None
