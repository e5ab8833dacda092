"""The selection: the courses a counsellor picks on the search page ("ajouter à ma sélection") and prints as a
personal orientation sheet. It lives in the URL only, no account and no cookie: `selection=` on the search page,
`cours=` on the sheet's address. Each value holds one course id or several separated by commas (`cours=1894,287`
as well as `cours=1894&cours=287`: people type and share the short form).

The search page is lenient (a bad or repeated id is dropped, the rest kept); the sheet is strict (a bad id, an
empty or an oversized selection is an error the person reads)."""

from django.utils.translation import gettext as _

MAX_SELECTION = 10
MAX_ID = 2**63 - 1  # a primary key (BigAutoField); beyond it SQLite raises instead of finding nothing


class SelectionError(ValueError):
    """A selection the sheet cannot be printed from; `message` is for the person, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def course_id(value: str) -> int | None:
    """A course id from a URL parameter, or None: ASCII digits only ("²" passes isdigit) and in range."""
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID:
        return int(value)
    return None


def course_ids(values: list[str]) -> list[int | None]:
    """The course ids of a repeatable URL parameter, in order. An invalid id gives None in its place; empty pieces
    ("1894,") are skipped."""
    return [course_id(piece.strip()) for value in values for piece in value.split(",") if piece.strip()]


def parse_selection(values: list[str]) -> list[int]:
    """The search page's selection: its valid ids, each once, in the order picked, at most MAX_SELECTION."""
    ids: list[int] = []
    for pk in course_ids(values):
        if pk is not None and pk not in ids:
            ids.append(pk)
    return ids[:MAX_SELECTION]


def parse_sheet_selection(values: list[str]) -> list[int]:
    """The orientation sheet's selection, every id as given, or SelectionError: an invalid id, no id at all, or
    more than MAX_SELECTION ids."""
    ids = course_ids(values)
    valid = [pk for pk in ids if pk is not None]
    if len(valid) < len(ids):
        raise SelectionError(_("Identifiant de cours invalide."))
    if not valid:
        raise SelectionError(_("Aucun cours choisi : ajoutez des cours à votre sélection."))
    if len(valid) > MAX_SELECTION:
        raise SelectionError(_("Une sélection compte au plus %(n)d cours.") % {"n": MAX_SELECTION})
    return valid
