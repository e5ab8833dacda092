"""What one Réseau Alpha formation says, read into the course fields its addresses share (levels, audiences,
timetable, cost, dates, description notes), and the parsing of the file's loose values. The walk of the file and
the one course per address are reader.py; the vocabulary is mapping.py.

Every value that cannot be read or mapped becomes a warning on its course (`warn`); nothing is guessed.
"""

import re
from collections.abc import Iterator
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from cartolangue.interop.common import clean_text, cost_from_text, fit
from cartolangue.interop.html import html_to_text
from cartolangue.interop.records import (
    TimeSlotRecord,
)
from cartolangue.interop.reseau_alpha import mapping as m
from cartolangue.offers import enums
from cartolangue.text import fold

_TIME = re.compile(r"(\d{1,2})(?::|h)(\d{2})?(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?", re.IGNORECASE)
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
UNKNOWN = object()


def parse_bool(value: object) -> bool | None | object:
    """True, False, None (absent) or UNKNOWN."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    key = m.vocab_key(value)
    if key in {"true", "1", "oui", "vrai", "yes"}:
        return True
    if key in {"false", "0", "non", "faux", "no"}:
        return False
    return UNKNOWN


def parse_time(value: object) -> time | None:
    text = str(value or "").strip()
    if "T" in text:
        text = text.split("T", 1)[1]
    elif re.match(r"\d{4}-\d{2}-\d{2} ", text):
        text = text.split(" ", 1)[1]
    match = _TIME.fullmatch(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_date(value: object) -> date | None:
    text = str(value or "").strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = _FRENCH_DATE.fullmatch(text)
    if match:
        try:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return None
    return None


def as_list(value: object) -> list[Any]:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def flatten_publics(value: object) -> Iterator[Any]:
    """`publicsSpecifiques` holds objects and arrays of objects (data·inclusion notes it too)."""
    for item in as_list(value):
        if isinstance(item, list):
            yield from flatten_publics(item)
        else:
            yield item


def checked_email(value: object, label: str, warnings: list[str]) -> str:
    email = clean_text(value)
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        warnings.append(_("%(field)s invalide : « %(v)s »") % {"field": label, "v": email})
        return ""
    return email


class FormationFields:
    """The fields of a formation (`raw`) that every course at one of its addresses shares. Problems go to
    `warnings`, and what has no field to `notes`, the description's extra lines."""

    raw: dict
    warnings: list
    notes: list

    def warn(self, message: str, **values: object) -> None:
        self.warnings.append(message % values if values else message)

    def _bool(self, value, label, warnings):
        parsed = parse_bool(value)
        if parsed is UNKNOWN:
            warnings.append(_("%(field)s : valeur « %(v)s » illisible") % {"field": label, "v": value})
            return None
        return parsed

    def _fields(self):
        raw = self.raw
        activity = self._activity()
        objectives = self._objectives()
        schooling = self._schooling()
        programmes = [clean_text(p.get("nom") if isinstance(p, dict) else p) for p in as_list(raw.get("programmes"))]
        programmes = [p for p in programmes if p]
        target = self._levels(raw.get("competencesLinguistiquesVisees"), highest=True, label=_("visé"))
        oral = self._levels(raw.get("criteresLinguistiqueOral"), highest=False, label=_("attendu à l'oral"))
        written = self._levels(raw.get("criteresLinguistiqueEcrit"), highest=False, label=_("attendu à l'écrit"))
        audiences, registration = self._audiences()
        time_slots, hours = self._timetable()
        is_free, cost_amount, cost_details = self._cost()
        name = clean_text(raw.get("nom"))
        course_type, found = m.course_type_for(
            name=name, programmes=programmes, activity=activity, objectives=objectives, schooling=schooling
        )
        if not found:
            self.warn(_("type de cours introuvable (activité, objectifs, intitulé) : « autre » retenu"))
        basic_skills = clean_text(raw.get("criteresSavoirBase"))
        if basic_skills:
            self.notes.append(_("Savoirs de base : %(v)s") % {"v": basic_skills})
        if programmes:
            self.notes.append(_("Programmes : %(v)s") % {"v": ", ".join(programmes)})
        if self._bool(raw.get("coursEte"), _("cours d'été"), self.warnings):
            self.notes.append(_("Cours d'été."))
        # A formation's contact is a named volunteer or employee, and Réseau Alpha says nothing of their consent:
        # kept, shown as "Accueil" with the structure's own phone and e-mail (`contact_public` False, ADR 0019).
        contact = raw["contact"] if isinstance(raw.get("contact"), dict) else {}
        contact_name = " ".join(
            part for part in (clean_text(contact.get(k)) for k in ("civilite", "prenom", "nom")) if part
        )
        return {
            "name": name,
            "description": self._description(),
            "course_type": course_type,
            "parcours": m.parcours_for(activity=activity, objectives=objectives),
            "cecrl_level_target": target,
            "entry_level_oral": oral,
            "entry_level_written": written,
            "hours_per_week": hours,
            "is_free": is_free,
            "cost_amount": cost_amount,
            "cost_details": cost_details,
            "childcare_formation": self._bool(raw.get("gardeEnfants"), _("garde d'enfants"), self.warnings),
            "registration_mode": registration,
            "places_available": self._bool(raw.get("placeDisponible"), _("places disponibles"), self.warnings),
            "contact_name": contact_name,
            "contact_phone": fit(
                clean_text(contact.get("telephone1") or contact.get("telephone2")), 30, _("téléphone"), self.warnings
            ),
            "contact_email": checked_email(contact.get("email"), _("courriel du contact"), self.warnings),
            "audiences": audiences,
            "schooling": schooling,
            "time_slots": time_slots,
            "starts_on": self._date("dateDebut"),
            "ends_on": self._date("dateFin"),
            "source_url": fit(clean_text(raw.get("url")), 500, _("adresse de la page"), self.warnings),
        }

    def _activity(self):
        value = clean_text(self.raw.get("activite"))
        if not value:
            return None
        activity = m.ACTIVITIES.get(m.vocab_key(value))
        if activity is None:
            self.warn(_("activité inconnue : « %(v)s »"), v=value)
        return activity

    def _objectives(self):
        codes, lines = [], []
        for item in as_list(self.raw.get("objectifsVises")):
            if isinstance(item, dict):
                value, details = clean_text(item.get("objectifVise")), clean_text(item.get("objectifViseDescription"))
            else:
                value, details = clean_text(item), ""
            if not value:
                continue
            code = m.OBJECTIVES.get(m.vocab_key(value))
            if code is None:
                self.warn(_("objectif inconnu : « %(v)s »"), v=value)
                label = value
            else:
                codes.append(code)
                label = m.OBJECTIVE_LABELS[code]
            lines.append(f"- {label} : {details}" if details else f"- {label}")
        if lines:
            self.notes.append(_("Objectifs visés :") + "\n" + "\n".join(lines))
        return codes

    def _schooling(self):
        values = []
        for value in as_list(self.raw.get("criteresScolarisation")):
            text = clean_text(value)
            if not text:
                continue
            found = m.SCHOOLING.get(m.vocab_key(text))
            if found is None:
                self.warn(_("critère de scolarisation inconnu : « %(v)s »"), v=text)
            elif found != m.NO_LEVEL and found not in values:
                values.append(found)
        return sorted(str(v) for v in values)

    def _levels(self, values, *, highest, label):
        """The highest (target) or lowest (entry) CECRL level of a list; at entry, none when the list accepts
        learners below A1.1 ("Infra A1.1"). CNR ANLCI degrees go to the description."""
        levels, below, degrees = [], False, []
        for value in m.split_levels(as_list(values)):
            kind, level = m.parse_level(value)
            if kind == "cecrl":
                levels.append(level)
            elif kind == m.BELOW_A1_1:
                below = True
            elif kind == m.ANLCI:
                degrees.append(str(level))
            elif kind is None:
                self.warn(_("niveau %(which)s inconnu : « %(v)s »"), which=label, v=value)
        if degrees:
            self.notes.append(
                _("Niveau %(which)s (CNR ANLCI) : %(v)s") % {"which": label, "v": ", ".join(sorted(set(degrees)))}
            )
        if not levels or (below and not highest):
            return None
        return int(max(levels) if highest else min(levels))

    def _audiences(self):
        audiences: dict[str, str] = {}
        registration, lines = "", []
        for item in flatten_publics(self.raw.get("publicsSpecifiques")):
            if isinstance(item, dict):
                value = clean_text(item.get("publicSpecifique"))
                details = clean_text(item.get("publicSpecifiqueDescription"))
                flag = item.get("publicSpecifiquePrioritaire")
            else:
                value, details, flag = clean_text(item), "", None
            if not value:
                continue
            key = m.vocab_key(value)
            mode = self._mode(flag, value)
            label = m.PUBLIC_LABELS.get(key, value)
            if key not in m.AUDIENCES:
                self.warn(_("public inconnu : « %(v)s »"), v=value)
                lines.append(self._public_line(label, mode, details))
                continue
            audience = m.AUDIENCES[key]
            if audience == m.PRESCRIPTION:
                registration = enums.RegistrationMode.PRESCRIPTION.value
                if details:
                    lines.append(self._public_line(label, None, details))
                continue
            if audience is m.NO_AUDIENCE:
                self.warn(
                    _("public « %(v)s » (%(mode)s) sans équivalent : repris dans la présentation seulement"),
                    v=label,
                    mode=str(enums.AudienceMode(mode).label).lower(),
                )
                lines.append(self._public_line(label, mode, details))
                continue
            if details:
                lines.append(self._public_line(label, mode, details))
            audience = str(audience)
            # Two Réseau Alpha publics may fold into one audience: exclusive only if both are.
            if audiences.get(audience) == enums.AudienceMode.PRIORITY.value:
                mode = enums.AudienceMode.PRIORITY.value
            audiences[audience] = mode
        if lines:
            self.notes.append(_("Publics :") + "\n" + "\n".join(lines))
        return audiences, registration

    def _mode(self, flag, value):
        if flag is None or flag == "" or flag is False:
            return enums.AudienceMode.PRIORITY.value
        if flag is True:
            return enums.AudienceMode.PRIORITY.value
        mode = m.AUDIENCE_MODES.get(m.vocab_key(flag))
        if mode is None:
            self.warn(
                _("public « %(v)s » : accès « %(flag)s » inconnu, prioritaire retenu"), v=value, flag=clean_text(flag)
            )
            return enums.AudienceMode.PRIORITY.value
        return mode.value

    @staticmethod
    def _public_line(label, mode, details):
        line = f"- {label}"
        if mode:
            line += f" ({enums.AudienceMode(mode).label.lower()})"
        return f"{line} : {details}" if details else line

    def _timetable(self):
        """(time slots, hours per week); hours only from exact times."""
        details = [d for d in as_list(self.raw.get("joursHorairesDetails")) if d]
        slots: dict[tuple[int, time], TimeSlotRecord] = {}
        if details:
            exact = True
            for item in details:
                if not isinstance(item, dict):
                    self.warn(_("créneau illisible : « %(v)s »"), v=item)
                    exact = False
                    continue
                day = m.WEEKDAYS.get(m.vocab_key(item.get("jour") or ""))
                starts = parse_time(item.get("dateDebut") or item.get("heureDebut"))
                ends = parse_time(item.get("dateFin") or item.get("heureFin"))
                if day is None or starts is None or ends is None:
                    self.warn(
                        _("créneau illisible : jour « %(day)s », de « %(start)s » à « %(end)s »"),
                        day=item.get("jour"),
                        start=item.get("dateDebut") or item.get("heureDebut"),
                        end=item.get("dateFin") or item.get("heureFin"),
                    )
                    exact = False
                    continue
                slots.setdefault((int(day), starts), TimeSlotRecord(int(day), starts, ends))
            hours = None
            if exact and slots:
                minutes = sum(
                    (s.ends_at.hour * 60 + s.ends_at.minute) - (s.starts_at.hour * 60 + s.starts_at.minute)
                    for s in slots.values()
                )
                hours = round(Decimal(minutes) / 60, 1)
                if not 0 <= hours <= 80:
                    self.warn(_("durée hebdomadaire calculée hors de 0 à 80 h : %(h)s"), h=hours)
                    hours = None
            return sorted(slots.values(), key=lambda s: (s.weekday, s.starts_at)), hours
        approximate = []
        for value in as_list(self.raw.get("joursHoraires")):
            words = m.vocab_key(value).split()
            if words[:1] == ["jour"]:
                words = words[1:]
            day = m.WEEKDAYS.get(words[0]) if words else None
            moment = m.MOMENTS.get(" ".join(words[1:]))
            if day is None or moment is None:
                self.warn(_("créneau illisible : « %(v)s »"), v=value)
                continue
            slots.setdefault((int(day), moment[0]), TimeSlotRecord(int(day), *moment))
            approximate.append(clean_text(value))
        if approximate:
            self.warn(
                _(
                    "horaires sans heures précises (%(v)s) : créneaux conventionnels retenus "
                    "(matin 9 h-12 h, midi 12 h-14 h, après-midi 14 h-17 h, soirée 18 h-21 h)"
                ),
                v=", ".join(approximate),
            )
        return sorted(slots.values(), key=lambda s: (s.weekday, s.starts_at)), None

    def _cost(self):
        value = self.raw.get("cout")
        if value is None or (isinstance(value, str) and not value.strip()):
            self.warn(_("coût non renseigné : coût à demander"))
            return None, None, ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            amount = Decimal(str(value))
            if amount < 0:
                self.warn(_("coût négatif « %(v)s » : non repris, cours noté payant"), v=value)
                return False, None, ""
            return (True, None, "") if amount == 0 else (False, amount, "")
        text = clean_text(value)
        key = " ".join(fold(text).replace("€", " e").split())
        if key in m.FREE_COSTS:
            return True, None, ""
        stated = cost_from_text(text)
        details = text
        if stated == 0 or (stated is None and key.startswith("gratuit")):
            return True, None, details
        return False, stated, details

    def _date(self, name):
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.warn(_("date illisible (%(field)s) : « %(v)s »"), field=name, v=value)
        return parsed

    def _description(self):
        presentation = html_to_text(clean_text(self.raw.get("presentationPublique")))
        return "\n\n".join(part for part in [presentation, *self.notes] if part)
