"""The search form's fieldsets, from the filter declarations (search/filters.py) and the facet counts of the
engine."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from cartolangue.search.filters import COURSE_FILTERS
from cartolangue.search.params import SORTS

RADIUS_CHOICES = [
    ("0", _("dans la commune")),
    ("2", _("2 km")),
    ("5", _("5 km")),
    ("10", _("10 km")),
    ("20", _("20 km")),
    ("50", _("50 km")),
]

# The search filter `qpv` (search/filters.py, QpvFilter): metres from a quartier prioritaire.
QPV_CHOICES = [
    ("0", _("dans un quartier prioritaire")),
    ("300", _("à moins de 300 m d'un quartier prioritaire")),
    ("500", _("à moins de 500 m d'un quartier prioritaire")),
    ("1000", _("à moins de 1 km d'un quartier prioritaire")),
]


def qpv_choices(current: int | None) -> list[tuple[str, Any]]:
    """The form's QPV choices, with the search's own distance when a link asked for another one (`qpv=200`):
    submitting the form keeps the filter it shows."""
    if current is None or str(current) in dict(QPV_CHOICES):
        return QPV_CHOICES
    label = _("à moins de %(metres)s m d'un quartier prioritaire") % {"metres": current}
    return sorted([*QPV_CHOICES, (str(current), label)], key=lambda choice: int(choice[0]))


SORT_CHOICES = list(SORTS.items())


FORM_GROUPS = ("main", "practical", "more")


def _fieldsets(group: str) -> list[tuple[str, Any, dict[str, Any]]]:
    """(facet name, legend, labels by value) of the filters of a form group, in declaration order
    (search/filters.py): a filter declared with a group has its fieldset on the page."""
    out = []
    for declared in COURSE_FILTERS:
        if declared.group != group:
            continue
        legends = getattr(declared, "legends", {declared.name: declared.legend})
        for name, legend in legends.items():
            out.append((name, legend, getattr(declared, "facet_form_labels", {}).get(name, declared.form_labels)))
    return out


def filter_groups(facets, hidden_empty=("financeur",)):
    """Facets → fieldsets for the template, per form group: [(name, legend, [(value, label, count,
    selected)])]."""

    def group(fieldsets):
        out = []
        for name, legend, labels in fieldsets:
            facet = facets.get(name, [])
            values = [
                (f.value, labels.get(f.value, f.label), f.count, f.selected)
                for f in facet
                if f.count or f.selected or name not in hidden_empty
            ]
            out.append((name, legend, values))
        return out

    return tuple(group(_fieldsets(name)) for name in FORM_GROUPS)
