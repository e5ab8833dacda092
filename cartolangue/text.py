"""Text folding shared by the search text of courses and the names of communes."""

import unicodedata


def fold(text):
    """Lower-case, without accents or ligatures: 'École Saint-Ouen-l’Aumône' → "ecole saint-ouen-l'aumone"."""
    text = unicodedata.normalize("NFKD", text or "").replace("’", "'").replace("œ", "oe").replace("Œ", "oe")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def fold_name(text):
    """A place name folded for prefix search: "Saint-Ouen-l’Aumône" → "saint ouen l aumone"."""
    return " ".join(fold(text).replace("-", " ").replace("'", " ").split())
