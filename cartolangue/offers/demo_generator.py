"""The demo generator: synthetic but plausible structures, places, courses with their children, and exam
sessions, built in memory as unsaved model instances (demo.py writes them). Deterministic for a seed and a
reference date; the words it draws from are demo_vocabulary.py.

Courses follow the shapes of the real offer (Réseau Alpha, DOKELIO): an alphabétisation course targets A1.1 and
takes people never or little schooled, an OEPRE workshop is for parents of pupils, a CIR course is funded by the
Ofii, and so on. Places sit inside real communes, Val-d'Oise weighted up.
"""

import datetime
import random
from decimal import Decimal

import shapely
from django.utils import timezone
from django.utils.text import slugify

from cartolangue.geo.models import Commune
from cartolangue.offers import enums
from cartolangue.offers.demo_vocabulary import (
    ASSOCIATION_NAMES,
    COURSE_PROFILES,
    EXAM_CERTIFICATIONS,
    FIRST_NAMES,
    LAST_NAMES,
    LEVEL_WORDS,
    PLACE_NAMES,
    SLOT_PATTERNS,
    SOCIAL_CENTRE_NAMES,
    STREET_NAMES,
    STREET_TYPES,
    STRUCTURE_KINDS,
    TRAINING_NAMES,
    A,
    L,
    T,
)
from cartolangue.offers.indexing import course_search_text
from cartolangue.offers.models import DEMO_SOURCE, Certification, Course, ExamSession, Place, Structure

VAL_DOISE_WEIGHT = 4  # the first territory: a denser offer than elsewhere in Île-de-France


def _luhn_complete(digits):
    """Append the Luhn check digit that makes a SIREN/SIRET valid."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return digits + str((10 - total % 10) % 10)


class DemoGenerator:
    def __init__(self, *, seed, reference_date):
        self.rng = random.Random(seed)
        self.today = reference_date
        # The demo's clock: every record was last changed before the start of its reference date, so that no date
        # is in the future (a Last-Modified header must not be), and the offer stays the same all day for a seed.
        # A reference date still to come is clamped at now.
        start_of_day = datetime.datetime.combine(reference_date, datetime.time(0, 0), tzinfo=datetime.UTC)
        self.as_of = min(start_of_day, timezone.now())
        communes = list(
            Commune.objects.order_by("code_insee")
            .only("id", "code_insee", "name", "population", "geometry", "departement__code")
            .select_related("departement")
            .prefetch_related("post_codes")
        )
        if not communes:
            raise ValueError("no commune loaded")
        # Courses concentrate where people live: weight by population, Val-d'Oise weighted up.
        self.communes = communes
        self.weights = [
            (c.population or 0) * (VAL_DOISE_WEIGHT if c.departement.code == "95" else 1) + 50 for c in communes
        ]
        self.prepared = {}
        self.certifications = {c.code: c for c in Certification.objects.order_by("code")}
        self.counter = 0

    # --- helpers -------------------------------------------------------------------------------------
    def _id(self, prefix):
        self.counter += 1
        return f"{prefix}-{self.counter:07d}"

    def _updated_at(self):
        return self.as_of - datetime.timedelta(days=self.rng.randint(0, 420), minutes=self.rng.randint(0, 1439))

    def weighted_commune(self) -> Commune:
        """A commune drawn by population, Val-d'Oise weighted up."""
        return self.rng.choices(self.communes, weights=self.weights)[0]

    def _point_in(self, commune):
        shape = self.prepared.get(commune.id)
        if shape is None:
            shape = commune.shape
            shapely.prepare(shape)
            self.prepared[commune.id] = shape
        minx, miny, maxx, maxy = shape.bounds
        for _attempt in range(50):
            lon, lat = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if shapely.contains_xy(shape, lon, lat):
                return round(lat, 6), round(lon, 6)
        point = shapely.point_on_surface(shape)
        return round(point.y, 6), round(point.x, 6)

    def _phone(self, commune):
        prefix = {"95": "01 34", "78": "01 30", "91": "01 69", "77": "01 64", "75": "01 42"}.get(
            commune.departement.code, "01 48"
        )
        return f"{prefix} {self.rng.randint(10, 99)} {self.rng.randint(10, 99)} {self.rng.randint(10, 99)}"

    # --- records -------------------------------------------------------------------------------------
    def structure(self, commune: Commune) -> Structure:
        kind = self.rng.choices([k for k, _w in STRUCTURE_KINDS], weights=[w for _k, w in STRUCTURE_KINDS])[0]
        if kind == enums.StructureKind.ASSOCIATION:
            name = f"Association {self.rng.choice(ASSOCIATION_NAMES)} {commune.name}"
            networks = [enums.Network.RESEAU_ALPHA] if self.rng.random() < 0.6 else []
        elif kind == enums.StructureKind.TRAINING_BODY:
            name = f"{self.rng.choice(TRAINING_NAMES)} {commune.name}"
            networks = [enums.Network.OFII] if self.rng.random() < 0.2 else []
        elif kind == enums.StructureKind.SOCIAL_CENTRE:
            name = f"{self.rng.choice(SOCIAL_CENTRE_NAMES)} ({commune.name})"
            networks = [enums.Network.CENTRE_SOCIAL]
        else:
            name = f"Ville de {commune.name} – service intégration"
            networks = []
        slug = slugify(name)[:40].strip("-")
        return Structure(
            source=DEMO_SOURCE,
            source_id=self._id("structure"),
            name=name,
            kind=kind,
            siret=_luhn_complete("".join(str(self.rng.randint(0, 9)) for _i in range(13))),
            networks=[str(n) for n in networks],
            description="Structure fictive générée pour la démonstration de Carto-Langue.",
            website=f"https://{slug}.example.org",
            email=f"contact@{slug}.example.org",
            phone=self._phone(commune),
            updated_at=self._updated_at(),
        )

    def place(self, structure: Structure, commune: Commune) -> Place:
        lat, lon = self._point_in(commune)
        post_codes = sorted(pc.code for pc in commune.post_codes.all()) or [commune.code_insee]
        return Place(
            source=DEMO_SOURCE,
            source_id=self._id("place"),
            structure=structure,
            name=self.rng.choice(PLACE_NAMES),
            address=f"{self.rng.randint(1, 120)} {self.rng.choice(STREET_TYPES)} {self.rng.choice(STREET_NAMES)}",
            post_code=self.rng.choice(post_codes),
            commune=commune,
            latitude=lat,
            longitude=lon,
            step_free_access=self.rng.choice([True, True, False, None]),
            updated_at=structure.updated_at,
        )

    def course(self, structure: Structure, place: Place) -> tuple[str, Course, list[enums.Schooling]]:
        profiles = list(COURSE_PROFILES.items())
        course_type, profile = self.rng.choices(profiles, weights=[p[0] for _t, p in profiles])[0]
        _w, parcours, targets, entry_offset, schooling, stems = profile
        target = self.rng.choice(targets)
        entry = None
        if entry_offset is not None:
            ordered = list(L)
            entry = ordered[max(0, ordered.index(target) - entry_offset - self.rng.randint(0, 1))]
            if entry == target and entry_offset:
                entry = None if ordered.index(target) == 0 else ordered[ordered.index(target) - 1]
        paid = structure.kind == enums.StructureKind.TRAINING_BODY and self.rng.random() < 0.45
        membership_fee = not paid and self.rng.random() < 0.25
        cost = None
        if paid:
            cost = Decimal(self.rng.randrange(250, 1600, 50))
        elif membership_fee:
            cost = Decimal(self.rng.choice([10, 15, 20, 25, 30]))
        contact = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        name = f"{self.rng.choice(stems)} – {LEVEL_WORDS.get(target, target.label)}"
        course = Course(
            source=DEMO_SOURCE,
            source_id=self._id("course"),
            structure=structure,
            place=place,
            name=name,
            description=(
                f"{name}. Cours fictif de démonstration : {course_type.label.lower()}, "
                f"en petits groupes, à {place.commune.name}."
            ),
            course_type=course_type,
            parcours=parcours,
            cecrl_level_target=target,
            entry_level_oral=entry,
            entry_level_written=entry if course_type != T.ASL else None,
            total_hours=self.rng.choice([None, 60, 90, 120, 150, 200, 300]),
            is_free=cost is None,
            cost_amount=cost,
            cost_details="Adhésion annuelle à l'association" if membership_fee else "",
            childcare=self.rng.random() < (0.6 if course_type == T.OEPRE else 0.15),
            modality=self.rng.choices(list(enums.Modality), weights=[90, 4, 6])[0],
            registration_mode=self.rng.choice(list(enums.RegistrationMode)),
            places_available=self.rng.random() < 0.7,
            formacode="15235" if course_type in (T.FLE, T.WORK, T.CERTIFICATION_PREP) else "15043",
            contact_name=contact,
            contact_phone=structure.phone,
            contact_email=structure.email,
            verified_on=(self.today - datetime.timedelta(days=self.rng.randint(0, 300)))
            if self.rng.random() < 0.5
            else None,
            updated_at=self._updated_at(),
        )
        course.search_text = course_search_text(course, structure, place, place.commune.name)
        return course_type, course, schooling

    def course_children(
        self, course: Course, course_type: str, schooling: list[enums.Schooling]
    ) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple], list[tuple]]:
        rng = self.rng
        slots = []
        days = sorted(rng.sample(range(6), rng.choice([1, 2, 2, 3])))
        pattern = rng.choice(SLOT_PATTERNS)
        for day in days:
            start, end = pattern if day < 5 else (datetime.time(9, 30), datetime.time(12, 0))
            slots.append((course, day, start, end))
        minutes = sum((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) for _c, _d, start, end in slots)
        course.hours_per_week = Decimal(minutes) / 60
        course.hours_per_week = course.hours_per_week.quantize(Decimal("0.1"))

        audiences = {}
        if course_type == T.OEPRE:
            audiences[A.PARENTS] = enums.AudienceMode.EXCLUSIVE
        elif course_type == T.CIR:
            audiences[A.CIR] = enums.AudienceMode.EXCLUSIVE
        elif course_type == T.WORK:
            audiences[A.JOB_SEEKERS] = enums.AudienceMode.PRIORITY
        elif rng.random() < 0.35:
            audiences[A.EVERYONE] = enums.AudienceMode.PRIORITY
        for audience in rng.sample(
            [A.CIR, A.BPI, A.WOMEN, A.YOUNG, A.QPV, A.RSA, A.ASYLUM_SEEKERS], k=rng.randint(0, 2)
        ):
            audiences.setdefault(audience, enums.AudienceMode.PRIORITY)
        if not audiences:
            audiences[A.EVERYONE] = enums.AudienceMode.PRIORITY
        course_audiences = [(course, str(a), str(m)) for a, m in audiences.items()]
        course_schooling = [(course, str(s)) for s in sorted(rng.sample(schooling, k=rng.randint(1, len(schooling))))]
        if course_type == T.CIR:
            funders = [enums.Funder.OFII]
        elif course.is_free:
            funders = rng.sample(
                [
                    enums.Funder.REGION,
                    enums.Funder.COMMUNE,
                    enums.Funder.STATE_INTERIOR,
                    enums.Funder.DEPARTEMENT,
                    enums.Funder.FSE,
                    enums.Funder.FRANCE_TRAVAIL,
                ],
                k=rng.randint(0, 2),
            )
        else:
            funders = rng.sample([enums.Funder.CPF, enums.Funder.LEARNER, enums.Funder.OPCO], k=rng.randint(1, 2))
        course_funders = [(course, str(f)) for f in sorted(funders)]

        sessions = []
        year_start = datetime.date(self.today.year if self.today.month >= 7 else self.today.year - 1, 9, 1)
        starts = [year_start + datetime.timedelta(days=rng.randint(0, 30))]
        if rng.random() < 0.4:
            starts.append(datetime.date(year_start.year + 1, 1, 5) + datetime.timedelta(days=rng.randint(0, 40)))
        for starts_on in starts:
            seats = rng.choice([8, 10, 12, 15, 20])
            left = rng.randint(0, seats) if course.places_available else 0
            status = (
                enums.RecruitmentStatus.OPEN
                if left
                else rng.choice([enums.RecruitmentStatus.CLOSED, enums.RecruitmentStatus.WAITING_LIST])
            )
            ends_on = datetime.date(year_start.year + 1, 6, 30) - datetime.timedelta(days=rng.randint(0, 20))
            sessions.append(
                (
                    course,
                    DEMO_SOURCE,
                    self._id("session"),
                    "",
                    starts_on,
                    ends_on,
                    str(status),
                    seats,
                    left,
                    course.updated_at,
                    self.as_of,
                )
            )
        return slots, course_audiences, course_schooling, course_funders, sessions

    def exam_centres(self, n_centres: int) -> list[tuple[Structure, Place]]:
        """Certification centres in the larger communes, each with monthly test dates for six months."""
        big = sorted(self.communes, key=lambda c: (-(c.population or 0), c.code_insee))[: max(n_centres * 3, 10)]
        centres = []
        for commune in self.rng.sample(big, k=min(n_centres, len(big))):
            structure = self.structure(commune)
            structure.kind = enums.StructureKind.CERTIFICATION_CENTRE
            structure.name = f"Centre d'examen de langue française – {commune.name}"
            structure.networks = [str(enums.Network.FRANCE_EDUCATION)]
            centres.append((structure, self.place(structure, commune)))
        return centres

    def exam_sessions(self, structure: Structure, place: Place) -> list[ExamSession]:
        sessions = []
        codes = self.rng.sample(EXAM_CERTIFICATIONS, k=self.rng.randint(2, 4))
        for code in sorted(codes):
            certification = self.certifications.get(code)
            if certification is None:
                continue
            for month in range(1, 7):
                exam_date = self.today + datetime.timedelta(days=30 * month + self.rng.randint(-10, 10))
                sessions.append(
                    ExamSession(
                        source=DEMO_SOURCE,
                        source_id=self._id("exam"),
                        certification=certification,
                        structure=structure,
                        place=place,
                        exam_date=exam_date,
                        registration_deadline=exam_date - datetime.timedelta(days=self.rng.choice([21, 28, 35])),
                        price=Decimal(self.rng.randrange(90, 200, 5)),
                        seats_left=self.rng.randint(0, 30),
                        updated_at=self._updated_at(),
                    )
                )
        return sessions
