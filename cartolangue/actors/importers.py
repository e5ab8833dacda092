"""Importers of the open files of support actors (data/actors/PROVENANCE.md): one reader per format, one writer.
A reader yields ActorRecord or Rejected (its id, its line, why); the writer stores them all or nothing, matched on
(source, source id), and reports created / updated / unchanged / rejected / left out, each with its reason.
One piece just over 400 lines: four small readers and their one writer, read together when a format changes.
Kinds, publics and schemes come from the referential (actors/enums.py)."""

import csv
import datetime
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartolangue.actors.enums import DEFAULT_REACH_KM, KIND_DEFAULTS, ActorKind
from cartolangue.actors.models import Actor
from cartolangue.geo.models import Commune
from cartolangue.interop.errors import ImportFileError, OutsideTerritoryError, RecordError
from cartolangue.interop.geography import Geography
from cartolangue.interop.spreadsheet.actor_sheet import read_actor_sheet


@dataclass
class ActorRecord:
    source_id: str
    location: str  # "file, line N"
    kind: str
    name: str
    address: str = ""
    post_code: str = ""
    city: str = ""
    code_insee: str = ""
    latitude: float | None = None
    longitude: float | None = None
    phone: str = ""
    email: str = ""
    website: str = ""
    opening_hours: str = ""
    siret: str = ""
    # The départements the actor covers, when its source says so (an Ofii direction: "(dép. 92, 78)").
    covered_departements: tuple[str, ...] = ()
    # What a source that says more than the kind gives (the workbook's "Acteurs" sheet); empty: the kind's.
    publics: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    covered_communes: tuple[str, ...] = ()  # INSEE codes
    reach_km: int | None = None


@dataclass
class Skipped:
    """A row the format holds but the directory does not: counted, with why, not an error."""

    reason: str


@dataclass
class Rejected:
    record_id: str
    location: str
    reason: str


@dataclass
class ActorImportReport:
    source: str
    file: str
    counts: Counter = field(default_factory=Counter)
    rejected: list[Rejected] = field(default_factory=list)
    outside_territory: int = 0
    skipped: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        c = self.counts
        out = [
            _(
                "%(file)s (%(source)s) : %(created)d créés, %(updated)d modifiés, %(unchanged)d inchangés, "
                "%(rejected)d rejetés"
            )
            % {
                "file": self.file,
                "source": self.source,
                "created": c["created"],
                "updated": c["updated"],
                "unchanged": c["unchanged"],
                "rejected": len(self.rejected),
            }
        ]
        if self.outside_territory:
            out.append(_("%(n)d hors Île-de-France écartés (attendu)") % {"n": self.outside_territory})
        for reason, n in sorted(self.skipped.items()):
            out.append(_("%(n)d écartés : %(reason)s") % {"n": n, "reason": reason})
        for r in self.rejected:
            out.append(
                _("REJETÉ %(id)s (%(where)s) : %(why)s") % {"id": r.record_id, "where": r.location, "why": r.reason}
            )
        return out


def _rows(path: Path, delimiter: str = ",") -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            if not reader.fieldnames:
                raise ImportFileError(_("%(file)s : fichier vide") % {"file": path.name})
            yield from enumerate(reader, start=2)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(f"{path.name} : {exc}") from exc


def _require(path: Path, row: dict[str, str], *columns: str) -> None:
    missing = [c for c in columns if c not in row]
    if missing:
        raise ImportFileError(
            _("%(file)s : colonnes attendues absentes : %(cols)s") % {"file": path.name, "cols": ", ".join(missing)}
        )


def _decimal(value: str) -> float | None:
    value = (value or "").strip().replace(",", ".")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _clean(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value.upper() == "NULL" else value


def read_france_services(path: Path) -> Iterator[ActorRecord | Rejected | Skipped]:
    """ANCT's list of France Services (data.gouv.fr, Licence Ouverte 2.0): one row per place, with its hours."""
    days = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")
    for line, row in _rows(path):
        _require(path, row, "id_fs", "lib_fs", "adresse", "insee_com", "code_postal", "latitude", "longitude")
        hours = "\n".join(f"{day} : {row[f'h_{day}']}" for day in days if _clean(row.get(f"h_{day}")))
        yield ActorRecord(
            source_id=row["id_fs"],
            location=f"{path.name}, ligne {line}",
            kind=ActorKind.FRANCE_SERVICES,
            name=_clean(row["lib_fs"]),
            address=", ".join(v for v in (_clean(row["adresse"]), _clean(row.get("complement_adresse"))) if v),
            post_code=_clean(row["code_postal"]),
            city=_clean(row.get("lib_com")),
            code_insee=_clean(row["insee_com"]),
            latitude=_decimal(row["latitude"]),
            longitude=_decimal(row["longitude"]),
            phone=_clean(row.get("telephone")),
            email=_clean(row.get("mail")),
            opening_hours=hours,
        )


def read_pole_emploi_agencies(path: Path) -> Iterator[ActorRecord | Rejected | Skipped]:
    """Pôle emploi's agencies of 2019 (les-emplois, AGPL): the local agencies (ALE) a person goes to; the
    directions (DDA, DRA) receive no public."""
    for line, row in _rows(path):
        _require(path, row, "REFERENCE_PE", "NOM", "TYPE_SITE", "ADRESSE", "CODE_POSTAL", "COMMUNE")
        if row["TYPE_SITE"] != "ALE":
            yield Skipped(_("direction France Travail sans accueil du public (%(type)s)") % {"type": row["TYPE_SITE"]})
            continue
        yield ActorRecord(
            source_id=row["REFERENCE_PE"],
            location=f"{path.name}, ligne {line}",
            kind=ActorKind.FRANCE_TRAVAIL,
            name=_("France Travail – %(name)s") % {"name": _clean(row["NOM"])},
            address=", ".join(v for v in (_clean(row["ADRESSE"]), _clean(row.get("COMPLEMENT_ADRESSE"))) if v),
            post_code=_clean(row["CODE_POSTAL"]),
            city=_clean(row["COMMUNE"]),
            latitude=_decimal(row.get("DN_LATITUDE", "")),
            longitude=_decimal(row.get("DN_LONGITUDE", "")),
        )


SIAE_KIND = {
    "ACI": ActorKind.SIAE_ACI,
    "EI": ActorKind.SIAE_EI,
    "ETTI": ActorKind.SIAE_ETTI,
    "AI": ActorKind.SIAE_AI,
    "EITI": ActorKind.SIAE_EITI,
}


def read_siae(path: Path) -> Iterator[ActorRecord | Rejected | Skipped]:
    """The ASP's list of SIAE under convention (July 2019, les-emplois, AGPL), `;`-separated, no coordinates:
    placed at their commune's centre. One row per measure: a structure running two is two actors. A structure is
    listed once per département where its measure has a convention: the same actor, counted as left out."""
    seen: set[str] = set()
    for line, row in _rows(path, delimiter=";"):
        _require(path, row, "MESURE", "SIRET", "DENOMINATION_SOCIALE", "CODE_POST_COM", "LIB_COM")
        kind = SIAE_KIND.get(row["MESURE"].strip())
        where = f"{path.name}, ligne {line}"
        if kind is None:
            yield Rejected(row["SIRET"], where, _("mesure inconnue « %(m)s »") % {"m": row["MESURE"]})
            continue
        source_id = f"{row['SIRET'].strip()}-{row['MESURE'].strip()}"
        if source_id in seen:
            yield Skipped(_("même SIAE et même mesure, conventionnée dans un autre département"))
            continue
        seen.add(source_id)
        street = " ".join(v for v in (_clean(row.get("NUM_RUE")), _clean(row.get("NOM_RUE"))) if v)
        yield ActorRecord(
            source_id=source_id,
            location=where,
            kind=kind,
            name=_clean(row["DENOMINATION_SOCIALE"]),
            siret=row["SIRET"].strip() if re.fullmatch(r"\d{14}", row["SIRET"].strip()) else "",
            address=street,
            post_code=_clean(row["CODE_POST_COM"]) or _clean(row.get("CODE_POSTAL")),
            city=_clean(row["LIB_COM"]),
            phone=_clean(row.get("TELEPHONE")),
        )


# The annuaire's pivots kept in the directory, and their kind; the others (CIO, GRETA, préfectures…) are not
# support actors of a language pathway and are counted as left out.
DILA_PIVOTS = {
    "mission_locale": ActorKind.MISSION_LOCALE,
    "ofii": ActorKind.OFII,
    "cidf": ActorKind.CIDFF,
    "mjd": ActorKind.RIGHTS,
    "permanence_juridique": ActorKind.RIGHTS,
    "cap_emploi": ActorKind.CAP_EMPLOI,
}
# The annuaire's long official names, as a person reads them on a card.
DILA_SHORT_NAMES = (
    ("Mission locale pour l'insertion professionnelle et sociale des jeunes (16-25 ans) - ", "Mission Locale – "),
    ("Centre d'information sur les droits des femmes et des familles (CIDFF) - ", "CIDFF – "),
    ("Office français de l'immigration et de l'intégration (OFII) - ", "Ofii – "),
)
DILA_ID = re.compile(r"^(?P<pivot>[a-z_]+)-(?P<insee>\d[\dAB]\d{3})-\d+$")
DILA_ADDRESS = re.compile(r"Adresse : (?P<street>.*),(?P<post_code>\d{5}),(?P<city>[^|]*?)\s*(\||$)")
DILA_PHONE = re.compile(r"Tél : (?P<phone>[^|]*?)\s*(\||$)")
DILA_DEPARTEMENTS = re.compile(r"\(dép\. (?P<codes>\d[\dAB](?:, \d[\dAB])*)\)")


def read_dila_annuaire(path: Path) -> Iterator[ActorRecord | Rejected | Skipped]:
    """DILA's Annuaire de l'administration (2019, Licence Ouverte), as reshaped by okfnfr/dada-france-authorities:
    `#id` is `<pivot>-<INSEE>-NN`; the address and phone are in `notes` ("Adresse : rue,CP,Ville | Tél : …")."""
    for line, row in _rows(path):
        _require(path, row, "#id", "name", "notes")
        where = f"{path.name}, ligne {line}"
        match = DILA_ID.match(row["#id"])
        if not match:
            yield Rejected(row["#id"], where, _("identifiant inattendu (attendu : pivot-INSEE-NN)"))
            continue
        kind = DILA_PIVOTS.get(match["pivot"])
        if kind is None:
            yield Skipped(_("organisme hors de l'annuaire des acteurs (%(pivot)s)") % {"pivot": match["pivot"]})
            continue
        address = DILA_ADDRESS.search(row["notes"])
        phone = DILA_PHONE.search(row["notes"])
        website = _clean(row.get("home_page"))
        name = re.sub(r"\s+", " ", _clean(row["name"]))
        departements = DILA_DEPARTEMENTS.search(name)
        for long, short in DILA_SHORT_NAMES:
            name = name.replace(long, short)
        yield ActorRecord(
            source_id=row["#id"],
            location=where,
            kind=kind,
            name=name,
            address=address["street"].strip() if address else "",
            post_code=address["post_code"] if address else "",
            city=address["city"].strip() if address else "",
            code_insee=match["insee"],
            phone=phone["phone"].strip() if phone else "",
            email=_clean(row.get("request_email")),
            website=website if website.startswith(("http://", "https://")) else "",
            covered_departements=tuple(departements["codes"].split(", ")) if departements else (),
        )


@dataclass(frozen=True)
class ActorFormat:
    key: str
    source: str  # the `source` written on its actors
    read: object  # (Path) → records
    date: datetime.date | None  # the date of the data, shown with each actor; None: the day of the import


ACTOR_FORMATS = {
    f.key: f
    for f in (
        ActorFormat("france-services", "anct-france-services", read_france_services, datetime.date(2024, 8, 1)),
        ActorFormat(
            "pole-emploi-agences", "pole-emploi-agences-2019", read_pole_emploi_agencies, datetime.date(2019, 11, 13)
        ),
        ActorFormat("siae-asp", "asp-siae-2019", read_siae, datetime.date(2019, 7, 31)),
        ActorFormat("annuaire-dila", "dila-annuaire-2019", read_dila_annuaire, datetime.date(2019, 8, 11)),
        ActorFormat("tableur", "tableur-acteurs", read_actor_sheet, None),
    )
}


@dataclass
class _Place:
    code_insee: str
    post_code: str
    city: str
    latitude: float | None
    longitude: float | None


FIELDS = (
    "kind", "name", "siret", "address", "post_code", "commune_id", "latitude", "longitude",
    "location_is_approximate", "phone", "email", "website", "opening_hours", "publics", "schemes", "source_date",
    "reach_km",
)  # fmt: skip


def import_actors(format_key: str, path: Path, *, dry_run: bool = False) -> ActorImportReport:
    """Read `path` in the format `format_key` and store its actors, all or nothing."""
    fmt = ACTOR_FORMATS[format_key]
    report = ActorImportReport(source=fmt.source, file=path.name)
    geography = Geography()
    existing = {a.source_id: a for a in Actor.objects.filter(source=fmt.source)}
    with transaction.atomic():
        seen: set[str] = set()
        for item in fmt.read(path):  # type: ignore[operator]
            if isinstance(item, Skipped):
                report.skipped[item.reason] += 1
            elif isinstance(item, Rejected):
                report.rejected.append(item)
            elif item.source_id in seen:
                report.rejected.append(Rejected(item.source_id, item.location, _("identifiant déjà lu plus haut")))
            else:
                seen.add(item.source_id)
                _store(item, fmt, geography, existing, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _store(item: ActorRecord, fmt: ActorFormat, geography: Geography, existing: dict, report) -> None:
    if not item.name:
        report.rejected.append(Rejected(item.source_id, item.location, _("nom manquant")))
        return
    try:
        commune, lat, lon, approximate, _notes = geography.resolve(
            _Place(item.code_insee, item.post_code, item.city, item.latitude, item.longitude)
        )
    except OutsideTerritoryError:
        report.outside_territory += 1
        return
    except RecordError as exc:
        report.rejected.append(Rejected(item.source_id, item.location, str(exc)))
        return
    publics, schemes = KIND_DEFAULTS[item.kind]
    publics, schemes = item.publics or publics, item.schemes or schemes
    values = {
        "kind": item.kind,
        "name": item.name[:250],
        "siret": item.siret,
        "address": item.address[:250],
        "post_code": item.post_code if re.fullmatch(r"\d{5}", item.post_code) else "",
        "commune_id": commune.id,
        "latitude": lat,
        "longitude": lon,
        "location_is_approximate": approximate,
        "phone": item.phone[:40],
        "email": item.email if "@" in item.email else "",
        "website": item.website[:500],
        "opening_hours": item.opening_hours,
        "publics": [str(p) for p in publics],
        "schemes": [str(s) for s in schemes],
        "source_date": fmt.date or timezone.localdate(),
        "reach_km": item.reach_km if item.reach_km is not None else DEFAULT_REACH_KM,
    }
    covered = set()
    if item.covered_departements:
        covered |= set(
            Commune.objects.filter(departement__code__in=item.covered_departements).values_list("pk", flat=True)
        )
    if item.covered_communes:
        found = dict(Commune.objects.filter(code_insee__in=item.covered_communes).values_list("code_insee", "pk"))
        unknown = sorted(set(item.covered_communes) - found.keys())
        if unknown:
            reason = _("communes couvertes inconnues : %(codes)s") % {"codes": ", ".join(unknown)}
            report.rejected.append(Rejected(item.source_id, item.location, reason))
            return
        covered |= set(found.values())
    actor = existing.get(item.source_id)
    if actor is not None and fmt.date is None:
        values["source_date"] = actor.source_date  # dated the day it last changed, not the day it was re-read
    if actor is None:
        actor = Actor.objects.create(source=fmt.source, source_id=item.source_id, **values)
        actor.covered_communes.set(covered)
        report.counts["created"] += 1
    elif any(getattr(actor, k) != v for k, v in values.items()) or covered != _covered_ids(actor):
        values["source_date"] = fmt.date or timezone.localdate()
        for k, v in values.items():
            setattr(actor, k, v)
        actor.save()
        actor.covered_communes.set(covered)
        report.counts["updated"] += 1
    else:
        report.counts["unchanged"] += 1


def _covered_ids(actor: Actor) -> set[int]:
    return set(actor.covered_communes.values_list("pk", flat=True))
