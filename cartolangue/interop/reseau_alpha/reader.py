"""Réseau Alpha `cartographie.json` (https://www.reseau-alpha.org/cartographie.json) → normalised records.

The file is undocumented; its shape is the one data·inclusion's staging models and the MCKGL front end read
(shared/data/PROVENANCE.md §4): `structures[]` and `permanences[]`, each with `formations[]`, each formation
with its `adresses[]`. The vocabulary and the mapping decisions are in `mapping.py`; this module walks the file
and makes one course per address, the fields a formation's addresses share are read by `fields.py`.

- One course per (formation × address): source id `<formation id>-<address digest>`, place
  `<structure id>-<address digest>` (shared by the formations given at the same address). The digest is of the
  folded address (number, street, post code, town), so a re-ordered list keeps its ids. Permanences are read
  like structures, their ids prefixed with `permanence-`.
- A formation without an address takes its structure's address when the structure has exactly one (with a
  warning); otherwise it is rejected.
- Structures are associations of the Réseau Alpha network (`type` is mapped when it names another kind).
- Kept in fields: target CECRL level (the highest of `competencesLinguistiquesVisees`), oral and written entry
  levels (the lowest accepted; none when "Infra A1.1" is accepted), schooling criteria, audiences with their
  priority / exclusive flag, weekly time slots, childcare (the address's flag, else the formation's), places
  available, cost, dates (one session), contact, page address.
- Kept as text in the description: the objectives and their details, CNR ANLCI degrees, basic-skills criterion,
  audiences with no counterpart or with details, programmes, summer course.
- Not kept: logos, slugs, coordination flags and structure activities (not about the course).
- Every value that cannot be read or mapped is reported as a warning on its course; nothing is guessed.
  The report locates each course by its JSON path, e.g. `structures[3].formations[1]`.
"""

import math
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from cartolangue.interop.common import clean_text, fit, load_json, place_key
from cartolangue.interop.errors import ImportFileError
from cartolangue.interop.html import html_to_text
from cartolangue.interop.records import (
    CourseRecord,
    PlaceRecord,
    Rejected,
    SessionRecord,
    StructureRecord,
)
from cartolangue.interop.reseau_alpha import mapping as m
from cartolangue.interop.reseau_alpha.fields import FormationFields, as_list, checked_email
from cartolangue.offers import enums


def read_reseau_alpha(path: str, *, source: str) -> Iterator[CourseRecord | Rejected]:
    """Yield the course records and rejections of a Réseau Alpha cartographie.json."""
    data = load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("structures"), list):
        raise ImportFileError(
            _("%(file)s : pas un export cartographie.json de Réseau Alpha (objet avec une liste « structures »)")
            % {"file": path}
        )
    permanences = data.get("permanences") or []
    if not isinstance(permanences, list):
        raise ImportFileError(_("%(file)s : « permanences » n'est pas une liste") % {"file": path})
    for index, structure in enumerate(data["structures"]):
        yield from _Structure(structure, f"structures[{index}]", "", source).read()
    for index, permanence in enumerate(permanences):
        yield from _Structure(permanence, f"permanences[{index}]", "permanence-", source).read()


class _Structure:
    def __init__(self, raw, location, prefix, source):
        self.raw = raw
        self.location = location
        self.prefix = prefix
        self.source = source
        self.warnings = []

    def read(self):
        if not isinstance(self.raw, dict):
            yield Rejected("", self.location, _("pas un objet JSON"))
            return
        formations = self.raw.get("formations") or []
        if not isinstance(formations, list):
            yield Rejected("", self.location, _("« formations » n'est pas une liste"))
            return
        structure_id = clean_text(self.raw.get("id"))
        if not structure_id:
            for index, formation in enumerate(formations):
                formation_id = clean_text(formation.get("id")) if isinstance(formation, dict) else ""
                yield Rejected(
                    formation_id, f"{self.location}.formations[{index}]", _("identifiant de structure manquant")
                )
            return
        self.id = f"{self.prefix}{structure_id}"
        self.record = self._record()
        for index, formation in enumerate(formations):
            yield from _Formation(self, formation, f"{self.location}.formations[{index}]").read()

    def _record(self):
        raw = self.raw
        kind: str = enums.StructureKind.ASSOCIATION
        raw_type = clean_text(raw.get("type"))
        if raw_type:
            found = m.structure_kind(raw_type)
            if found is None:
                self.warnings.append(_("type de structure « %(v)s » inconnu : association retenue") % {"v": raw_type})
            else:
                kind = found
        contact = raw.get("contact") if isinstance(raw.get("contact"), dict) else {}
        return StructureRecord(
            source=self.source,
            source_id=self.id,
            name=clean_text(raw.get("nom")),
            acronym=clean_text(raw.get("acronyme")),
            kind=kind,
            networks=[enums.Network.RESEAU_ALPHA.value],
            description=html_to_text(clean_text(raw.get("description"))),
            email=checked_email(contact.get("email"), _("courriel de la structure"), self.warnings),
            phone=fit(
                clean_text(contact.get("telephone1") or contact.get("telephone2")),
                30,
                _("téléphone de la structure"),
                self.warnings,
            ),
            source_url=fit(clean_text(raw.get("url")), 500, _("adresse de la page"), self.warnings),
        )

    @property
    def addresses(self):
        return [a for a in as_list(self.raw.get("adresses")) if isinstance(a, dict)]


class _Formation(FormationFields):
    def __init__(self, structure, raw, location):
        self.structure = structure
        self.raw = raw
        self.location = location
        self.warnings = list(structure.warnings)
        self.notes = []  # description lines for what has no field

    def read(self):
        raw = self.raw
        if not isinstance(raw, dict):
            yield Rejected("", self.location, _("pas un objet JSON"))
            return
        self.id = clean_text(raw.get("id"))
        if not self.id:
            yield Rejected("", self.location, _("identifiant de formation manquant"))
            return
        addresses = as_list(raw.get("adresses"))
        if not addresses and len(self.structure.addresses) == 1:
            addresses = self.structure.addresses
            self.warn(_("formation sans adresse : adresse de la structure retenue"))
        if not addresses:
            yield Rejected(self.id, self.location, _("aucune adresse pour cette formation"))
            return
        fields = self._fields()
        seen = set()
        for index, address in enumerate(addresses):
            location = f"{self.location}.adresses[{index}]" if len(addresses) > 1 else self.location
            if not isinstance(address, dict):
                yield Rejected(self.id, location, _("adresse : pas un objet JSON"))
                continue
            record = self._course(address, location, fields)
            if record.source_id in seen:
                continue  # the same address listed twice is the same course
            seen.add(record.source_id)
            yield record

    # --- one course per address --------------------------------------------------------------------------

    def _course(self, address, location, fields):
        warnings = list(self.warnings)
        street = " ".join(
            part for part in (clean_text(address.get("numero")).rstrip(","), clean_text(address.get("voie"))) if part
        )
        post_code = clean_text(address.get("codePostal"))
        if post_code.isdigit() and len(post_code) == 4:
            post_code = post_code.zfill(5)
        city = clean_text(address.get("ville"))
        key = place_key(street, post_code, city)
        latitude = self._coordinate(address.get("latitude"), _("latitude"), warnings)
        longitude = self._coordinate(address.get("longitude"), _("longitude"), warnings)
        if (latitude is None) != (longitude is None):
            warnings.append(_("une seule coordonnée sur deux : coordonnées non reprises"))
            latitude = longitude = None
        childcare = self._bool(address.get("gardeEnfants"), _("garde d'enfants (adresse)"), warnings)
        if childcare is None:
            childcare = fields["childcare_formation"]
        source_id = f"{self.id}-{key}"
        sessions = []
        if fields["starts_on"] or fields["ends_on"]:
            sessions.append(
                SessionRecord(source_id=source_id, starts_on=fields["starts_on"], ends_on=fields["ends_on"])
            )
        course_fields: dict[str, Any] = {
            k: v.copy() if isinstance(v, list | dict) else v
            for k, v in fields.items()
            if k not in ("starts_on", "ends_on", "childcare_formation")
        }
        return CourseRecord(
            source=self.structure.source,
            source_id=source_id,
            structure=self.structure.record,
            place=PlaceRecord(
                source_id=f"{self.structure.id}-{key}",
                address=street,
                post_code=post_code,
                city=city,
                name=clean_text(address.get("nom")),
                latitude=latitude,
                longitude=longitude,
            ),
            location=location,
            childcare=childcare,
            sessions=sessions,
            warnings=warnings,
            **course_fields,
        )

    def _coordinate(self, value, label, warnings):
        if value is None or value == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            warnings.append(_("%(field)s illisible : « %(v)s »") % {"field": label, "v": value})
            return None
        return number
