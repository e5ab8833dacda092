"""The search form's choices, from the referentials and the facet counts of the engine."""

from django.utils.translation import gettext_lazy as _

from cartolangue.offers import enums
from cartolangue.search.params import NO_LEVEL, SLOTS, SORTS, WEEKDAYS

RADIUS_CHOICES = [
    ("0", _("dans la commune")),
    ("2", _("2 km")),
    ("5", _("5 km")),
    ("10", _("10 km")),
    ("20", _("20 km")),
    ("50", _("50 km")),
]

# Facet name → (legend, labels by value); the facet counts come from the engine.
FILTER_LABELS = {
    "type": (_("Type de cours"), dict(enums.CourseType.choices)),
    "niveau_entree_oral": (
        _("Niveau de la personne à l'oral"),
        {NO_LEVEL: _("Pas encore A1"), **{lvl.label: lvl.label for lvl in enums.CecrlLevel}},
    ),
    "niveau_entree_ecrit": (
        _("Niveau de la personne à l'écrit"),
        {NO_LEVEL: _("Pas encore A1"), **{lvl.label: lvl.label for lvl in enums.CecrlLevel}},
    ),
    "scolarisation": (_("Scolarisation de la personne"), dict(enums.Schooling.choices)),
    "public": (_("La personne est…"), dict(enums.Audience.choices)),
    "jour": (_("Jours"), {name: enums.Weekday(day).label for name, day in WEEKDAYS.items()}),
    "creneau": (_("Moment de la journée"), SLOTS),
    "garde_enfants": (_("Garde d'enfants"), {"oui": _("Avec garde d'enfants")}),
    "gratuit": (_("Coût"), {"oui": _("Gratuit")}),
    "places": (_("Places"), {"oui": _("Places disponibles")}),
    "parcours": (_("Parcours"), dict(enums.Parcours.choices)),
    "niveau_vise": (_("Niveau visé"), {lvl.label: lvl.label for lvl in enums.CecrlLevel}),
    "financeur": (_("Financeur"), dict(enums.Funder.choices)),
    "certification": (_("Certification préparée"), {}),
    "departement": (_("Département"), {}),
}
MAIN_FILTERS = ["type", "niveau_entree_oral", "niveau_entree_ecrit", "scolarisation", "public", "jour", "creneau"]
PRACTICAL_FILTERS = ["garde_enfants", "gratuit", "places"]
MORE_FILTERS = ["parcours", "niveau_vise", "financeur", "certification", "departement"]
SORT_CHOICES = list(SORTS.items())


def filter_groups(facets, hidden_empty=("financeur",)):
    """Facets → fieldsets for the template: [(name, legend, [(value, label, count, selected)])]."""

    def group(names):
        out = []
        for name in names:
            legend, labels = FILTER_LABELS[name]
            facet = facets.get(name, [])
            values = [
                (f.value, labels.get(f.value, f.label), f.count, f.selected)
                for f in facet
                if f.count or f.selected or name not in hidden_empty
            ]
            out.append((name, legend, values))
        return out

    return group(MAIN_FILTERS), group(PRACTICAL_FILTERS), group(MORE_FILTERS)
