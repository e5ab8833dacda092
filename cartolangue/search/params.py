"""Search queries: a query string (the same for the page, the API, the map and the flyers) → a validated query.

What each filter parameter means is declared once, in search/filters.py (courses) and search/exams.py (exam
sessions); this module adds what every search has (the location, the sort, the page) and derives from the
declarations the parameter lists the API documents and the page accepts.
"""

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from cartolangue.search import filters
from cartolangue.search.filters import COURSE_FILTERS, DEPARTEMENT, SLOTS, WEEKDAYS, Filter
from cartolangue.search.reading import (
    LOCATION_PARAMS,
    MAX_VALUES,
    NO_LEVEL,
    NO_LEVEL_MARK,
    PAGE_SIZE,
    PAGING_PARAMS,
    Location,
    Param,
    ParamError,
    ParamReader,
    enum_schema,
)

__all__ = [
    "ACTOR_PARAMS",
    "COURSE_PARAMS",
    "EXAM_PARAMS",
    "EXAM_SORTS",
    "MAX_VALUES",
    "NO_LEVEL",
    "NO_LEVEL_MARK",
    "PARAM_SCHEMAS",
    "SLOTS",
    "SORTS",
    "STRUCTURE_PARAMS",
    "WEEKDAYS",
    "ActorQuery",
    "CourseQuery",
    "ExamQuery",
    "Location",
    "ParamError",
    "StructureQuery",
    "parse_actor_query",
    "parse_course_query",
    "parse_exam_query",
    "parse_structure_query",
]

SORTS = {
    "distance": gettext_lazy("Distance"),
    "prochaine-session": gettext_lazy("Prochaine session"),
    "mise-a-jour": gettext_lazy("Mise à jour récente"),
}
COURSE_SORT = Param("tri", gettext_lazy("Tri : distance, prochaine-session, mise-a-jour."), enum_schema(SORTS))
# Exam sessions have their own sort parameter, `tri_examens`: the search page carries the course query and the
# exam query in one query string, where one `tri` could not mean both.
EXAM_SORTS = {
    "date": gettext_lazy("Date de l'épreuve"),
    "distance": gettext_lazy("Distance"),
}
EXAM_SORT = Param(
    "tri_examens", gettext_lazy("Tri des sessions de tests : date (défaut) ou distance."), enum_schema(EXAM_SORTS)
)


class FilteredQuery:
    """A query whose filter values (`values`, by query attribute) are those its declared filters read; they
    read as attributes (`query.types`), with each filter's default when unset."""

    values: dict[str, Any]

    @classmethod
    def declared_filters(cls) -> list[Filter]:
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "values":
            raise AttributeError(name)
        for declared in self.declared_filters():
            defaults = declared.defaults()
            if name in defaults:
                return self.values.get(name, defaults[name])
        raise AttributeError(name)

    def replace(self, **changes: Any) -> Any:
        """A copy with some values changed (filter values and the query's own fields alike)."""
        own = {f.name for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        values = {**self.values, **{k: v for k, v in changes.items() if k not in own}}
        return dataclasses.replace(self, values=values, **{k: v for k, v in changes.items() if k in own})  # type: ignore[type-var]


@dataclass
class CourseQuery(FilteredQuery):
    values: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    sort: str = ""
    page: int = 1
    page_size: int = PAGE_SIZE
    errors: list[ParamError] = field(default_factory=list)

    @classmethod
    def declared_filters(cls) -> list[Filter]:
        return COURSE_FILTERS

    @property
    def effective_sort(self) -> str:
        return self.sort or ("distance" if self.location else "mise-a-jour")


class _DeclaredParams(Mapping[str, Promise]):
    """Parameter name → French description, in documentation order, read from the declarations at each use
    (a filter declared later is known at once)."""

    def __init__(self, params: Any) -> None:
        self._params = params

    def _all(self) -> dict[str, Param]:
        return {p.name: p for p in self._params()}

    def __getitem__(self, name: str) -> Promise:
        return self._all()[name].description

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def schema(self, name: str) -> dict[str, Any]:
        return self._all()[name].schema


def course_params() -> list[Param]:
    declared = [p for f in COURSE_FILTERS for p in f.params]
    return [declared[0], *LOCATION_PARAMS, *declared[1:], COURSE_SORT, *PAGING_PARAMS]


def exam_params() -> list[Param]:
    from cartolangue.search.exams import EXAM_FILTERS

    declared = [p for f in EXAM_FILTERS for p in f.params]
    return [*LOCATION_PARAMS, *declared, EXAM_SORT, *PAGING_PARAMS]


def actor_params() -> list[Param]:
    from cartolangue.search.actors import ACTOR_FILTERS

    declared = [p for f in ACTOR_FILTERS for p in f.params]
    return [*LOCATION_PARAMS, *declared, *PAGING_PARAMS]


STRUCTURE_TEXT = Param(
    "q", gettext_lazy("Nom ou sigle de la structure, ou texte de ses cours."), filters.TextFilter.params[0].schema
)


def structure_params() -> list[Param]:
    return [STRUCTURE_TEXT, DEPARTEMENT, *PAGING_PARAMS]


COURSE_PARAMS = _DeclaredParams(course_params)
EXAM_PARAMS = _DeclaredParams(exam_params)
ACTOR_PARAMS = _DeclaredParams(actor_params)
STRUCTURE_PARAMS = _DeclaredParams(structure_params)


class _Schemas(Mapping[str, dict[str, Any]]):
    """Parameter name → JSON schema of one value, over every declared parameter."""

    def _all(self) -> dict[str, dict[str, Any]]:
        return {p.name: p.schema for p in [*structure_params(), *course_params(), *exam_params(), *actor_params()]}

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


PARAM_SCHEMAS = _Schemas()


def parse_course_query(params: QueryDict, *, strict: bool = False) -> CourseQuery:
    """QueryDict → CourseQuery. strict: raise the first ParamError (API); otherwise collect them (page)."""
    reader = ParamReader(params, strict=strict, known=COURSE_PARAMS)
    values: dict[str, Any] = {}
    for declared in COURSE_FILTERS:
        values.update(declared.read(reader))
    location = reader.location()
    page, size = reader.page()
    sort = (reader.choices(COURSE_SORT.name, {k: k for k in SORTS}) or [""])[0]
    return CourseQuery(values=values, location=location, sort=sort, page=page, page_size=size, errors=reader.errors)


@dataclass
class ExamQuery(FilteredQuery):
    values: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    sort: str = "date"
    page: int = 1
    page_size: int = PAGE_SIZE
    errors: list[ParamError] = field(default_factory=list)

    @classmethod
    def declared_filters(cls) -> list[Filter]:
        from cartolangue.search.exams import EXAM_FILTERS

        return EXAM_FILTERS


def parse_exam_query(params: QueryDict, *, strict: bool = False) -> ExamQuery:
    from cartolangue.search.exams import EXAM_FILTERS

    reader = ParamReader(params, strict=strict, known=EXAM_PARAMS)
    values: dict[str, Any] = {}
    location = reader.location()
    for declared in EXAM_FILTERS:
        values.update(declared.read(reader))
    page, size = reader.page()
    sort = (reader.choices(EXAM_SORT.name, {k: k for k in EXAM_SORTS}) or ["date"])[0]
    return ExamQuery(values=values, location=location, sort=sort, page=page, page_size=size, errors=reader.errors)


@dataclass
class ActorQuery(FilteredQuery):
    values: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    page: int = 1
    page_size: int = PAGE_SIZE
    errors: list[ParamError] = field(default_factory=list)

    @classmethod
    def declared_filters(cls) -> list[Filter]:
        from cartolangue.search.actors import ACTOR_FILTERS

        return ACTOR_FILTERS


def parse_actor_query(params: QueryDict, *, strict: bool = False) -> ActorQuery:
    from cartolangue.search.actors import ACTOR_FILTERS

    reader = ParamReader(params, strict=strict, known=ACTOR_PARAMS)
    values: dict[str, Any] = {}
    location = reader.location()
    for declared in ACTOR_FILTERS:
        values.update(declared.read(reader))
    page, size = reader.page()
    return ActorQuery(values=values, location=location, page=page, page_size=size, errors=reader.errors)


@dataclass
class StructureQuery:
    q: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    page: int = 1
    page_size: int = PAGE_SIZE
    errors: list[ParamError] = field(default_factory=list)


def parse_structure_query(params: QueryDict, *, strict: bool = False) -> StructureQuery:
    reader = ParamReader(params, strict=strict, known=STRUCTURE_PARAMS)
    page, size = reader.page()
    query = StructureQuery(
        q=reader.words(STRUCTURE_TEXT.name), departements=reader.departements(), page=page, page_size=size
    )
    query.errors = reader.errors
    return query
