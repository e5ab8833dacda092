"""`manage.py generate_demo_actors`: labelled demo actors for the kinds no open file gives (actors/demo.py)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cartolangue.actors.demo import DEMO_KINDS, demo_actors


class Command(BaseCommand):
    help = _(
        "Remplace les acteurs de démonstration : PLIE, CCAS, centre ressources illettrisme et accompagnement des "
        "réfugiés, types qu'aucun fichier ouvert ne donne (fictifs, signalés comme tels)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = demo_actors()
        self.stdout.write(
            _("%(n)d acteurs de démonstration (%(kinds)s).") % {"n": count, "kinds": ", ".join(DEMO_KINDS)}
        )
