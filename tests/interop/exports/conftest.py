"""A small real (non-demo) offer whose every value is known, with the edge cases the exports must handle: a
paying course reserved to CIR signatories, a course with no e-mail anywhere at an approximate location, a
remote course with no audience recorded, an exam session."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from cartolangue.offers import enums
from cartolangue.offers.models import Certification, CourseAudience, CourseFunder, CourseSchooling, TimeSlot
from tests.factories import (
    CourseFactory,
    ExamSessionFactory,
    PlaceFactory,
    SessionFactory,
    StructureFactory,
    commune,
)

UPDATED = datetime.datetime(2026, 10, 5, 14, 30, tzinfo=datetime.UTC)


@pytest.fixture
def offer(db):
    association = StructureFactory(
        source_id="lire-ensemble",
        name="Association Lire Ensemble",
        siret="73282932000074",
        networks=[enums.Network.RESEAU_ALPHA, enums.Network.CENTRE_SOCIAL],
        description="Association de quartier à Cergy.",
        website="https://lire-ensemble.example.org",
        email="contact@lire-ensemble.fr",
        phone="01 34 12 34 56",
        updated_at=UPDATED,
    )
    hall = PlaceFactory(
        source_id="maison-quartier",
        structure=association,
        name="Maison de quartier",
        address="12 rue de la Gare",
        post_code="95000",
        commune=commune("95127"),
        latitude=49.036,
        longitude=2.06,
        updated_at=UPDATED,
    )
    evening = CourseFactory(
        source_id="fle-soir",
        structure=association,
        place=hall,
        name="Français pour l'intégration.",
        description="Cours du soir.",
        course_type=enums.CourseType.FLE,
        cecrl_level_target=enums.CecrlLevel.A2,
        entry_level_oral=enums.CecrlLevel.A1,
        hours_per_week=Decimal("4.5"),
        total_hours=120,
        is_free=False,
        cost_amount=Decimal("250"),
        cost_details="Adhésion annuelle comprise",
        childcare=True,
        registration_mode=enums.RegistrationMode.PLACEMENT_TEST,
        places_available=True,
        formacode="15235",
        contact_name="Awa Diallo",
        contact_phone="01 34 00 00 01",
        contact_email="inscriptions@lire-ensemble.fr",
        updated_at=UPDATED,
    )
    CourseAudience.objects.create(course=evening, audience=enums.Audience.CIR, mode=enums.AudienceMode.EXCLUSIVE)
    CourseAudience.objects.create(course=evening, audience=enums.Audience.WOMEN, mode=enums.AudienceMode.PRIORITY)
    CourseSchooling.objects.create(course=evening, schooling=enums.Schooling.FRENCH)
    CourseSchooling.objects.create(course=evening, schooling=enums.Schooling.FOREIGN_LANGUAGE)
    TimeSlot.objects.create(course=evening, weekday=2, starts_at=datetime.time(18), ends_at=datetime.time(20, 15))
    TimeSlot.objects.create(course=evening, weekday=0, starts_at=datetime.time(18), ends_at=datetime.time(20))
    CourseFunder.objects.create(course=evening, funder=enums.Funder.REGION)
    CourseFunder.objects.create(course=evening, funder=enums.Funder.LEARNER)
    evening.certifications.add(Certification.objects.get(code="delf-a2"))
    SessionFactory(source_id="fle-soir-1", course=evening, starts_on=datetime.date(2026, 9, 7), seats=12, seats_left=3)
    SessionFactory(source_id="fle-soir-2", course=evening, starts_on=datetime.date(2027, 1, 11), ends_on=None)

    sarcelles = commune("95585")
    centre = StructureFactory(source_id="tilleuls", name="Centre social Les Tilleuls", updated_at=UPDATED)
    town_hall = PlaceFactory(
        source_id="mairie",
        structure=centre,
        address="Place de la Mairie",
        post_code="95200",
        commune=sarcelles,
        latitude=sarcelles.latitude,
        longitude=sarcelles.longitude,
        location_is_approximate=True,
        updated_at=UPDATED,
    )
    workshop = CourseFactory(
        source_id="asl-mardi",
        structure=centre,
        place=town_hall,
        name="ASL",
        course_type=enums.CourseType.ASL,
        cecrl_level_target=None,
        updated_at=UPDATED,
    )
    CourseAudience.objects.create(course=workshop, audience=enums.Audience.RSA, mode=enums.AudienceMode.PRIORITY)
    remote = CourseFactory(
        source_id="fle-distance",
        structure=centre,
        place=town_hall,
        name="Français à distance",
        course_type=enums.CourseType.FLE,
        modality=enums.Modality.REMOTE,
        registration_mode=enums.RegistrationMode.PRESCRIPTION,
        contact_email="pas-un-courriel",
        updated_at=UPDATED,
    )
    exam = ExamSessionFactory(source_id="tcf-janvier", price=Decimal("120"), seats_left=8, updated_at=UPDATED)
    return SimpleNamespace(
        association=association,
        hall=hall,
        evening=evening,
        centre=centre,
        town_hall=town_hall,
        workshop=workshop,
        remote=remote,
        exam=exam,
    )
