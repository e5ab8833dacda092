"""The kinds of search filter (search/filters.py declares each filter once with one of them): what a filter
declaration holds, and the generic kinds over a course field (a choice, yes/no, a level fit) or a child table (a
set of values). Each kind reads its parameter, builds its index columns, gives its mask and its facet counts."""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cartolangue.search.reading import (
    LEVEL_VALUES,
    MAX_VALUE_LENGTH,
    NO_LEVEL,
    YES_NO_SCHEMA,
    Param,
    ParamReader,
    enum_schema,
    level_value,
    levels_with_none,
)

if TYPE_CHECKING:
    from cartolangue.search.index import CourseIndex, FacetCounter

NULL = -1  # an unknown value in an integer column


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


def translated(choices: Any) -> list[tuple[str, str]]:
    """[(value, label)] of an enum in the active language."""
    return _translated(choices, get_language())


_TRANSLATIONS: dict[tuple[Any, Any], list[tuple[str, str]]] = {}


def _translated(choices: Any, language: Any) -> list[tuple[str, str]]:
    key = (choices, language)
    if key not in _TRANSLATIONS:
        _TRANSLATIONS[key] = [(str(value), str(label)) for value, label in choices.choices]
    return _TRANSLATIONS[key]


class Filter:
    """One filter: the parameters it reads, the query attributes it sets, its mask and its facets.

    `group` places it in the search form ("main", "practical", "more"; None: not in the form) under `legend`,
    with `form_labels` where the form says more than the facet's label. `hides_empty` facets list only the
    values that have courses."""

    name: str
    params: tuple[Param, ...] = ()
    group: str | None = None
    legend: Promise | str = ""
    form_labels: dict[str, Any] = {}
    hides_empty: bool = False
    course_columns: tuple[str, ...] = ()  # Course fields (ORM paths) the index reads for this filter

    def defaults(self) -> dict[str, Any]:
        """Query attribute → its value when the filter is not used."""
        raise NotImplementedError

    def read(self, reader: ParamReader) -> dict[str, Any]:
        raise NotImplementedError

    def active(self, values: dict[str, Any]) -> bool:
        return any(values.get(name) not in (None, [], ()) for name in self.defaults())

    def load(self, index: "CourseIndex", columns: dict[str, Sequence[Any]]) -> None:
        """Build the index columns this filter needs (`columns`: the `course_columns` read, by path)."""

    # `index`: the course index, or the exam sessions' or actors' table for their own filters (exams.py, actors.py).
    def mask(self, index: Any, query: Any, today: datetime.date) -> np.ndarray:
        raise NotImplementedError

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        return {}


class TextFilter(Filter):
    """Every word somewhere in the course's search text (accent- and case-insensitive, substrings)."""

    name = "q"
    params = (
        Param(
            "q",
            _("Texte libre, sans tenir compte des accents ni des majuscules (intitulé, structure, lieu)."),
            # No "type": any query-string value is text, and a declared string type makes fuzzers send the
            # boolean true as a "schema-violating" q=true, which is a perfectly good search word.
            {"minLength": 1, "maxLength": MAX_VALUE_LENGTH},
        ),
    )

    def defaults(self) -> dict[str, Any]:
        return {"q": []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {"q": reader.words("q")}

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        mask = np.ones(index.size, dtype=bool)
        for word in query.q:
            mask &= index.text_mask(word)
        return mask


@dataclass(frozen=True)
class Choice:
    """One value of a choice filter: as written in the query string, as stored, and its label."""

    param: str
    stored: Any
    label: Any


class ChoiceFilter(Filter):
    """A course field holding one value of a referential: the course has one of the chosen values."""

    def __init__(
        self,
        name: str,
        attribute: str,
        column: str,
        choices: Callable[[], list[Choice]],
        description: Promise,
        *,
        group: str | None = None,
        legend: Promise | str = "",
    ) -> None:
        self.name, self.attribute, self.column, self.choices = name, attribute, column, choices
        self.course_columns = (column,)
        self.params = (Param(name, description, enum_schema(c.param for c in choices())),)
        self.group, self.legend = group, legend

    def defaults(self) -> dict[str, Any]:
        return {self.attribute: []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {self.attribute: reader.choices(self.name, {c.param: c.stored for c in self.choices()})}

    def load(self, index: "CourseIndex", columns: dict[str, Sequence[Any]]) -> None:
        position = {c.stored: i for i, c in enumerate(self.choices())}
        values = columns[self.column]
        index.columns[self.name] = np.fromiter(
            (position.get(v, NULL) for v in values), dtype=np.int16, count=len(values)
        )

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        stored = [c.stored for c in self.choices()]
        wanted = [stored.index(v) for v in getattr(query, self.attribute) if v in stored]
        return np.isin(index.columns[self.name], wanted)

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        choices = self.choices()
        codes = index.columns[self.name]
        found = counter.count(self.name, self.name, lambda: [codes == i for i in range(len(choices))])
        chosen = getattr(query, self.attribute)
        return {
            self.name: [
                FacetValue(c.param, str(c.label), n, c.stored in chosen) for c, n in zip(choices, found, strict=True)
            ]
        }


def enum_choices(enum: Any) -> Callable[[], list[Choice]]:
    return lambda: [Choice(value, value, label) for value, label in translated(enum)]


class BooleanFilter(Filter):
    """A yes/no course field. "oui" keeps the courses where it is true; "non" those where it is false, and
    also those where it is unknown when `unknown_is_no` (no childcare stated: no childcare to count on)."""

    def __init__(
        self, name: str, attribute: str, column: str, description: Promise, *, unknown_is_no: bool, label: Promise
    ) -> None:
        self.name, self.attribute, self.column, self.unknown_is_no = name, attribute, column, unknown_is_no
        self.course_columns = (column,)
        self.params = (Param(name, description, YES_NO_SCHEMA),)
        self.group, self.form_labels = "practical", {"oui": label}

    def defaults(self) -> dict[str, Any]:
        return {self.attribute: None}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {self.attribute: reader.boolean(self.name)}

    def load(self, index: "CourseIndex", columns: dict[str, Sequence[Any]]) -> None:
        values = columns[self.column]
        index.columns[self.name] = np.fromiter(
            (NULL if v is None else int(v) for v in values), dtype=np.int8, count=len(values)
        )

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        column = index.columns[self.name]
        if getattr(query, self.attribute):
            return column == 1
        return column != 1 if self.unknown_is_no else column == 0

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        (n,) = counter.count(self.name, self.name, lambda: [index.columns[self.name] == 1])
        return {self.name: [FacetValue("oui", "oui", n, bool(getattr(query, self.attribute)))]}


class LevelFitFilter(Filter):
    """The learner is at one of the chosen levels ("aucun": not even A1.1): the course asks no more at entry
    (in this skill), and aims higher than where the learner is."""

    def __init__(self, name: str, attribute: str, column: str, description: Promise, legend: Promise) -> None:
        self.name, self.attribute, self.column = name, attribute, column
        self.course_columns = (column,)
        self.params = (Param(name, description, enum_schema(LEVEL_VALUES)),)
        self.group, self.legend = "main", legend
        self.form_labels = {NO_LEVEL: _("Pas encore A1")}

    def defaults(self) -> dict[str, Any]:
        return {self.attribute: []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        return {self.attribute: reader.choices(self.name, levels_with_none())}

    def load(self, index: "CourseIndex", columns: dict[str, Sequence[Any]]) -> None:
        values = columns[self.column]
        index.columns[self.name] = np.fromiter(
            (NULL if v is None else v for v in values), dtype=np.int16, count=len(values)
        )

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        out = np.zeros(index.size, dtype=bool)
        for level in getattr(query, self.attribute):
            out |= index.fits(level, self.name)
        return out

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        levels = list(levels_with_none().values())
        found = counter.count(self.name, self.name, lambda: [index.fits(level, self.name) for level in levels])
        chosen = [level_value(v) for v in getattr(query, self.attribute)]
        return {
            self.name: [
                FacetValue(level_value(lvl), level_value(lvl), n, level_value(lvl) in chosen)
                for lvl, n in zip(levels, found, strict=True)
            ]
        }


class MembershipFilter(Filter):
    """A course's set of values in a child table (funders, audiences…): the course has one of the chosen
    values, or, when `open_when_none`, it states none (a course with no exclusive audience is open to all)."""

    def __init__(
        self,
        name: str,
        attribute: str,
        rows: Callable[[], QuerySet],
        field: str,
        choices: Callable[[], list[tuple[str, str]]],
        description: Promise,
        schema: dict[str, Any],
        *,
        open_when_none: bool,
        group: str,
        legend: Promise,
        hides_empty: bool = False,
        aliases: dict[str, str] | None = None,
    ) -> None:
        self.name, self.attribute, self.rows, self.field, self.choices = name, attribute, rows, field, choices
        self.aliases = aliases or {}  # retired values still read (shared links, printed QR codes) → today's
        self.open_when_none, self.hides_empty = open_when_none, hides_empty
        self.params = (Param(name, description, schema),)
        self.group, self.legend = group, legend

    def defaults(self) -> dict[str, Any]:
        return {self.attribute: []}

    def read(self, reader: ParamReader) -> dict[str, Any]:
        allowed = {v: v for v, _label in self.choices()} | self.aliases
        return {self.attribute: reader.choices(self.name, allowed)}

    def load(self, index: "CourseIndex", columns: dict[str, Sequence[Any]]) -> None:
        members = index.members_of(self.rows(), self.field, [v for v, _label in self.choices()])
        index.members[self.name] = members
        index.columns[self.name] = (
            np.logical_or.reduce(list(members.values())) if members and index.size else np.zeros(index.size, bool)
        )

    def mask(self, index: "CourseIndex", query: Any, today: datetime.date) -> np.ndarray:
        members = index.members[self.name]
        out = ~index.columns[self.name] if self.open_when_none else np.zeros(index.size, dtype=bool)
        for value in getattr(query, self.attribute):
            if value in members:
                out = out | members[value]
        return out

    def facets(self, index: "CourseIndex", query: Any, counter: "FacetCounter") -> dict[str, list[FacetValue]]:
        members = index.members[self.name]  # the values the index was built with, in the referential's order
        labels = dict(self.choices())  # in the active language
        stated = index.columns[self.name]
        found = counter.count(self.name, self.name, lambda: [~stated, *members.values()])
        open_count = found[0] if self.open_when_none else 0
        chosen = getattr(query, self.attribute)
        values = [
            FacetValue(v, labels.get(v, v), open_count + n, v in chosen)
            for v, n in zip(members, found[1:], strict=True)
        ]
        return {self.name: [f for f in values if f.count] if self.hides_empty else values}
