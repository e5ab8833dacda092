import datetime

import factory
from django.utils import timezone

from cartolangue.geo.models import Commune
from cartolangue.offers import enums
from cartolangue.offers.models import Certification, Course, ExamSession, Place, Session, Structure


def commune(code_insee="95127"):
    return Commune.objects.get(code_insee=code_insee)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    source = "test"
    source_id = factory.Sequence(lambda n: f"structure-{n}")
    name = factory.Faker("company", locale="fr_FR")
    kind = enums.StructureKind.ASSOCIATION
    updated_at = factory.LazyFunction(timezone.now)


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    source = "test"
    source_id = factory.Sequence(lambda n: f"place-{n}")
    structure = factory.SubFactory(StructureFactory)
    address = factory.Faker("street_address", locale="fr_FR")
    post_code = "95000"
    commune = factory.LazyFunction(commune)
    latitude = 49.036
    longitude = 2.06
    updated_at = factory.LazyFunction(timezone.now)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    source = "test"
    source_id = factory.Sequence(lambda n: f"course-{n}")
    structure = factory.SubFactory(StructureFactory)
    place = factory.SubFactory(PlaceFactory, structure=factory.SelfAttribute("..structure"))
    name = "Atelier sociolinguistique"
    course_type = enums.CourseType.ASL
    cecrl_level_target = enums.CecrlLevel.A1
    updated_at = factory.LazyFunction(timezone.now)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    source = "test"
    source_id = factory.Sequence(lambda n: f"session-{n}")
    course = factory.SubFactory(CourseFactory)
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 6, 30)
    updated_at = factory.LazyFunction(timezone.now)


class ExamSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamSession

    source = "test"
    source_id = factory.Sequence(lambda n: f"exam-{n}")
    certification = factory.LazyFunction(lambda: Certification.objects.get(code="tcf-irn"))
    structure = factory.SubFactory(StructureFactory, kind=enums.StructureKind.CERTIFICATION_CENTRE)
    place = factory.SubFactory(PlaceFactory, structure=factory.SelfAttribute("..structure"))
    exam_date = datetime.date(2027, 1, 15)
    registration_deadline = datetime.date(2026, 12, 15)
    updated_at = factory.LazyFunction(timezone.now)
