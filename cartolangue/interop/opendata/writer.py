"""Open data writer: CSV (RFC 4180: UTF-8 without BOM, comma, double quotes, CRLF, one header line) and GeoJSON
(RFC 7946: FeatureCollection, WGS 84, longitude then latitude, no `crs` member) for each table of
`dictionary.TABLES`, plus `dictionnaire.csv` and a README with the licence (Licence Ouverte 2.0).

Rows are read with `QuerySet.iterator(chunk_size=…)` and written as they come, so that memory does not grow
with the offer (100,000 courses). The same generators feed the files of `export_opendata`, the streamed
downloads of the API and the zip.
"""

import csv
import datetime
import io
import json
import os
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TextIO

from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cartolangue.interop.formulas import neutralise_formula
from cartolangue.interop.opendata.dictionary import KINDS, TABLES, Column, Table
from cartolangue.offers import enums
from cartolangue.offers.models import DEMO_SOURCE, Course

ITERATOR_CHUNK = 2000  # rows fetched (and prefetched) per query
CSV_BATCH = 500  # rows per streamed chunk
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
DICTIONARY_FILE = "dictionnaire.csv"
DICTIONARY_HEADER = ["fichier", "colonne", "type", "description", "valeurs"]
README_FILE = "README.md"
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "zip": "application/zip",
    "md": "text/markdown; charset=utf-8",
}


# --- values ----------------------------------------------------------------------------------------------


def _csv_cell(value):
    """A value as a CSV cell; text that a spreadsheet would take for a formula is neutralised (`formulas`)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)  # a number, negative or not, is never a formula
    return neutralise_formula(_cell_text(value))


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(_cell_text(v) for v in value if v is not None)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _json_value(value):
    if isinstance(value, list):
        return [_json_value(v) for v in value if v is not None]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _rows(table, include_demo):
    """(id, values in column order, geometry) for each row of the table."""
    for obj in table.queryset(include_demo).iterator(chunk_size=ITERATOR_CHUNK):
        # Labels are French whatever the language of the request that asked for the file.
        with translation.override("fr"):
            values = [column.get(obj) for column in table.columns]
        yield obj.pk, values, table.geometry(obj)


def _csv_line(cells):
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise_formula(str(cell)) for cell in cells])
    return buffer.getvalue()


def _feature(table, pk, values, geometry):
    feature = {
        "type": "Feature",
        "id": pk,
        "geometry": geometry,
        "properties": {c.name: _json_value(v) for c, v in zip(table.columns, values, strict=True)},
    }
    return json.dumps(feature, ensure_ascii=False, separators=(",", ":"))


# --- streams ---------------------------------------------------------------------------------------------


def iter_csv(table: Table, *, include_demo: bool = False, counts: dict[str, int] | None = None) -> Iterator[str]:
    """The table as CSV text, in chunks of a few hundred rows; `counts[table.name]` gets the row count."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header)
    n = 0
    for n, (_pk, values, _geometry) in enumerate(_rows(table, include_demo), start=1):  # noqa: B007
        writer.writerow([_csv_cell(v) for v in values])
        if n % CSV_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if counts is not None:
        counts[table.name] = n
    yield buffer.getvalue()


def iter_geojson(table: Table, *, include_demo: bool = False) -> Iterator[str]:
    """The table as a GeoJSON FeatureCollection, one feature per line."""
    yield '{"type":"FeatureCollection","features":[\n'
    separator = ""
    for pk, values, geometry in _rows(table, include_demo):
        yield separator + _feature(table, pk, values, geometry)
        separator = ",\n"
    yield "\n]}\n"


def iter_dictionary() -> Iterator[str]:
    yield _csv_line(DICTIONARY_HEADER)
    for fields in dictionary_rows():
        yield _csv_line(fields)


def dictionary_rows() -> list[list[str]]:
    """fichier, colonne, type, description, valeurs: one row per column of every CSV file, in French."""
    rows = []
    with translation.override("fr"):
        for table in TABLES.values():
            for column in table.columns:
                rows.append(
                    [f"{table.name}.csv", column.name, column.kind, str(column.description), column_values(column)]
                )
    return rows


def column_values(column: Column) -> str:
    """The referential values of a column as the dictionary lists them ("code : libellé ; …")."""
    if column.choices is None or column.labels:
        return ""
    if column.choices is enums.CecrlLevel:
        return " ; ".join(str(label) for label in column.choices.labels)
    return " ; ".join(f"{value} : {label}" for value, label in column.choices.choices)


# --- files -----------------------------------------------------------------------------------------------


def write_opendata(outdir: str | os.PathLike[str], *, include_demo: bool = False) -> dict[str, int]:
    """Write every CSV and GeoJSON file, the dictionary and the README into `outdir`; return the row counts.

    Each file is written under a temporary name and renamed once complete, so that a web server serving the
    directory never hands out half a file."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in TABLES.values():
        csv_path, geo_path = outdir / f"{table.name}.csv", outdir / f"{table.name}.geojson"
        with atomic_write(csv_path) as csv_file, atomic_write(geo_path) as geo_file:
            writer = csv.writer(csv_file)
            writer.writerow(table.header)
            geo_file.write('{"type":"FeatureCollection","features":[\n')
            n = 0
            for pk, values, geometry in _rows(table, include_demo):
                writer.writerow([_csv_cell(v) for v in values])
                geo_file.write((",\n" if n else "") + _feature(table, pk, values, geometry))
                n += 1
            geo_file.write("\n]}\n")
        counts[table.name] = n
    with atomic_write(outdir / DICTIONARY_FILE) as out:
        out.writelines(iter_dictionary())
    with atomic_write(outdir / README_FILE) as out:
        out.write(readme_text(counts, include_demo=include_demo))
    return counts


class atomic_write:
    """Open `path` for writing under a temporary name; rename it into place on success only."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.tmp")

    def __enter__(self) -> TextIO:
        # newline="" lets the csv module write its own CRLF line ends.
        self.file = open(self.tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        return self.file

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Literal[False]:
        self.file.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
        return False


# --- zip -------------------------------------------------------------------------------------------------


class _Sink(io.RawIOBase):
    """A write-only, unseekable byte sink that hands back what was written so far (zipfile then writes
    data descriptors instead of seeking back)."""

    def __init__(self):
        self.chunks = []

    def writable(self):
        return True

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(data)

    def take(self):
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def iter_zip(*, include_demo: bool = False) -> Iterator[bytes]:
    """Every file of the export in one zip, streamed as it is compressed."""
    sink = _Sink()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES.values():
            for extension, chunks in (
                ("csv", iter_csv(table, include_demo=include_demo, counts=counts)),
                ("geojson", iter_geojson(table, include_demo=include_demo)),
            ):
                with archive.open(f"{table.name}.{extension}", "w", force_zip64=True) as entry:
                    for chunk in chunks:
                        entry.write(chunk.encode())
                        if data := sink.take():
                            yield data
        archive.writestr(DICTIONARY_FILE, "".join(iter_dictionary()))
        archive.writestr(README_FILE, readme_text(counts, include_demo=include_demo))
    yield sink.take()


# --- README and overview ---------------------------------------------------------------------------------


def latest_update(include_demo: bool = False) -> datetime.datetime | None:
    """When the exported offer last changed (the latest course update), or None for an empty offer."""
    courses = Course.objects.public() if include_demo else Course.objects.public().real()
    return courses.aggregate(latest=Max("updated_at"))["latest"]


def courses_by_source(include_demo: bool = False) -> list[tuple[str, int]]:
    courses = Course.objects.public() if include_demo else Course.objects.public().real()
    return list(courses.values_list("source").annotate(n=Count("id")).order_by("source"))


def formula_note() -> str:
    """How the CSV files keep spreadsheets from running a cell as a formula (README, "Données" page)."""
    return _(
        "CSV : une valeur de texte qui commence par =, +, -, @, une tabulation ou un retour chariot est précédée "
        "d'une apostrophe (') pour qu'un tableur ne l'exécute pas comme une formule ; les nombres, même "
        "négatifs, et les numéros de téléphone comme +33 1 23 45 67 89 restent tels quels."
    )


def readme_text(counts: dict[str, int], *, include_demo: bool = False) -> str:
    """The README of the export, in French: content, licence, formats, demo data, sources."""
    with translation.override("fr"):
        latest = latest_update(include_demo)
        n_columns = sum(len(t.columns) for t in TABLES.values())
        lines = [
            _("# Carto-Langue : cours de français pour adultes en Île-de-France"),
            "",
            _("Export du %(date)s.") % {"date": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
            _("Dernière mise à jour des données : %(date)s.")
            % {"date": timezone.localtime(latest).strftime("%Y-%m-%d") if latest else _("aucune donnée")},
            "",
            _("## Licence"),
            "",
            _(
                "Licence Ouverte / Open Licence version 2.0 (Etalab), %(url)s, pour les données produites par "
                "Carto-Langue (source « saisie ») et pour la compilation. Les fiches reprises d'un autre producteur "
                "(colonne « source ») restent soumises à ses conditions : citez-le. Mention à reprendre : "
                "« Carto-Langue, offre de cours de français en Île-de-France », avec la date de l'export."
            )
            % {"url": LICENCE_URL},
            "",
            _("## Fichiers"),
            "",
            "| " + " | ".join([_("fichier"), _("contenu"), _("lignes")]) + " |",
            "|---|---|---:|",
        ]
        rows = [
            (f"`{table.name}.csv`, `{table.name}.geojson`", table.description, counts.get(table.name, 0))
            for table in TABLES.values()
        ]
        rows.append((f"`{DICTIONARY_FILE}`", _("Dictionnaire des données : chaque colonne de chaque CSV."), n_columns))
        lines += [f"| {files} | {content} | {n} |" for files, content, n in rows]
        lines += [
            "",
            _("## Formats"),
            "",
            _(
                "- CSV : UTF-8 sans BOM, séparateur virgule, guillemets doubles, fins de ligne CRLF (RFC 4180), une "
                "ligne d'en-tête ; l'ordre des colonnes est stable."
            ),
            _(
                "- Valeurs multiples séparées par « | » ; chaque code de référentiel a une colonne « _libelle » en "
                "français à côté."
            ),
            _("- Booléens : true ou false ; une cellule vide signifie « inconnu » ou « sans objet »."),
            "- " + formula_note(),
            _("- Dates AAAA-MM-JJ ; dates et heures ISO 8601 avec le décalage horaire de Paris."),
            _(
                "- GeoJSON : FeatureCollection (RFC 7946), coordonnées WGS 84 dans l'ordre longitude, latitude ; "
                "les propriétés sont les colonnes du CSV, les valeurs multiples y sont des tableaux."
            ),
            _(
                "- Les coordonnées marquées « localisation_approximative » sont le centre de la commune, faute "
                "d'adresse géolocalisée."
            ),
            "",
            _("Types de colonnes du dictionnaire :"),
            "",
        ]
        lines += [f"- `{kind}` : {label}" for kind, label in KINDS.items()]
        lines += ["", _("## Données de démonstration"), ""]
        if include_demo:
            lines.append(
                _(
                    "Cet export contient les données fictives de démonstration (source « %(source)s », colonne "
                    "« demonstration » à true) : ne les réutilisez pas comme des données réelles."
                )
                % {"source": DEMO_SOURCE}
            )
        else:
            lines.append(
                _("Les données fictives de démonstration (source « %(source)s ») sont exclues de cet export.")
                % {"source": DEMO_SOURCE}
            )
        lines += [
            "",
            _("## Sources des cours"),
            "",
            f"| {_('source')} | {_('cours')} |",
            "|---|---:|",
        ]
        lines += [f"| {source} | {n} |" for source, n in courses_by_source(include_demo)]
        lines += [
            "",
            _(
                "Données de personnes : les exports ne contiennent pas le nom des contacts, seulement les "
                "téléphones et courriels d'inscription publiés par les structures."
            ),
            "",
        ]
    return "\n".join(str(line) for line in lines)


def overview(include_demo: bool = False) -> dict[str, Any]:
    """Row counts, columns and the last update of every table, for the "Données" page."""
    tables = [
        {
            "table": table,
            "rows": table.queryset(include_demo).count(),
            "columns": [(c.name, KINDS[c.kind], c.description, column_values(c)) for c in table.columns],
        }
        for table in TABLES.values()
    ]
    return {
        "tables": tables,
        "latest_update": latest_update(include_demo),
        "demo_courses": Course.objects.public().demo().count(),
    }
