"""The territorial diagnostic's own data (issue #24): the quartiers prioritaires (QPV 2024) and the legal
population of the communes, each recorded with its source, year and licence (`NeedSource`). All or nothing;
a file that does not parse stops the load with its location."""

import json
from pathlib import Path

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from cartolangue.geo.models import Commune, NeedSource, Qpv
from cartolangue.interop.errors import ImportFileError

POPULATION_KEY = "population"
POPULATION_SOURCE = {
    "label": "Population municipale (populations légales)",
    "source": "INSEE, populations légales, via @etalab/decoupage-administratif 6.0.0 (COG 2026)",
    "year": 2026,
    "licence": "Licence Ouverte 2.0",
}
QPV_KEY = "qpv"
QPV_SOURCE = {
    "label": "Quartiers prioritaires de la politique de la ville 2024 (contours simplifiés à ~50 m)",
    "source": "ANCT, QPV 2024 (data.gouv.fr, 2026-01-15), simplifiés par Jondari/point-of-interest",
    "year": 2024,
    "licence": "ANCT, données ouvertes (mention de la source) ; dépôt MIT",
}


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportFileError(_("%(file)s : JSON illisible (%(error)s)") % {"file": path.name, "error": exc}) from exc


def load_population(path: Path) -> dict[str, int]:
    """Set each current commune's population from the COG file; the counts of updated, unchanged and absent."""
    rows = _json(path)
    if not isinstance(rows, list):
        raise ImportFileError(_("%(file)s : une liste de communes est attendue") % {"file": path.name})
    populations = {}
    for position, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or "code" not in row:
            raise ImportFileError(_("%(file)s, entrée %(n)d : pas de code") % {"file": path.name, "n": position})
        if row.get("type") == "commune-actuelle" and isinstance(row.get("population"), int):
            populations[row["code"]] = row["population"]
    counts = {"updated": 0, "unchanged": 0, "absent": 0}
    with transaction.atomic():
        changed = []
        for commune in Commune.objects.only("pk", "code_insee", "population"):
            value = populations.get(commune.code_insee)
            if value is None:
                counts["absent"] += 1
            elif commune.population == value:
                counts["unchanged"] += 1
            else:
                commune.population = value
                changed.append(commune)
                counts["updated"] += 1
        Commune.objects.bulk_update(changed, ["population"], batch_size=500)
        NeedSource.objects.update_or_create(key=POPULATION_KEY, defaults=POPULATION_SOURCE)
    return counts


def load_qpv(path: Path) -> int:
    """Replace the QPV with the features of a GeoJSON FeatureCollection (properties code, nom, commune)."""
    data = _json(path)
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise ImportFileError(_("%(file)s : FeatureCollection GeoJSON attendue") % {"file": path.name})
    qpvs = []
    for position, feature in enumerate(features, start=1):
        where = _("%(file)s, entité %(n)d") % {"file": path.name, "n": position}
        try:
            properties = feature["properties"]
            shape = shapely.geometry.shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ImportFileError(
                _("%(where)s : entité illisible (%(error)s)") % {"where": where, "error": exc}
            ) from exc
        if not shape.is_valid:
            shape = shapely.make_valid(shape)
        qpvs.append(
            Qpv(
                code=str(properties.get("code", "")).strip() or where,
                name=str(properties.get("nom", "")).strip(),
                commune_name=str(properties.get("commune", "")).strip(),
                geometry=shapely.to_wkb(shape),
            )
        )
    with transaction.atomic():
        Qpv.objects.all().delete()
        Qpv.objects.bulk_create(qpvs)
        NeedSource.objects.update_or_create(key=QPV_KEY, defaults=QPV_SOURCE)
    return len(qpvs)
