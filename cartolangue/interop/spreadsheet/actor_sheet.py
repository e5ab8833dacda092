"""The workbook's "Acteurs" sheet (issue #22): support actors of a kind no open file gives (a PLIE, a CCAS, an
association that accompanies refugees…), entered by a coordinator. Declared with the workbook's own columns and
drop-down lists; read here on its own (`import_actors tableur FILE.xlsx`), since actors are not part of a
provider's offer and the offer's reader (reader.py) leaves this sheet alone."""

from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartolangue.interop.errors import ImportFileError
from cartolangue.interop.spreadsheet.columns import REFERENTIALS, SEPARATOR, Column, Sheet, _numbered, normalise
from cartolangue.interop.spreadsheet.workbook import open_workbook

ACTORS = Sheet(
    "actors",
    gettext_lazy("Acteurs"),
    gettext_lazy(
        "Une ligne par acteur de l'accompagnement qu'aucun fichier public ne donne (PLIE, CCAS, association "
        "d'accompagnement des réfugiés…). Se charge avec la commande import_actors tableur."
    ),
    (
        Column(
            "source_id",
            gettext_lazy("Identifiant acteur"),
            "id",
            required=True,
            help=gettext_lazy(
                "Identifiant court et unique de l'acteur, au choix. Ne le changez plus une fois importé."
            ),
        ),
        Column("kind", gettext_lazy("Type d'acteur"), "enum", "actor_kind", required=True, width=30),
        Column("name", gettext_lazy("Nom de l'acteur"), required=True, width=36),
        Column("siret", gettext_lazy("SIRET"), "siret", help=gettext_lazy("14 chiffres, sans espace. Facultatif.")),
        Column("address", gettext_lazy("Adresse"), width=30),
        Column("post_code", gettext_lazy("Code postal"), "post_code", width=10),
        Column("code_insee", gettext_lazy("Code INSEE de la commune"), "code_insee", required=True, width=12),
        Column("latitude", gettext_lazy("Latitude"), "float", help=gettext_lazy("Vide : le centre de la commune.")),
        Column("longitude", gettext_lazy("Longitude"), "float"),
        Column("phone", gettext_lazy("Téléphone d'accueil")),
        Column("email", gettext_lazy("Courriel d'accueil"), "email", width=28),
        Column("website", gettext_lazy("Site web"), "url", help=gettext_lazy("Adresse complète, https://…")),
        Column("opening_hours", gettext_lazy("Horaires d'ouverture"), width=30),
        *_numbered(3, "publics", gettext_lazy("Public"), "audience", help=gettext_lazy("Vide : selon le type.")),
        *_numbered(
            3, "schemes", gettext_lazy("Dispositif"), "actor_scheme", help=gettext_lazy("Vide : selon le type.")
        ),
        Column(
            "covered_communes",
            gettext_lazy("Communes couvertes"),
            help=gettext_lazy("Codes INSEE séparés par « ; ». Vide : sa commune et le rayon d'action."),
            width=30,
        ),
        Column("reach_km", gettext_lazy("Rayon d'action (km)"), "int", width=10),
    ),
)


def _labels(referential: str) -> dict[str, str]:
    """normalised label or value → value, for a drop-down list's column."""
    out = {}
    for value, label in REFERENTIALS[referential].choices():
        out[normalise(str(label))] = str(value)
        out[normalise(str(value))] = str(value)
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def read_actor_sheet(path: Path) -> Iterator:
    """The "Acteurs" sheet of a Carto-Langue workbook as ActorRecords, Rejected rows (located) and nothing else."""
    from cartolangue.actors.importers import ActorRecord, Rejected

    with open_workbook(path) as wb:
        ws = next((ws for ws in wb.worksheets if normalise(ws.title) == normalise(str(ACTORS.title))), None)
        if ws is None:
            raise ImportFileError(
                _("%(file)s : pas de feuille « %(sheet)s » dans ce classeur")
                % {"file": path.name, "sheet": ACTORS.title}
            )
        rows = ws.iter_rows(values_only=True)
        header = [normalise(_text(v)) for v in next(rows, ())]
        positions = _positions(header, path)
        lists = {key: _labels(key) for key in ("actor_kind", "audience", "actor_scheme")}
        for line, row in enumerate(rows, start=2):
            values = {key: [_text(row[i]) if i < len(row) else "" for i in found] for key, found in positions.items()}
            if not any(v for vs in values.values() for v in vs):
                continue
            where = _("%(file)s, feuille « %(sheet)s », ligne %(line)d") % {
                "file": path.name,
                "sheet": ws.title,
                "line": line,
            }
            yield _record(values, where, lists, ActorRecord, Rejected)


def _positions(header: list[str], path: Path) -> dict[str, list[int]]:
    """Column key → the positions of its columns (numbered ones in order); a missing required column: refused."""
    positions: dict[str, list[int]] = {}
    for column in ACTORS.columns:
        title = normalise(str(column.title))
        if title in header:
            positions.setdefault(column.key, []).append(header.index(title))
        elif column.required:
            raise ImportFileError(
                _("%(file)s, feuille « %(sheet)s » : colonne « %(column)s » absente")
                % {"file": path.name, "sheet": ACTORS.title, "column": column.title}
            )
    return positions


def _record(values: dict, where: str, lists: dict, record_class: type, rejected_class: type) -> object:
    def one(key: str) -> str:
        return (values.get(key) or [""])[0]

    source_id = one("source_id")
    for column in ACTORS.columns:
        if column.required and not one(column.key):
            return rejected_class(source_id, where, _("« %(column)s » manquant") % {"column": column.title})
    kind = lists["actor_kind"].get(normalise(one("kind")))
    if kind is None:
        return rejected_class(source_id, where, _("type d'acteur inconnu : « %(value)s »") % {"value": one("kind")})
    chosen: dict[str, list[str]] = {}
    for key, referential in (("publics", "audience"), ("schemes", "actor_scheme")):
        chosen[key] = []
        for value in (v for v in values.get(key, []) if v):
            known = lists[referential].get(normalise(value))
            if known is None:
                return rejected_class(
                    source_id,
                    where,
                    _("valeur inconnue dans la liste %(list)s : « %(value)s »")
                    % {"list": REFERENTIALS[referential].title, "value": value},
                )
            chosen[key].append(known)
    numbers = {}
    for key in ("latitude", "longitude", "reach_km"):
        try:
            numbers[key] = float(one(key).replace(",", ".")) if one(key) else None
        except ValueError:
            return rejected_class(source_id, where, _("nombre attendu : « %(value)s »") % {"value": one(key)})
    covered = tuple(code.strip() for code in one("covered_communes").split(SEPARATOR) if code.strip())
    return record_class(
        source_id=source_id,
        location=where,
        kind=kind,
        name=one("name"),
        address=one("address"),
        post_code=one("post_code"),
        code_insee=one("code_insee"),
        latitude=numbers["latitude"],
        longitude=numbers["longitude"],
        phone=one("phone"),
        email=one("email"),
        website=one("website"),
        opening_hours=one("opening_hours"),
        siret=one("siret"),
        publics=tuple(chosen["publics"]),
        schemes=tuple(chosen["schemes"]),
        covered_communes=covered,
        reach_km=int(numbers["reach_km"]) if numbers["reach_km"] is not None else None,
    )
