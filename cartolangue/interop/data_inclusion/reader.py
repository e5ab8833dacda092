"""data·inclusion v1 services and structures (schema `data-inclusion-schema` 1.0.10) → normalised records.

Input: a JSON list of services, or the API's paginated envelope `{items, page, pages, size, total}`; items of the
search endpoint (`{service, distance}`) are unwrapped. Structures come from `--structures FILE` (same shapes),
or embedded in a service under `structure`. Every service and structure is validated with the official pydantic
models (`data_inclusion.schema.v1.Service` / `Structure`); an invalid one is rejected with the error locations.

Decisions:
- Only services with the thematique `lecture-ecriture-calcul--maitriser-le-francais` are language courses;
  the others are counted as filtered out.
- A service whose structure is neither embedded nor in `--structures` is imported with a minimal structure: its
  data·inclusion id and a name saying the name was not sent, with a warning. Its next import with the structures
  (same source, same id) completes it. A service does not carry its structure's name, and rejecting it would
  lose a real course for want of a name. A structure that is present but invalid rejects its services.
- Ids: data·inclusion ids are already `<producer>--<id>` (`carif-oref--14_SE_0001116947`) and are kept as they
  are (a bare id is prefixed with the producer), so the producer stays visible under our source
  (`data-inclusion` by default).
- `publics` → audiences of the same value, mode *priority*: data·inclusion's publics are broad (a CIR
  signatory is among `personnes-exilees`) and the search does not widen them, so marking them exclusive would
  hide these courses from the very people they are for.
- `frais`: `gratuit` → free; `payant` → not free, `frais_precisions` as details and its amount when it states
  exactly one; absent → cost unknown ("coût à demander", `is_free` empty), with a warning.
- `modes_accueil`: en-presentiel → on site, a-distance → remote, both → mixed; absent → on site, with a warning.
- `mobilisable_par`: professionals only → registration on prescription; `usagers` → open registration.
- Course type: keywords of the name, else of the description (`course_type_from_text`); none → `autre`, with a
  warning.
- `volume_horaire_hebdomadaire` → hours per week; times `nombre_semaines` → total hours.
- Kept as text in the description: `publics_precisions`, `conditions_acces`, `mobilisation_precisions`,
  `horaires_accueil` and `lien_mobilisation`. Not kept (no field of ours): `zone_eligibilite`,
  `modes_mobilisation`, `score_qualite`, `type`.
"""

import os
import re
from collections.abc import Iterator
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from data_inclusion.schema.v1 import Frais, ModeAccueil, PersonneMobilisatrice, Service, Structure, Thematique
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from cartolangue.interop.common import clean_text, cost_from_text, course_type_from_text, fit, load_json, place_key
from cartolangue.interop.errors import ImportFileError
from cartolangue.interop.html import html_to_text
from cartolangue.interop.records import (
    CourseRecord,
    Filtered,
    Notice,
    PlaceRecord,
    ReaderItem,
    Rejected,
    StructureRecord,
)
from cartolangue.offers import enums

FRENCH_THEME = Thematique.LECTURE_ECRITURE_CALCUL__MAITRISER_LE_FRANCAIS.value
ENVELOPE_KEYS = {"items", "page", "pages", "size", "total"}
# Fields only a structure has: a file of structures given as the services file is refused with a hint.
STRUCTURE_ONLY_FIELDS = {"siret", "site_web", "reseaux_porteurs", "accessibilite_lieu", "doublons"}

_MARKDOWN_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*", re.MULTILINE)
_MARKDOWN_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def markdown_to_text(value: str | None) -> str:
    """data·inclusion descriptions are markdown: headings and emphasis marks removed, lists kept."""
    text = html_to_text(clean_text(value)) if "<" in (value or "") else clean_text(value)
    text = _MARKDOWN_HEADING.sub("", text)
    return _MARKDOWN_EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text).strip()


def _aware(day):
    return timezone.make_aware(datetime.combine(day, time())) if day else None


def _errors(exc):
    return "; ".join(f"{'.'.join(str(part) for part in e['loc']) or '-'} : {e['msg']}" for e in exc.errors())


# --- reading ---------------------------------------------------------------------------------------------


def read_items(path: str, what: str) -> tuple[list[Any], str, list[Notice]]:
    """(items, location prefix, notices) of a JSON list or a paginated envelope; ImportFileError otherwise."""
    data = load_json(path)
    notices: list[Notice] = []
    if isinstance(data, list):
        return data, "", notices
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        pages = data.get("pages")
        if isinstance(pages, int) and pages > 1:
            notices.append(
                Notice(
                    "",
                    path,
                    _("page %(page)s sur %(pages)d de l'API : les autres pages ne sont pas dans ce fichier")
                    % {"page": data.get("page"), "pages": pages},
                )
            )
        return data["items"], "items", notices
    raise ImportFileError(
        _(
            "%(file)s : ni une liste de %(what)s data·inclusion, ni l'enveloppe paginée de l'API "
            "(items, page, pages, size, total)"
        )
        % {"file": path, "what": what}
    )


def _unwrap(item, location):
    """Search endpoint items are {"service": {...}, "distance": n}."""
    if isinstance(item, dict) and isinstance(item.get("service"), dict) and "id" not in item:
        return item["service"], f"{location}.service"
    return item, location


class DataInclusionReader:
    def __init__(self, *, source, structures_path=None):
        self.source = source
        self.structures = {}  # id → validated Structure
        self.invalid_structures = {}  # id → reason
        self.structures_path = structures_path

    # --- structures -------------------------------------------------------------------------------------

    def load_structures(self) -> list[Notice]:
        if not self.structures_path:
            return []
        items, prefix, notices = read_items(self.structures_path, _("structures"))
        for index, item in enumerate(items):
            location = f"{prefix}[{index}]"
            if not isinstance(item, dict):
                notices.append(
                    Notice(
                        "",
                        f"{os.path.basename(self.structures_path)} {location}",
                        _("structure ignorée : pas un objet JSON"),
                    )
                )
                continue
            key = clean_text(item.get("id"))
            try:
                self.structures[key] = Structure.model_validate(item)
            except ValidationError as exc:
                self.invalid_structures[key] = f"{os.path.basename(self.structures_path)} {location} : {_errors(exc)}"
        return notices

    def structure_record(self, structure: Structure) -> tuple[StructureRecord, list[str]]:
        warnings: list[str] = []
        record = StructureRecord(
            source=self.source,
            source_id=structure.id,
            name=clean_text(structure.nom),
            siret=structure.siret or "",
            kind=enums.StructureKind.OTHER,
            networks=[enums.Network.RESEAU_ALPHA.value] if structure.source == "reseau-alpha" else [],
            description=markdown_to_text(structure.description),
            website=fit(str(structure.site_web or ""), 500, _("site internet"), warnings),
            email=structure.courriel or "",
            phone=fit(clean_text(structure.telephone), 30, _("téléphone de la structure"), warnings),
            source_url=fit(str(structure.lien_source or ""), 500, _("lien source"), warnings),
            updated_at=_aware(structure.date_maj),
        )
        return record, warnings

    def _structure_for(self, service, raw, warnings):
        """(StructureRecord, the validated Structure or None); _Refusal when the structure is invalid."""
        embedded = raw.get("structure")
        if isinstance(embedded, dict):
            try:
                structure = Structure.model_validate(embedded)
            except ValidationError as exc:
                raise _Refusal(_("structure intégrée invalide : %(e)s") % {"e": _errors(exc)}) from exc
        elif service.structure_id in self.invalid_structures:
            raise _Refusal(
                _("structure %(id)s invalide dans le fichier des structures (%(e)s)")
                % {"id": service.structure_id, "e": self.invalid_structures[service.structure_id]}
            )
        else:
            structure = self.structures.get(service.structure_id)
        if structure is not None:
            record, notes = self.structure_record(structure)
            warnings.extend(notes)
            return record, structure
        warnings.append(
            _(
                "structure %(id)s absente du fichier : fiche minimale créée, "
                "importez les structures (--structures) pour la compléter"
            )
            % {"id": service.structure_id}
        )
        record = StructureRecord(
            source=self.source,
            source_id=service.structure_id,
            # What people read on the card: never an internal id (the source id stays in `source_id`).
            name=_("Organisme non précisé"),
            networks=[enums.Network.RESEAU_ALPHA.value] if service.source == "reseau-alpha" else [],
        )
        return record, None

    # --- services ---------------------------------------------------------------------------------------

    def read(self, path: str) -> Iterator[ReaderItem]:
        yield from self.load_structures()
        items, prefix, notices = read_items(path, _("services"))
        yield from notices
        dicts = [item for item in items if isinstance(item, dict)]
        if dicts and all("structure_id" not in d and STRUCTURE_ONLY_FIELDS & d.keys() for d in dicts):
            raise ImportFileError(
                _("%(file)s : ce fichier contient des structures, pas des services : passez-le avec --structures")
                % {"file": path}
            )
        for index, item in enumerate(items):
            item, location = _unwrap(item, f"{prefix}[{index}]")
            yield self.service(item, location)

    def service(self, raw: object, location: str) -> CourseRecord | Rejected | Filtered:
        if not isinstance(raw, dict):
            return Rejected("", location, _("pas un objet JSON"))
        raw_id = clean_text(raw.get("id"))
        record_id = self._service_id(raw.get("source"), raw_id)
        themes = raw.get("thematiques")
        if themes is None or (isinstance(themes, list) and FRENCH_THEME not in themes):
            return Filtered(record_id, location, _("thématique hors apprentissage du français"))
        try:
            service = Service.model_validate(raw)
        except ValidationError as exc:
            return Rejected(
                record_id,
                location,
                _("invalide selon le schéma data·inclusion v1 : %(e)s") % {"e": _errors(exc)},
            )
        warnings: list[str] = []
        try:
            structure_record, structure = self._structure_for(service, raw, warnings)
        except _Refusal as exc:
            return Rejected(record_id, location, str(exc))
        return self.course(service, structure_record, structure, record_id, location, warnings)

    def _service_id(self, producer, raw_id):
        producer = clean_text(producer)
        if not raw_id or not producer or raw_id.startswith(f"{producer}--"):
            return raw_id
        return f"{producer}--{raw_id}"

    def course(
        self,
        s: Service,
        structure_record: StructureRecord,
        structure: Structure | None,
        record_id: str,
        location: str,
        warnings: list[str],
    ) -> CourseRecord | Filtered:
        course_type = course_type_from_text(s.nom) or course_type_from_text(markdown_to_text(s.description))
        if course_type is None:
            course_type = enums.CourseType.OTHER
            warnings.append(_("type de cours introuvable dans l'intitulé ou la description : « autre » retenu"))
        is_free, cost_amount, cost_details = self._cost(s, warnings)
        hours = None
        if s.volume_horaire_hebdomadaire is not None:
            hours = Decimal(str(s.volume_horaire_hebdomadaire))
            if hours > 80:
                warnings.append(
                    _("volume horaire hebdomadaire de %(h)s h au-delà de 80 h : non repris") % {"h": hours}
                )
                hours = None
        total = None
        if hours is not None and s.nombre_semaines:
            total = int((hours * s.nombre_semaines).to_integral_value())
        return CourseRecord(
            source=self.source,
            source_id=record_id,
            structure=structure_record,
            place=self._place(s, structure),
            name=clean_text(s.nom),
            course_type=course_type,
            location=location,
            description=self._description(s),
            hours_per_week=hours,
            total_hours=total,
            is_free=is_free,
            cost_amount=cost_amount,
            cost_details=cost_details,
            modality=self._modality(s, warnings),
            registration_mode=self._registration(s),
            # The schema defines a service's `telephone` and `courriel` as the means to reach the service: public
            # contact points. `contact_nom_prenom` is not said to be published: not kept (ADR 0019).
            contact_phone=fit(clean_text(s.telephone), 30, _("téléphone"), warnings),
            contact_email=s.courriel or "",
            contact_public=True,
            audiences={p.value: enums.AudienceMode.PRIORITY.value for p in sorted(s.publics or [])},
            source_url=fit(str(s.lien_source or ""), 500, _("lien source"), warnings),
            updated_at=_aware(s.date_maj),
            warnings=warnings,
        )

    def _place(self, s, structure):
        holder = s
        has_location = any([s.adresse, s.code_insee, s.code_postal, s.latitude is not None])
        if not has_location and structure is not None:
            holder = structure  # the service happens at its structure
        parts = (holder.adresse, holder.code_postal, holder.code_insee, holder.commune)
        return PlaceRecord(
            source_id=f"{s.structure_id}--{place_key(*parts)}",
            address=clean_text(holder.adresse),
            address_complement=clean_text(holder.complement_adresse),
            post_code=holder.code_postal or "",
            city=clean_text(holder.commune),
            code_insee=holder.code_insee or "",
            latitude=holder.latitude,
            longitude=holder.longitude,
        )

    def _cost(self, s, warnings):
        details = clean_text(s.frais_precisions)
        if s.frais == Frais.PAYANT:
            return False, cost_from_text(details), details
        if s.frais is None:
            warnings.append(_("frais non renseignés : coût à demander"))
            return None, cost_from_text(details), details
        return True, None, details

    def _modality(self, s, warnings):
        modes = set(s.modes_accueil or [])
        if modes == {ModeAccueil.A_DISTANCE}:
            return enums.Modality.REMOTE
        if modes == {ModeAccueil.A_DISTANCE, ModeAccueil.EN_PRESENTIEL}:
            return enums.Modality.HYBRID
        if not modes:
            warnings.append(_("modes d'accueil non renseignés : présentiel retenu"))
        return enums.Modality.ON_SITE

    def _registration(self, s):
        who = set(s.mobilisable_par or [])
        if PersonneMobilisatrice.USAGERS in who:
            return enums.RegistrationMode.OPEN
        if who == {PersonneMobilisatrice.PROFESSIONNELS}:
            return enums.RegistrationMode.PRESCRIPTION
        return ""

    def _description(self, s):
        parts = [markdown_to_text(s.description)]
        for label, value in (
            (_("Publics"), s.publics_precisions),
            (_("Conditions d'accès"), s.conditions_acces),
            (_("Modalités d'inscription"), s.mobilisation_precisions),
            (_("Horaires d'accueil"), s.horaires_accueil),
            (_("S'inscrire"), str(s.lien_mobilisation or "")),
        ):
            text = markdown_to_text(value)
            if text:
                parts.append(f"{label} : {text}")
        return "\n\n".join(p for p in parts if p)


class _Refusal(Exception):
    pass


def read_data_inclusion(path: str, *, source: str, structures_path: str | None = None) -> Iterator[ReaderItem]:
    """Yield the records, rejections, filtered items and notices of a data·inclusion services file."""
    yield from DataInclusionReader(source=source, structures_path=structures_path).read(path)
