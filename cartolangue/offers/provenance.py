"""How a record's source is named to people (flyer footers, "vu dans" on a course page): one table."""

from django.utils.translation import gettext_lazy as _

SOURCE_LABELS = {
    "demo": _("données de démonstration (fictives)"),
    "lheo": _("Carif-Oref (LHEO)"),
    "reseau-alpha": _("Réseau Alpha"),
    "data-inclusion": _("data·inclusion"),
    "tableur": _("saisie par la structure"),
    "saisie": _("saisie par la structure"),
    "anct-france-services": _("ANCT (France Services, 2024)"),
    "pole-emploi-agences-2019": _("Pôle emploi (agences, 2019)"),
    "asp-siae-2019": _("ASP (SIAE, 2019)"),
    "dila-annuaire-2019": _("Annuaire de l'administration (DILA, 2019)"),
}


def source_label(source: str) -> str:
    """The label of a source: this table's, else the registry's (cartolangue/sources), else its name."""
    if source in SOURCE_LABELS:
        return str(SOURCE_LABELS[source])
    from cartolangue.sources.models import Source

    label = Source.objects.filter(name=source).values_list("label", flat=True).first()
    return label or source
