"""A place typed by a person ("Sarcelles", "Sarcelles (95200)", "95200", "Saint", "95") → the one commune it
names, or the communes it may mean. Never a guess: a text that several communes fit gives the choice back to
the person (the search page lists them as links; the API names them in its error)."""

import re
from dataclasses import dataclass, field

from cartolangue.geo.models import Commune
from cartolangue.search.engine import commune_suggestions
from cartolangue.text import fold_name

# The choices shown for an ambiguous place: the largest communes first, as the autocomplete lists them.
MAX_PLACE_CHOICES = 10
_WITH_CODE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>\d{5})\)\s*$")  # the autocomplete's "Name (95200)"


@dataclass(frozen=True)
class PlaceMatch:
    commune: Commune | None = None  # the one commune the text names
    choices: list[Commune] = field(default_factory=list)  # else the largest communes it may mean
    more: bool = False  # more communes fit than `choices` lists


def _communes(q):
    return list(q.select_related("departement").prefetch_related("post_codes").defer("geometry").order_by("name"))


def place_match(text: str) -> PlaceMatch:
    """The commune `text` names: an exact name (with its post code when given), an INSEE code or a post code
    of one commune; otherwise the communes whose name or code starts with it."""
    text = text.strip()
    with_code = _WITH_CODE.match(text)
    name, code = (with_code["name"], with_code["code"]) if with_code else (text, "")
    folded = fold_name(name)
    if not folded:
        return PlaceMatch()
    if folded.isdigit() and len(folded) == 5:
        exact = _communes(Commune.objects.filter(post_codes__code=folded).distinct()) or _communes(
            Commune.objects.filter(code_insee=folded)
        )
    else:
        exact = _communes(Commune.objects.filter(search_name=folded))
        if code and len(exact) > 1:
            exact = [c for c in exact if code in {p.code for p in c.post_codes.all()}] or exact
    if len(exact) == 1:
        return PlaceMatch(commune=exact[0])
    if exact:
        return PlaceMatch(choices=exact[:MAX_PLACE_CHOICES], more=len(exact) > MAX_PLACE_CHOICES)
    found = commune_suggestions(name, limit=MAX_PLACE_CHOICES + 1)
    if len(found) == 1:
        return PlaceMatch(commune=found[0])
    return PlaceMatch(choices=found[:MAX_PLACE_CHOICES], more=len(found) > MAX_PLACE_CHOICES)
