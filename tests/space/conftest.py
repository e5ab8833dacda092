import datetime

import pytest
from django.contrib.auth import get_user_model

from cartolangue.accounts.models import Coordinator, Membership
from cartolangue.geo.models import Departement
from cartolangue.offers import enums
from cartolangue.offers.models import TimeSlot
from tests.factories import CourseFactory, StructureFactory

PASSWORD = "cours-de-francais-2026"


def person(email, **extra):
    return get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, **extra)


@pytest.fixture
def coordinator_user(db):
    user = person("coordination@defi-metiers.test")
    coordinator = Coordinator.objects.create(user=user, organisation="Défi métiers")
    coordinator.departements.add(Departement.objects.get(code="95"))
    return user


@pytest.fixture
def structure(db):
    return StructureFactory(name="Association Parole Partagée")


@pytest.fixture
def course(structure):
    course = CourseFactory(
        structure=structure, name="Atelier du mardi", places_available=True, cecrl_level_target=enums.CecrlLevel.A2
    )
    TimeSlot.objects.create(course=course, weekday=1, starts_at=datetime.time(14), ends_at=datetime.time(16))
    return course


@pytest.fixture
def member(structure):
    user = person("benevole@parole-partagee.test")
    Membership.objects.create(user=user, structure=structure)
    return user
