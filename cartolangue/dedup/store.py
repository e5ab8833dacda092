"""The matcher on the database (issue #23): read the courses, store the pairs as links, and mark in each group of
linked courses the one shown (its representative) and the copies (`Course.duplicate_of`). Idempotent; a
coordinator's decision on a pair is kept and wins over the matcher's verdict (ADR 0024)."""

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from cartolangue.dedup import fusion
from cartolangue.dedup.matching import SAME, Offer, Pair, match_offers
from cartolangue.dedup.models import CourseLink, Verdict
from cartolangue.offers import enums
from cartolangue.offers.models import DEMO_SOURCE, Course, Session, TimeSlot

# Which record of a group is shown, by the format of its source: a provider's own entry first (it keeps its
# value, as an import conflict does), then the richer formats, data·inclusion last (it carries neither levels
# nor timetables). A source of the registry is ranked by its format; an unknown one after these.
AUTHORITY = ("saisie", "tableur", "lheo", "reseau-alpha", "data-inclusion")
BATCH = 2000


@dataclass
class MatchReport:
    courses: int = 0
    pairs: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    groups: int = 0
    copies: int = 0
    fused_fields: int = 0  # fields of a shown record taken from a copy with more authority over them
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.courses} cours comparés : {self.pairs[SAME]} paires « même offre », {self.pairs['maybe']} à "
            f"vérifier ; {self.groups} offres vues dans plusieurs sources, {self.copies} copies masquées, "
            f"{self.fused_fields} champs pris à la source qui fait autorité ({self.seconds:.1f} s)"
        )


def _format_of_sources() -> dict[str, str]:
    from cartolangue.sources.models import Source

    return dict(Source.objects.values_list("name", "format"))


def rank_of(source: str, formats: dict[str, str]) -> int:
    kind = fusion.kind_of(source, formats)
    return AUTHORITY.index(kind) if kind in AUTHORITY else len(AUTHORITY)


def database_offers() -> list[Offer]:
    """Every published course of a real source, as the matcher reads it (copies included: they are re-matched).

    Read in chunks, and each repeated value (a source, a structure's name, a timetable) kept once: at 100,000
    courses the matcher's records are its largest memory, and an import runs it within its own peak."""
    courses = (
        Course.objects.filter(status=enums.PublicationStatus.PUBLISHED)
        .exclude(source=DEMO_SOURCE)
        .values_list(
            "pk",
            "source",
            "place__commune_id",
            "place__latitude",
            "place__longitude",
            "place__location_is_approximate",
            "modality",
            "structure_id",
            "structure__siret",
            "structure__name",
            "name",
            "course_type",
            "cecrl_level_target",
            "source_id",
            "fused_fields",
        )
    )
    formats = _format_of_sources()
    once: dict[Any, Any] = {}  # one object per distinct value: a string, a timetable, a date

    def shared(value: Any) -> Any:
        return once.setdefault(value, value)

    slots = _timetables(shared)
    first_sessions = {
        course_id: shared(first)
        for course_id, first in Session.objects.values("course_id")
        .annotate(first=Min("starts_on"))
        .values_list("course_id", "first")
        .iterator(chunk_size=BATCH)
    }
    none: frozenset[tuple[int, int]] = frozenset()
    return [
        Offer(
            id=pk,
            source=shared(source),
            commune=commune,
            latitude=latitude,
            longitude=longitude,
            structure=structure,
            siret=shared(siret),
            structure_name=shared(structure_name),
            title=shared(name),
            course_type=shared(course_type),
            # The record's own level, not one fusion took from a copy: matching compares what the sources said.
            level=fusion.own_level(level, fused),
            slots=slots.get(pk, none),
            first_session=first_sessions.get(pk),
            # A remote course's place says nothing of where it is given: as little as a commune's centre.
            approximate=approximate or modality == enums.Modality.REMOTE,
            record_id=source_id,
            republished=_republished(source, source_id, formats),
        )
        for (
            pk,
            source,
            commune,
            latitude,
            longitude,
            approximate,
            modality,
            structure,
            siret,
            structure_name,
            name,
            course_type,
            level,
            source_id,
            fused,
        ) in courses.iterator(chunk_size=BATCH)
    ]


def _timetables(shared: Callable[[Any], Any]) -> dict[int, frozenset[tuple[int, int]]]:
    """Each course's weekly slots as (weekday, start in minutes), a timetable shared by the courses that have it."""
    rows = TimeSlot.objects.order_by("course_id").values_list("course_id", "weekday", "starts_at")
    timetables: dict[int, frozenset[tuple[int, int]]] = {}
    for course_id, group in groupby(rows.iterator(chunk_size=BATCH), key=itemgetter(0)):
        timetables[course_id] = shared(
            frozenset((weekday, starts_at.hour * 60 + starts_at.minute) for _id, weekday, starts_at in group)
        )
    return timetables


def _republished(source: str, source_id: str, formats: dict[str, str]) -> tuple[str, str] | None:
    """(producer, producer's id) of a data·inclusion record ("<producer>--<id>"), else None."""
    if fusion.kind_of(source, formats) != "data-inclusion" or "--" not in source_id:
        return None
    producer, original = source_id.split("--", 1)
    return producer, original


def match_courses() -> MatchReport:
    """Match every course, store the links, and set which course of each group is shown."""
    start = time.perf_counter()
    offers = database_offers()
    pairs = match_offers(offers)
    report = MatchReport(courses=len(offers))
    with transaction.atomic():
        _store_links(pairs, report)
        _mark_copies(offers, report)
    report.seconds = time.perf_counter() - start
    return report


def _store_links(pairs: list[Pair], report: MatchReport) -> None:
    existing = {(link.first_id, link.second_id): link for link in CourseLink.objects.all()}
    found = {(p.first, p.second): p for p in pairs}
    new, changed = [], []
    for key, pair in found.items():
        report.pairs[pair.verdict] += 1
        link = existing.get(key)
        if link is None:
            new.append(
                CourseLink(
                    first_id=pair.first,
                    second_id=pair.second,
                    score=pair.score,
                    verdict=pair.verdict,
                    features=pair.features,
                )
            )
        elif (link.score, link.verdict) != (pair.score, pair.verdict):
            link.score, link.verdict, link.features = pair.score, pair.verdict, pair.features
            changed.append(link)
    # A pair no longer a candidate goes, unless a coordinator decided on it: the decision is remembered.
    gone = [link.pk for key, link in existing.items() if key not in found and not link.decision]
    CourseLink.objects.filter(pk__in=gone).delete()
    CourseLink.objects.bulk_create(new, batch_size=BATCH)
    CourseLink.objects.bulk_update(changed, ["score", "verdict", "features", "updated_at"], batch_size=BATCH)


def _groups(course_ids: set[int]) -> list[list[int]]:
    """The groups of courses joined by linked pairs (union-find), among `course_ids`."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for first, second, verdict, decision in CourseLink.objects.values_list("first", "second", "verdict", "decision"):
        linked = decision == Verdict.SAME or (not decision and verdict == Verdict.SAME)
        if linked and first in course_ids and second in course_ids:
            parent.setdefault(first, first)
            parent.setdefault(second, second)
            parent[root(first)] = root(second)
    members = defaultdict(list)
    for course in parent:
        members[root(course)].append(course)
    return [sorted(group) for group in members.values() if len(group) > 1]


def _mark_copies(offers: list[Offer], report: MatchReport) -> None:
    """Set which course of each group is shown, then its fields from the sources with authority (fusion.py)."""
    formats = _format_of_sources()
    source_of = {offer.id: offer.source for offer in offers}
    wanted: dict[int, int | None] = {}
    groups: dict[int, list[int]] = {}
    for group in _groups(set(source_of)):
        shown = min(group, key=lambda pk: (rank_of(source_of[pk], formats), pk))
        report.groups += 1
        groups[shown] = [pk for pk in group if pk != shown]
        for pk in group:
            wanted[pk] = None if pk == shown else shown
    current = dict(Course.objects.exclude(duplicate_of=None).values_list("pk", "duplicate_of"))
    for pk in current:
        wanted.setdefault(pk, None)  # a copy no longer linked is shown again
    changes = [Course(pk=pk, duplicate_of_id=target) for pk, target in wanted.items() if current.get(pk) != target]
    Course.objects.bulk_update(changes, ["duplicate_of"], batch_size=BATCH)
    report.copies = sum(1 for target in wanted.values() if target is not None)
    report.fused_fields = fusion.fuse(groups, source_of, formats)


def decide(link: CourseLink, verdict: str, user: AbstractBaseUser | AnonymousUser | None) -> None:
    """A coordinator's decision on a pair (same / different), then the groups are set again (`user`: who decided;
    None for a command)."""
    link.decision = verdict
    link.decided_by = user if isinstance(user, User) else None
    link.decided_at = timezone.now()
    link.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])
    mark_groups()


def mark_groups() -> MatchReport:
    """Set the groups again from the stored links, without matching (after a decision, or a restore)."""
    report = MatchReport()
    with transaction.atomic():
        _mark_copies(database_offers(), report)
    return report


def sources_of(course: Course) -> list[str]:
    """The sources of the offer a course page shows: its own and those of its copies, the shown one first."""
    copies = Course.objects.filter(duplicate_of=course).order_by("pk").values_list("source", flat=True)
    return list(dict.fromkeys([course.source, *copies]))
