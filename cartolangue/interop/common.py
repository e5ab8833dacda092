"""Helpers the readers share: course type from free text, cleaning, JSON loading, amounts, address keys."""

import hashlib
import json
import os
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from cartolangue.interop.errors import ImportFileError
from cartolangue.offers import enums
from cartolangue.text import fold

# Course type keywords, tried in this order on folded text (lower case, no accents). ASL comes before CIR
# ("Actions socio-linguistiques complémentaires du CIR (ASL)") and FLE before CIR ("FLE pour signataires du CIR").
COURSE_TYPE_KEYWORDS = [
    (enums.CourseType.OEPRE, re.compile(r"\boepre\b|ouvrir l'ecole aux parents")),
    (enums.CourseType.ASL, re.compile(r"\basl\b|socio[- ]?linguistique")),
    (enums.CourseType.POST_ALPHA, re.compile(r"post[- ]?alpha")),
    (enums.CourseType.ALPHA, re.compile(r"\balpha\b|alphabetisation")),
    (
        enums.CourseType.WORK,
        re.compile(r"\bfos\b|francais (?:a visee |sur objectifs? )?professionnel|francais langue professionnelle"),
    ),
    (enums.CourseType.FLE, re.compile(r"\bfle\b|francais langue etrangere")),
    (enums.CourseType.CIR, re.compile(r"\bcir\b|contrat d'integration republicaine")),
    (enums.CourseType.CERTIFICATION_PREP, re.compile(r"\b(?:delf|dilf|dalf|tcf|tef|dcl)\b")),
]
_AMOUNT = re.compile(r"(\d+(?:[.,]\d{1,2})?)\s*(?:€|eur\b|euros?\b)", re.IGNORECASE)
# Strings (with their escapes) are matched whole, so that their brackets do not count as nesting.
_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
MAX_JSON_DEPTH = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def course_type_from_text(*texts: str | None) -> str | None:
    """The course type named in the first text that names one (ASL, OEPRE, FLE, alpha…), else None."""
    for text in texts:
        folded = fold(text or "")
        for course_type, pattern in COURSE_TYPE_KEYWORDS:
            if pattern.search(folded):
                return course_type
    return None


def clean_text(value: object) -> str:
    """A stripped string without control characters (PostgreSQL refuses NUL), "" for None."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value)).strip()


def load_json(path: str | os.PathLike[str]) -> Any:
    """The parsed file, or ImportFileError with the line and column of the syntax error."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            return json.load(f)
    except RecursionError as exc:
        # The parser recurses once per level: '[' * 100000 exhausts Python's stack. No real file nests anywhere
        # near this deep; say where the nesting passed MAX_JSON_DEPTH.
        with open(path, encoding="utf-8-sig") as f:
            line, column = _too_deep_at(f.read())
        raise ImportFileError(
            _("%(file)s : JSON trop imbriqué, ligne %(line)d, colonne %(col)d : plus de %(max)d niveaux")
            % {"file": path, "line": line, "col": column, "max": MAX_JSON_DEPTH}
        ) from exc
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("%(file)s : JSON invalide, ligne %(line)d, colonne %(col)d : %(msg)s")
            % {"file": path, "line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("%(file)s : le fichier n'est pas en UTF-8 (octet %(pos)d)") % {"file": path, "pos": exc.start}
        ) from exc


def _too_deep_at(text: str) -> tuple[int, int]:
    """Line and column (from 1) of the bracket that opens level MAX_JSON_DEPTH + 1, brackets in strings skipped."""
    depth = 0
    for token in _JSON_NESTING.finditer(text):
        if token.group() in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                start = token.start()
                return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
        elif token.group() in "]}":
            depth -= 1
    return text.count("\n") + 1, len(text) - text.rfind("\n")


def cost_from_text(text: str | None) -> Decimal | None:
    """The amount in euros a text states, when it states exactly one; else None."""
    amounts = {Decimal(m.replace(",", ".")) for m in _AMOUNT.findall(text or "")}
    return amounts.pop() if len(amounts) == 1 else None


def fit(value: str, limit: int, label: str, warnings: list[str]) -> str:
    """The value when it fits its field, else "" and a warning: for phones and addresses on the web, which a cut
    would make wrong (the writer cuts over-long text, saying so)."""
    if len(value) <= limit:
        return value
    warnings.append(
        _("%(field)s trop long (%(n)d caractères, %(max)d au plus) : non repris")
        % {"field": label, "n": len(value), "max": limit}
    )
    return ""


def place_key(*parts: object) -> str:
    """A short stable digest of an address, for the place's source id."""
    text = "|".join(" ".join(fold(clean_text(p)).split()) for p in parts)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
