"""What the writer checks in Python before a record joins a batch: referentials and model invariants, each
refusal with its reason (the database constraints stay as the last line)."""

from collections.abc import Container

from django.utils.translation import gettext as _

from cartolangue.interop.errors import RecordError
from cartolangue.interop.records import CourseRecord
from cartolangue.offers import enums
from cartolangue.offers.rules import course_rule_errors


def _choices(enum):
    return {str(v) for v in enum.values}


CHOICES = {
    "course_type": _choices(enums.CourseType),
    "parcours": _choices(enums.Parcours) | {""},
    "modality": _choices(enums.Modality),
    "registration_mode": _choices(enums.RegistrationMode) | {""},
    "recruitment_status": _choices(enums.RecruitmentStatus) | {""},
    "kind": _choices(enums.StructureKind),
    "audience": _choices(enums.Audience),
    "audience_mode": _choices(enums.AudienceMode),
    "schooling": _choices(enums.Schooling),
    "funder": _choices(enums.Funder),
}
LEVELS = set(enums.CecrlLevel.values)


def check_course(r: CourseRecord, certifications: Container[str]) -> None:
    """Refuse, with its reason, a course record that breaks a referential or an invariant of the model."""
    if not (r.name or "").strip():
        raise RecordError(_("intitulé manquant"))
    if not (r.structure.name or "").strip():
        raise RecordError(_("nom de la structure manquant"))
    if not r.structure.source_id:
        raise RecordError(_("identifiant de la structure manquant"))
    for name in ("course_type", "parcours", "modality", "registration_mode"):
        if getattr(r, name) not in CHOICES[name]:
            raise RecordError(_("valeur inconnue pour %(field)s : « %(v)s »") % {"field": name, "v": getattr(r, name)})
    if r.structure.kind not in CHOICES["kind"]:
        raise RecordError(_("type de structure inconnu : « %(v)s »") % {"v": r.structure.kind})
    for name in ("cecrl_level_target", "entry_level_oral", "entry_level_written"):
        value = getattr(r, name)
        if value is not None and value not in LEVELS:
            raise RecordError(_("niveau CECRL inconnu : « %(v)s »") % {"v": value})
    broken = course_rule_errors(
        {name: getattr(r, name, None) for name in ("cecrl_level_target", "entry_level_oral", "entry_level_written")}
        | {"is_free": r.is_free, "cost_amount": r.cost_amount}
    )
    if broken:
        raise RecordError(next(iter(broken.values())))
    if r.is_free is None and r.cost_amount:
        r.is_free = False
    if r.hours_per_week is not None and not (0 <= r.hours_per_week <= 80):
        raise RecordError(_("heures par semaine hors de 0 à 80 : %(v)s") % {"v": r.hours_per_week})
    for value, mode in r.audiences.items():
        if value not in CHOICES["audience"]:
            raise RecordError(_("public inconnu : « %(v)s »") % {"v": value})
        if mode not in CHOICES["audience_mode"]:
            raise RecordError(_("accès inconnu pour le public %(v)s : « %(m)s »") % {"v": value, "m": mode})
    for value in r.schooling:
        if value not in CHOICES["schooling"]:
            raise RecordError(_("critère de scolarisation inconnu : « %(v)s »") % {"v": value})
    for value in r.funders:
        if value not in CHOICES["funder"]:
            raise RecordError(_("financeur inconnu : « %(v)s »") % {"v": value})
    for code in r.certifications:
        if code not in certifications:
            raise RecordError(_("certification inconnue : « %(code)s »") % {"code": code})
    for slot in r.time_slots:
        if not 0 <= slot.weekday <= 6 or slot.starts_at >= slot.ends_at:
            raise RecordError(_("créneau impossible (jour ou horaires)"))
    seen = set()
    for s in r.sessions:
        if s.source_id in seen:
            raise RecordError(_("session %(id)s en double") % {"id": s.source_id})
        seen.add(s.source_id)
        if s.starts_on and s.ends_on and s.starts_on > s.ends_on:
            raise RecordError(_("session %(id)s : fin avant le début") % {"id": s.source_id})
        if s.seats is not None and s.seats_left is not None and s.seats_left > s.seats:
            raise RecordError(_("session %(id)s : plus de places restantes que de places") % {"id": s.source_id})
        if s.recruitment_status not in CHOICES["recruitment_status"]:
            raise RecordError(_("état du recrutement inconnu : « %(v)s »") % {"v": s.recruitment_status})
