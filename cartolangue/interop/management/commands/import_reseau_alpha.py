"""`manage.py import_reseau_alpha FILE`: Réseau Alpha's cartographie.json (https://www.reseau-alpha.org/cartographie.json),
the associative French-learning offer of Île-de-France, into structures, places, courses and sessions."""

from django.utils.translation import gettext_lazy as _

from cartolangue.interop.command import ImportCommand


class Command(ImportCommand):
    # A lazy string, as Django allows (argparse formats it when shown); django-stubs types `help` as str.
    help = _("Importe l'export cartographie.json de Réseau Alpha (une fiche par formation et par adresse).")  # type: ignore[assignment]
    format_key = "reseau-alpha"
    default_source = "reseau-alpha"
