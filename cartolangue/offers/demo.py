"""Synthetic but plausible demo offer, deterministic for a given seed and reference date: replaces the demo
records in one transaction, in bulk. The records are made by demo_generator.py.

Every record is flagged `source="demo"` and shown as "données de démonstration".
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from cartolangue.db import analyse_tables, insert_rows
from cartolangue.offers.demo_generator import DemoGenerator
from cartolangue.offers.demo_vocabulary import T
from cartolangue.offers.models import (
    DEMO_SOURCE,
    Course,
    CourseAudience,
    CourseFunder,
    CourseSchooling,
    ExamSession,
    Place,
    Session,
    Structure,
    TimeSlot,
)
from cartolangue.search.version import renewed_once

BATCH_SIZE = 5000


@dataclass(frozen=True)
class DemoSummary:
    structures: int
    places: int
    courses: int
    sessions: int
    exam_sessions: int


SESSION_COLUMNS = [
    "course",
    "source",
    "source_id",
    "source_url",
    "starts_on",
    "ends_on",
    "recruitment_status",
    "seats",
    "seats_left",
    "updated_at",
    "created_at",
]


def demo_delete() -> None:
    """Remove every demo record (children first, in set-based deletes)."""
    for model in (CourseAudience, CourseSchooling, CourseFunder, TimeSlot):
        model.objects.filter(course__source=DEMO_SOURCE).delete()
    Course.certifications.through.objects.filter(course__source=DEMO_SOURCE).delete()
    Session.objects.filter(course__source=DEMO_SOURCE).delete()
    ExamSession.objects.filter(source=DEMO_SOURCE).delete()
    Course.objects.filter(source=DEMO_SOURCE).delete()
    Place.objects.filter(source=DEMO_SOURCE).delete()
    Structure.objects.filter(source=DEMO_SOURCE).delete()


def demo_generate(
    *, courses: int, seed: int, reference_date: datetime.date, progress: Callable[[str], None] | None = None
) -> DemoSummary:
    """Replace the demo offer with `courses` generated courses. Deterministic for (seed, reference_date)."""
    gen = DemoGenerator(seed=seed, reference_date=reference_date)
    rng = gen.rng
    # One token renewal and one "rebuild" mark in the search's change log for the whole offer, rather than
    # one per written row (search/version.py).
    with transaction.atomic(), renewed_once():
        demo_delete()
        structures, places, plan = [], [], []
        remaining = courses
        while remaining > 0:
            home = gen.weighted_commune()
            structure = gen.structure(home)
            structures.append(structure)
            for _i in range(rng.choice([1, 1, 1, 2, 2, 3])):
                commune = home if rng.random() < 0.7 else gen.weighted_commune()
                place = gen.place(structure, commune)
                places.append(place)
                n = min(remaining, rng.choice([1, 1, 2, 2, 3, 4, 6]))
                plan.append((structure, place, n))
                remaining -= n
                if remaining <= 0:
                    break
        centres = gen.exam_centres(max(3, courses // 500))
        structures += [s for s, _p in centres]
        places += [p for _s, p in centres]
        if progress:
            progress(_("%(s)d structures, %(p)d lieux") % {"s": len(structures), "p": len(places)})

        courses_out, slots, audiences, schooling, funders, sessions, cert_links = [], [], [], [], [], [], []
        prep = [
            gen.certifications[c]
            for c in ("delf-a2", "delf-b1", "delf-b2", "tcf-irn", "tef-irn")
            if c in gen.certifications
        ]
        for structure, place, n in plan:
            for _i in range(n):
                course_type, course, course_schooling = gen.course(structure, place)
                courses_out.append(course)
                s, a, k, f, ses = gen.course_children(course, course_type, course_schooling)
                slots += s
                audiences += a
                schooling += k
                funders += f
                sessions += ses
                if course_type == T.CERTIFICATION_PREP and prep:
                    for certification in rng.sample(prep, k=rng.randint(1, 2)):
                        cert_links.append((course, certification.pk))
        if progress:
            progress(_("%(n)d cours générés, écriture…") % {"n": len(courses_out)})
        # Children were built against unsaved parents: bulk_create fills in the foreign keys once saved.
        Structure.objects.bulk_create(structures, batch_size=BATCH_SIZE)
        Place.objects.bulk_create(places, batch_size=BATCH_SIZE)
        Course.objects.bulk_create(courses_out, batch_size=BATCH_SIZE)
        insert_rows(TimeSlot, ["course", "weekday", "starts_at", "ends_at"], slots)
        insert_rows(CourseAudience, ["course", "audience", "mode"], audiences)
        insert_rows(CourseSchooling, ["course", "schooling"], schooling)
        insert_rows(CourseFunder, ["course", "funder"], funders)
        insert_rows(Session, SESSION_COLUMNS, sessions)
        insert_rows(Course.certifications.through, ["course", "certification"], cert_links)

        exams = []
        for structure, place in centres:
            exams += gen.exam_sessions(structure, place)
        ExamSession.objects.bulk_create(exams, batch_size=BATCH_SIZE)
    analyse_tables(
        Structure, Place, Course, TimeSlot, CourseAudience, CourseSchooling, CourseFunder, Session, ExamSession
    )
    return DemoSummary(
        structures=len(structures),
        places=len(places),
        courses=len(courses_out),
        sessions=len(sessions),
        exam_sessions=len(exams),
    )
