"""`manage.py match_courses`: find the courses several sources give, show each offer once (cartolangue/dedup)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cartolangue.dedup.store import match_courses


class Command(BaseCommand):
    help = _(
        "Rapproche les cours vus dans plusieurs sources : chaque offre n'est montrée qu'une fois, les paires "
        "douteuses vont à la vérification des coordinateurs. Les imports le font d'eux-mêmes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(match_courses().line())
