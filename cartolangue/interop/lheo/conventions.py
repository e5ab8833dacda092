"""LHEO codes and conventions shared by the reader and the writer.

- Namespaces: LHEO 2.2 (`http://www.lheo.org/2.2`) and 2.3 (`http://lheo.gouv.fr/2.3`); files in either are
  read, files are written in 2.3 and checked against the official XSD (data/interop/lheo-2.3.xsd).
- Dates (LHEO source definition, `debut`, `fin`, `date`): AAAAMMJJ; 00000000 (début) or 99999999 (fin)
  when unknown; AAAAMM00 for a month, AAAA0000 for a year. A partial start is read as the first day of the
  period, a partial end as the last one, and the report says so.
- Qualification levels (`code-niveau-entree`, `code-niveau-sortie`) are NOT CECRL levels: never mapped.
- The language detail LHEO lacks travels in `<extras info="carto-langue">` (docs/lheo-extras.md); when a
  file carries them, they are authoritative over what the reader would infer from LHEO fields.
"""

import calendar
import csv
import os
from datetime import date
from pathlib import Path

from django.conf import settings

from cartolangue.offers import enums

NS22 = "http://www.lheo.org/2.2"
NS23 = "http://lheo.gouv.fr/2.3"
NAMESPACES = {NS22: "2.2", NS23: "2.3"}
EXTRAS_INFO = "carto-langue"
EXTRAS_VERSION = "1"

DATA_DIR = Path(settings.BASE_DIR) / "data" / "interop"
XSD_PATH = DATA_DIR / "lheo-2.3.xsd"
LANGUAGE_FORMACODES_CSV = DATA_DIR / "formacodes-langue.csv"
PUBLICS_CSV = DATA_DIR / "formacode-v14-publics-vers-data-inclusion.csv"

# dict-etat-recrutement
RECRUITMENT_FROM_LHEO = {
    "1": enums.RecruitmentStatus.OPEN,
    "2": enums.RecruitmentStatus.CLOSED,
    "3": enums.RecruitmentStatus.CLOSED,  # suspendu
}
RECRUITMENT_TO_LHEO: dict[str, str] = {
    enums.RecruitmentStatus.OPEN: "1",
    enums.RecruitmentStatus.CLOSED: "2",
    enums.RecruitmentStatus.WAITING_LIST: "2",  # no such state in LHEO: closed, exact value in extras
}
# dict-modalites-enseignement
MODALITY_FROM_LHEO = {"0": enums.Modality.ON_SITE, "1": enums.Modality.HYBRID, "2": enums.Modality.REMOTE}
MODALITY_TO_LHEO: dict[str, str] = {v: k for k, v in MODALITY_FROM_LHEO.items()}
FUNDER_FROM_LHEO = {code: funder for funder, code in enums.LHEO_FUNDER_CODES.items()}

# Formacode v14 → course type, when the file carries no carto-langue extras.
COURSE_TYPE_FROM_FORMACODE = {
    "15043": enums.CourseType.ALPHA,  # Alphabétisation
    "15022": enums.CourseType.ALPHA,  # Lutte contre l'illettrisme
    "15040": enums.CourseType.POST_ALPHA,  # Français mise à niveau
    "15281": enums.CourseType.POST_ALPHA,  # Français mise à niveau
    "15235": enums.CourseType.FLE,  # Français langue étrangère
}
FORMACODE_FROM_COURSE_TYPE: dict[str, str] = {
    enums.CourseType.ALPHA: "15043",
    enums.CourseType.POST_ALPHA: "15040",
}
DEFAULT_FORMACODE = "15235"

# Formacode "public visé" → our audiences, where ours are finer than data·inclusion's.
AUDIENCE_FROM_PUBLIC_CODE = {
    "81023": enums.Audience.CIR,  # Primo-arrivant
    "81042": enums.Audience.BPI,  # Public réfugié
    "80010": enums.Audience.RSA,  # Bénéficiaire du RSA
}
# Our audiences → the Formacode public written in `code-public-vise` (exact value in extras).
PUBLIC_CODE_FROM_AUDIENCE: dict[str, str] = {
    enums.Audience.EVERYONE: "83056",
    enums.Audience.WORKERS: "82058",
    enums.Audience.MINIMA_SOCIAUX: "80010",
    enums.Audience.JOB_SEEKERS: "80006",
    enums.Audience.STUDENTS: "81030",
    enums.Audience.WOMEN: "81018",
    enums.Audience.YOUNG: "81032",
    enums.Audience.DISABILITY: "81020",
    enums.Audience.SPECIFIC_LEGAL: "81013",
    enums.Audience.EXILES: "81022",
    enums.Audience.CIR: "81023",
    enums.Audience.BPI: "81042",
    enums.Audience.RSA: "80010",
}
EVERYONE_PUBLIC_CODE = "83056"

LEVEL_LABELS = {level.label: level.value for level in enums.CecrlLevel}
LEVEL_NAMES: dict[int | None, str] = {level.value: level.label for level in enums.CecrlLevel}
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def language_formacodes(path: str | os.PathLike[str] | None = None) -> set[str]:
    """The Formacodes kept by the LHEO import: a CSV with a `formacode_v14` column (and optionally a
    `selected` column, as in data·inclusion's own selection file)."""
    with open(path or LANGUAGE_FORMACODES_CSV, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "formacode_v14" not in rows[0]:
        raise ValueError("formacode_v14")
    return {
        r["formacode_v14"].strip()
        for r in rows
        if r["formacode_v14"].strip() and (r.get("selected") or "TRUE").strip().upper() in {"TRUE", "1", "OUI"}
    }


def public_code_map() -> dict[str, set[str]]:
    """Formacode public code → our audience values (data·inclusion's mapping, refined above)."""
    mapping: dict[str, set[str]] = {}
    with open(PUBLICS_CSV, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            values = [v for v in (row["publics_di_v1"] or "").split("|") if v]
            mapping.setdefault(row["formacode_v14"], set()).update(values)
    for code, audience in AUDIENCE_FROM_PUBLIC_CODE.items():
        mapping[code] = {audience.value}
    return mapping


class LheoDateError(ValueError):
    pass


def parse_lheo_date(text: str | None, end: bool = False) -> tuple[date | None, bool]:
    """(date or None, partial: bool). Raises LheoDateError for a value that is not an LHEO date."""
    text = (text or "").strip()
    if len(text) != 8 or not text.isdigit():
        raise LheoDateError(text)
    if text in {"00000000", "99999999"}:
        return None, False
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    try:
        if month == 0:
            return (date(year, 12, 31) if end else date(year, 1, 1)), True
        if day == 0:
            last = calendar.monthrange(year, month)[1]
            return (date(year, month, last) if end else date(year, month, 1)), True
        return date(year, month, day), False
    except ValueError as exc:
        raise LheoDateError(text) from exc


def format_lheo_date(value: date | None, end: bool = False) -> str:
    if value is None:
        return "99999999" if end else "00000000"
    return value.strftime("%Y%m%d")
