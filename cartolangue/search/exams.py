"""Exam sessions (TCF, TEF, DELF, DCL, CléA…): their filters, declared once, and their search on columns of
every session kept per data version (a few thousand rows): the page, the API list and map, the flyer and the
course tab's count all go through `exam_matches`.

Each session carries `registration_closed` (its registration deadline has passed). Closed sessions stay
listed, flagged and after every open one, whatever the sort: the date of the test still tells a learner when
the next one at that centre is likely, and a centre may take late or waiting-list registrations, but nobody
should pick one before an open session.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartolangue.offers.models import DEMO_SOURCE, ExamSession
from cartolangue.search.filters import (
    CERTIFICATION,
    DEPARTEMENT,
    FacetValue,
    Filter,
    certification_choices,
    certification_codes,
)
from cartolangue.search.params import ExamQuery
from cartolangue.search.reading import DATE_SCHEMA, YES_NO_SCHEMA, Param, ParamReader
from cartolangue.search.version import memo_by_version

NO_DEADLINE = np.iinfo(np.int32).max


@dataclass
class ExamTable:
    """Every exam session's searchable columns, by position (sessions in primary-key order)."""

    ids: np.ndarray
    date: np.ndarray  # proleptic ordinals
    deadline: np.ndarray  # ordinals, NO_DEADLINE when none
    certification: np.ndarray
    departement: np.ndarray
    cpf: np.ndarray
    commune: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    demo: np.ndarray  # the demo generator's sessions (the territorial diagnostic counts them apart)

    @property
    def size(self) -> int:
        return len(self.ids)


def exam_table() -> ExamTable:
    return memo_by_version("exam-table", _read_exam_table)


def _read_exam_table() -> ExamTable:
    rows = list(
        ExamSession.objects.order_by("pk").values_list(
            "pk",
            "exam_date",
            "registration_deadline",
            "certification__code",
            "place__commune__departement__code",
            "certification__cpf_eligible",
            "place__commune_id",
            "place__latitude",
            "place__longitude",
            "source",
        )
    )
    nan = float("nan")
    return ExamTable(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        date=np.array([r[1].toordinal() for r in rows], dtype=np.int32),
        deadline=np.array([NO_DEADLINE if r[2] is None else r[2].toordinal() for r in rows], dtype=np.int32),
        certification=np.array([r[3] for r in rows], dtype=object),
        departement=np.array([r[4] for r in rows], dtype=object),
        cpf=np.array([bool(r[5]) for r in rows], dtype=bool),
        commune=np.array([-1 if r[6] is None else r[6] for r in rows], dtype=np.int64),
        latitude=np.array([nan if r[7] is None else r[7] for r in rows], dtype=float),
        longitude=np.array([nan if r[8] is None else r[8] for r in rows], dtype=float),
        demo=np.array([r[9] == DEMO_SOURCE for r in rows], dtype=bool),
    )


class ExamCertificationFilter(Filter):
    name = "certification"
    params = (CERTIFICATION,)

    def defaults(self) -> dict[str, Any]:
        return {"certifications": []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"certifications": certification_codes(reader)}

    def mask(self, index: Any, query: Any, today: datetime.date) -> np.ndarray:
        return np.isin(index.certification, list(query.certifications))


class DepartementColumnFilter(Filter):
    """The département filter of a column search (exam sessions, support actors): a `departement` column."""

    name = "departement"
    params = (DEPARTEMENT,)

    def defaults(self) -> dict[str, Any]:
        return {"departements": []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"departements": reader.departements()}

    def mask(self, index: Any, query: Any, today: datetime.date) -> np.ndarray:
        return np.isin(index.departement, list(query.departements))


class ExamFromFilter(Filter):
    """Sessions from that day on; from today when not given (always applied: past sessions are not offered)."""

    name = "apres"
    params = (
        Param("apres", _("Date AAAA-MM-JJ : épreuves à partir de ce jour (défaut : aujourd'hui)."), DATE_SCHEMA),
    )

    def defaults(self) -> dict[str, Any]:
        return {"after": None}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"after": min(reader.dates("apres"), default=None)}

    def active(self, values: dict[str, Any]) -> bool:
        return True

    def mask(self, index: Any, query: Any, today: datetime.date) -> np.ndarray:
        return index.date >= (query.after or today).toordinal()


class ExamUntilFilter(Filter):
    name = "avant"
    params = (Param("avant", _("Date AAAA-MM-JJ : épreuves jusqu'à ce jour."), DATE_SCHEMA),)

    def defaults(self) -> dict[str, Any]:
        return {"before": None}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"before": max(reader.dates("avant"), default=None)}

    def mask(self, index: Any, query: Any, today: datetime.date) -> np.ndarray:
        return index.date <= query.before.toordinal()


class ExamCpfFilter(Filter):
    name = "cpf"
    params = (Param("cpf", _("oui : certifications éligibles au CPF."), YES_NO_SCHEMA),)

    def defaults(self) -> dict[str, Any]:
        return {"cpf": None}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"cpf": reader.boolean("cpf")}

    def mask(self, index: Any, query: Any, today: datetime.date) -> np.ndarray:
        return index.cpf == bool(query.cpf)


EXAM_FILTERS: list[Filter] = [
    ExamCertificationFilter(),
    DepartementColumnFilter(),
    ExamFromFilter(),
    ExamUntilFilter(),
    ExamCpfFilter(),
]


@dataclass
class ExamMatches:
    total: int
    ids: list[int]  # the first `limit` matching sessions, in order
    distances: list[float] | None
    closed: list[bool]
    certification_counts: dict[str, int]  # every filter but the certification's


def exam_matches(
    query: ExamQuery, *, today: datetime.date | None = None, start: int = 0, limit: int | None = None
) -> ExamMatches:
    """The sessions matching the query: how many, the ids of `limit` of them from `start` in the engine's
    order (registration open first, then by distance when asked and a place is given, then by date), and
    the certification facet's counts."""
    today = today or timezone.localdate()
    table = exam_table()
    masks = {f.name: f.mask(table, query, today) for f in EXAM_FILTERS if f.active(query.values)}
    scope = np.ones(table.size, dtype=bool)
    distance = None
    if query.location:
        scope, distance = query.location.reach(
            table.latitude, table.longitude, lambda communes: np.isin(table.commune, communes)
        )
    matching = scope.copy()
    for mask in masks.values():
        matching &= mask
    without_certification = scope.copy()
    for name, mask in masks.items():
        if name != "certification":
            without_certification &= mask
    codes, counts = np.unique(table.certification[without_certification].astype(str), return_counts=True)
    rows = np.flatnonzero(matching)
    closed = table.deadline[rows] < today.toordinal()
    keys = [table.ids[rows], table.date[rows]]
    if query.sort == "distance" and distance is not None:
        keys.append(distance[rows])
    keys.append(closed)
    order = rows[np.lexsort(keys)]  # the last key is the primary one
    stop = len(order) if limit is None else start + limit
    page = order[start:stop]
    return ExamMatches(
        total=len(rows),
        ids=table.ids[page].tolist(),
        distances=None if distance is None else distance[page].tolist(),
        closed=(table.deadline[page] < today.toordinal()).tolist(),
        certification_counts=dict(zip(codes.tolist(), counts.tolist(), strict=True)),
    )


def exam_sessions(matches: ExamMatches) -> list[ExamSession]:
    """The sessions of `matches`, in its order, with what a list shows, their `registration_closed` and
    their `distance` (when a place was given)."""
    found = (
        ExamSession.objects.filter(pk__in=matches.ids)
        .select_related("certification", "structure", "place__commune")
        .defer("place__commune__geometry")
        .in_bulk()
    )
    sessions = []
    for position, pk in enumerate(matches.ids):
        session = found.get(pk)
        if session is None:  # deleted since the table was read
            continue
        session.registration_closed = matches.closed[position]
        if matches.distances is not None:
            session.distance = matches.distances[position]
        sessions.append(session)
    return sessions


def certification_facet(query: ExamQuery, matches: ExamMatches) -> list[FacetValue]:
    names = dict(certification_choices())
    return [
        FacetValue(code, names.get(code, code), n, code in query.certifications)
        for code, n in sorted(matches.certification_counts.items())
    ]
