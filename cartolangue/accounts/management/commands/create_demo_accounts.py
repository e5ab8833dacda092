"""`make run`: a demo coordinator (Val-d'Oise) and a demo provider (member of a demo structure of Val-d'Oise),
with new random passwords printed each time, so that a newcomer can try both spaces. Refused unless DEBUG is on:
demo accounts have no place on a real server."""

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from cartolangue.accounts.models import Coordinator, Membership
from cartolangue.accounts.people import create_person, person_by_email
from cartolangue.geo.models import Departement
from cartolangue.offers.models import DEMO_SOURCE, Structure

COORDINATOR_EMAIL = "coordination.demo@carto-langue.invalid"
PROVIDER_EMAIL = "structure.demo@carto-langue.invalid"


class Command(BaseCommand):
    help = _("Crée (ou réinitialise) un coordinateur et une structure de démonstration ; imprime leurs accès.")
    requires_system_checks = []

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(_("Comptes de démonstration refusés : DEBUG est désactivé (serveur réel)."))
        structure = (
            Structure.objects.filter(source=DEMO_SOURCE, places__commune__departement__code="95")
            .order_by("pk")
            .first()
        )
        if structure is None:
            raise CommandError(_("Aucune structure de démonstration dans le Val-d'Oise : lancez generate_demo."))
        passwords = {}
        with transaction.atomic():
            for email in (COORDINATOR_EMAIL, PROVIDER_EMAIL):
                passwords[email] = secrets.token_urlsafe(9)
                person = person_by_email(email) or create_person(email, None)
                person.set_password(passwords[email])
                person.save()
            coordinator, _created = Coordinator.objects.get_or_create(
                user=person_by_email(COORDINATOR_EMAIL), defaults={"organisation": "Coordination (démonstration)"}
            )
            coordinator.departements.add(Departement.objects.get(code="95"))
            Membership.objects.get_or_create(
                user=person_by_email(PROVIDER_EMAIL), structure=structure, defaults={"is_admin": True}
            )
        self.stdout.write(_("Comptes de démonstration (à n'utiliser que sur cette machine) :"))
        self.stdout.write(
            _("  coordinateur (Val-d'Oise) : %(email)s / %(password)s")
            % {"email": COORDINATOR_EMAIL, "password": passwords[COORDINATOR_EMAIL]}
        )
        self.stdout.write(
            _("  structure « %(name)s » : %(email)s / %(password)s")
            % {"name": structure.name, "email": PROVIDER_EMAIL, "password": passwords[PROVIDER_EMAIL]}
        )
        self.stdout.write(_("  connexion : /espace/connexion/"))
