"""Text folding shared by the search text of courses, the names of communes, imports and the matching across
sources: one definition, written as one `str.translate` (twice as fast as a character loop; a test holds it
equal to the plain definition over every code point)."""

import unicodedata

# Characters NFKD leaves as they are but the search treats as others; combining marks (accents) are dropped.
REPLACED = {ord("’"): "'", ord("œ"): "oe", ord("Œ"): "oe"}
BASIC_PLANE_END = 0xFFFF


class _FoldTable(dict):
    """`str.translate`'s table, filled as characters are met (building it for every code point would cost half a
    second at each start): a combining mark → nothing, any other character → itself. Only the basic plane is
    kept, so that a text of emoji or rare ideographs does not grow it without end."""

    def __missing__(self, code_point: int) -> int | None:
        value = None if unicodedata.combining(chr(code_point)) else code_point
        if code_point <= BASIC_PLANE_END:
            self[code_point] = value
        return value


_TABLE = _FoldTable(REPLACED)


def fold(text: str | None) -> str:
    """Lower-case, without accents or ligatures: 'École Saint-Ouen-l’Aumône' → "ecole saint-ouen-l'aumone"."""
    text = text or ""
    if text.isascii():  # NFKD leaves ASCII as it is, and nothing in it is combining or replaced
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_TABLE).lower()


def fold_name(text: str | None) -> str:
    """A place name folded for prefix search: "Saint-Ouen-l’Aumône" → "saint ouen l aumone"."""
    return " ".join(fold(text).replace("-", " ").replace("'", " ").split())
