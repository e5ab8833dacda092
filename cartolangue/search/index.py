"""The search engine: the offer's search columns held in memory as numpy arrays, so that a search with its
count and its facets costs a few vector operations (docs/adr/0010-search-index.md). It is the only engine:
the list, the map, the flyers and the statistics read it; what each filter means is declared once, in
search/filters.py, and `tests/search/test_engine_brute_force.py` checks it against a plain Python reading.

An index is stamped with the database's data-version token (`search.version`: database triggers give it a
new random value on every write to a table the search reads). Each process keeps its index exact through
`search.live`: every search reads the token (one tiny query) and, when it changed, applies the changed courses
as a small second index or rebuilds this one (docs/adr/0018-live-index.md), so results are never stale.

About 400 lines on purpose: one class whose columns are read together at build and together at every search.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Case, IntegerField, Max, QuerySet, Value, When

from cartolangue.offers.freshness import stale_before
from cartolangue.offers.models import DEMO_SOURCE, Course, Session, TimeSlot
from cartolangue.search.columns import (
    NO_DATE,
    day_number,
    days_of,
    local_days,
    microseconds_of,
    minutes_of,
    pack,
    read_columns,
)
from cartolangue.search.filter_kinds import NULL, FacetValue
from cartolangue.search.filters import COURSE_FILTERS, SLOT_NAMES, slot_categories
from cartolangue.search.reading import NO_LEVEL_MARK
from cartolangue.search.text_index import TextIndex
from cartolangue.search.version import BoundedDict

SHOWN_CACHE_SIZE = 2000
# What every index reads of a course, whatever the filters: identity, place, text, order.
CORE_COLUMNS = (
    "pk",
    "place__latitude",
    "place__longitude",
    "place__commune_id",
    "place__commune__departement__code",
    "search_text",
    "structure_id",
    "updated_at",
    "verified_on",
    "source",
    "cecrl_level_target",
    "hours_per_week",
)


@dataclass
class IndexHits:
    total: int
    page: int
    ids: list[int]
    distances: list[float] | None
    facets: dict[str, list[FacetValue]]


class FacetCounter:
    """Counts, for a facet, the courses of its scope (every filter applied but its own) in each of its
    columns: the columns are packed into 64-bit words once per index, so a count is one AND and one popcount
    per word."""

    def __init__(self, index: "CourseIndex", filters: dict[str, np.ndarray], scope: np.ndarray | None) -> None:
        self.index, self.filters = index, filters
        self.everything = np.ones(index.size, dtype=bool) if scope is None else scope
        self._scopes: dict[str | None, np.ndarray] = {}

    def _scope_bits(self, name: str) -> np.ndarray:
        key = name if name in self.filters else None
        if key not in self._scopes:
            mask = self.everything.copy()
            for other, column in self.filters.items():
                if other != key:
                    mask &= column
            self._scopes[key] = pack(mask)
        return self._scopes[key]

    def count(self, filter_name: str, matrix: str, columns: Callable[[], list[np.ndarray]]) -> list[int]:
        packed = self.index.packed(matrix, columns)
        return np.bitwise_count(packed & self._scope_bits(filter_name)).sum(axis=1, dtype=np.int64).tolist()


class CourseIndex:
    """Every course's filterable columns, by position (courses in primary-key order)."""

    def __init__(self, token: str | None, only: Iterable[int] | None = None) -> None:
        """The index of every course, or with `only` (course ids) of those courses alone: the small index of
        the courses changed since a full one was built (search/live.py)."""
        self.token = token
        self.only = None if only is None else sorted(only)
        self.columns: dict[str, np.ndarray] = {}  # filter name → its column (search/filters.py)
        self.members: dict[str, dict[str, np.ndarray]] = {}  # filter name → value → the courses that have it
        self._next_session: dict[int, np.ndarray] = {}
        self._shown: dict[datetime.date, BoundedDict] = {}
        self._fit_columns: dict[tuple[str, Any], np.ndarray] = {}
        self._packed: dict[str, np.ndarray] = {}
        self._default_keys: tuple[np.ndarray, np.ndarray] | None = None
        declared = [path for f in COURSE_FILTERS for path in f.course_columns if path not in CORE_COLUMNS]
        paths = [*CORE_COLUMNS, *dict.fromkeys(declared)]
        read = read_columns(self._scope(Course.objects.public(), "pk").order_by("pk").values_list(*paths))
        raw = dict(zip(paths, read, strict=True))
        self.size = n = len(raw["pk"])
        self.last_modified = self._scope(Course.objects.public(), "pk").aggregate(latest=Max("updated_at"))["latest"]
        self.ids = np.array(raw["pk"], dtype=np.int64)
        self.latitude = np.array(raw["place__latitude"], dtype=np.float64)
        self.longitude = np.array(raw["place__longitude"], dtype=np.float64)
        self.commune = np.array(raw["place__commune_id"], dtype=np.int64)
        self._commune_top = int(self.commune.max()) if n else 0
        codes = raw["place__commune__departement__code"]
        self.departement_codes = sorted({c for c in codes if c})
        position = {code: i for i, code in enumerate(self.departement_codes)}
        self.departement = np.fromiter((position.get(c, NULL) for c in codes), dtype=np.int16, count=n)
        self.text = TextIndex(raw["search_text"])
        self.structure = np.array(raw["structure_id"], dtype=np.int64)
        self.target = np.fromiter((NULL if v is None else v for v in raw["cecrl_level_target"]), np.int16, count=n)
        self.hours = np.array([np.nan if v is None else float(v) for v in raw["hours_per_week"]], dtype=np.float64)
        self._updated_at, self._sources, self._verified_on = raw["updated_at"], raw["source"], raw["verified_on"]
        self._stale: dict[int, np.ndarray] = {}
        self._confirmed_days: np.ndarray | None = None
        self._default_by_day: dict[int, np.ndarray] = {}
        self.default_order = self._read_default_order()
        self.slot_bits = self._read_slots()
        course_ids, starts, ends, seats = read_columns(
            self._scope(Session.objects).values_list("course_id", "starts_on", "ends_on", "seats")
        )
        found, held = self.positions(course_ids)
        self.session_course = found[held]
        self.session_start = days_of(starts)[held]
        self.session_end = days_of(ends)[held]
        self.session_seats = np.array([-1 if v is None else v for v in seats], dtype=np.int64)[held]  # -1: unknown
        for declared_filter in COURSE_FILTERS:
            declared_filter.load(self, raw)

    # --- building ----------------------------------------------------------------------------------------

    def _scope(self, manager: Any, course_field: str = "course_id") -> QuerySet:
        """Every row of the manager's table, or those of the index's courses when it holds only some."""
        if self.only is None:
            return manager.all()
        return manager.filter(**{f"{course_field}__in": self.only})

    def _read_default_order(self) -> np.ndarray:
        """Most recently updated first, real offers before the demo's fictional ones: the database sorts."""
        demo_last = Case(When(source=DEMO_SOURCE, then=Value(1)), default=Value(0), output_field=IntegerField())
        (updated,) = read_columns(
            self._scope(Course.objects.public(), "pk").order_by(demo_last, "-updated_at", "pk").values_list("pk")
        )
        order, known = self.positions(updated)
        order = order[known]
        # A course read above but deleted before this query: last.
        return np.concatenate([order, np.setdiff1d(np.arange(self.size), order)])

    def _read_slots(self) -> np.ndarray:
        """One bit per (weekday, time slot) a course meets: bit `len(SLOT_NAMES)` × weekday + slot."""
        course_ids, weekdays, starts = read_columns(
            self._scope(TimeSlot.objects).values_list("course_id", "weekday", "starts_at")
        )
        bits = np.zeros(self.size, dtype=np.int64)
        if course_ids:
            found, held = self.positions(course_ids)
            days = np.array(weekdays, dtype=np.int64)
            minutes = np.fromiter((minutes_of(s) for s in starts), dtype=np.int64, count=len(starts))
            bit = np.left_shift(1, len(SLOT_NAMES) * days + slot_categories(days, minutes))
            np.bitwise_or.at(bits, found[held], bit[held])
        return bits

    def positions(self, course_ids: Any) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the given course ids, which of them the index holds). The build reads the courses,
        then their slots, sessions… in separate queries: a row committed in between may refer to a course
        the index does not hold (or no longer holds). It is skipped: the data version changed too, so the
        next search rebuilds the index."""
        course_ids = np.asarray(course_ids, dtype=np.int64)
        found = np.searchsorted(self.ids, course_ids)
        if not self.size:
            return found, np.zeros(len(course_ids), dtype=bool)
        return found, self.ids[np.minimum(found, self.size - 1)] == course_ids

    def members_of(self, queryset: QuerySet, field: str, values: Sequence[str]) -> dict[str, np.ndarray]:
        """One boolean column per value of a course's multi-valued attribute (rows of a child table)."""
        columns = {v: np.zeros(self.size, dtype=bool) for v in values}
        found, course_ids = read_columns(self._scope(queryset).order_by().values_list(field, "course_id"))
        if found:
            found_values = np.array(found, dtype=object)
            positions, held = self.positions(course_ids)
            found_values, positions = found_values[held], positions[held]
            for value, column in columns.items():
                column[positions[found_values == value]] = True
        return columns

    # --- what filters read -----------------------------------------------------------------------------------

    def text_mask(self, word: str) -> np.ndarray:
        return self.text.mask(word)

    def fits(self, level: Any, entry_filter: str) -> np.ndarray:
        """The courses a learner at `level` fits in the skill of `entry_filter` (its entry-level column): no
        more asked at entry, a target above the level; computed once per level and skill."""
        key = (entry_filter, level)
        if key not in self._fit_columns:
            entry = self.columns[entry_filter]
            if level is NO_LEVEL_MARK:
                fit = entry == NULL
            else:
                fit = ((entry == NULL) | (entry <= int(level))) & ((self.target == NULL) | (self.target > int(level)))
            self._fit_columns[key] = fit
        return self._fit_columns[key]

    def slot_mask(self, weekdays: Iterable[int], categories: Iterable[int]) -> np.ndarray:
        """The courses meeting on one of these weekdays in one of these time slots (positions in SLOT_NAMES)."""
        categories = list(categories)
        wanted = sum(1 << (len(SLOT_NAMES) * int(d) + c) for d in weekdays for c in categories)
        return (self.slot_bits & wanted) != 0

    def running_before(self, day: datetime.date, today: datetime.date) -> np.ndarray:
        started = (self.session_start != NO_DATE) & (self.session_start <= day_number(day))
        not_over = self.session_end >= day_number(today)
        out = np.zeros(self.size, dtype=bool)
        out[self.session_course[started & not_over]] = True
        return out

    def in_communes(self, ids: np.ndarray) -> np.ndarray:
        """Mask of the courses located in these communes (ids): a lookup table indexed by commune id, one
        gather over the column (`np.isin` sorts both sides)."""
        if not self.size:
            return np.zeros(0, dtype=bool)
        table = np.zeros(self._commune_top + 1, dtype=bool)
        table[ids[(ids >= 0) & (ids <= self._commune_top)]] = True
        return table[self.commune]

    def next_session(self, today: datetime.date) -> np.ndarray:
        """Day number of each course's first session starting today or later (NO_DATE: none)."""
        key = day_number(today)
        if key not in self._next_session:
            upcoming = (self.session_start != NO_DATE) & (self.session_start >= key)
            days = np.full(self.size, NO_DATE, dtype=np.int32)
            np.minimum.at(days, self.session_course[upcoming], self.session_start[upcoming])
            self._next_session = {key: days}
        return self._next_session[key]

    def shown_courses(self, today: datetime.date) -> BoundedDict:
        """Course objects recently shown (with their `next_session_on` for `today`), by id: the data they
        were read from are those of this index, so they are as fresh as it is."""
        if today not in self._shown:
            self._shown = {today: BoundedDict(SHOWN_CACHE_SIZE)}
        return self._shown[today]

    def packed(self, name: str, columns: Callable[[], list[np.ndarray]]) -> np.ndarray:
        """Boolean columns (made by `columns`) packed into rows of 64-bit words, once per index and name."""
        if name not in self._packed:
            made = columns()
            self._packed[name] = np.vstack([pack(c) for c in made]) if made else np.zeros((0, 1), np.uint64)
        return self._packed[name]

    # --- search --------------------------------------------------------------------------------------------

    def filters(self, query: Any, today: datetime.date) -> dict[str, np.ndarray]:
        """Filter name → the courses it keeps, for the filters the query uses."""
        return {f.name: f.mask(self, query, today) for f in COURSE_FILTERS if f.active(query.values)}

    def matches(self, query: Any, today: datetime.date, alive: np.ndarray | None = None) -> tuple:
        """(filters, scope, distance, matching): the filter columns, the courses within reach (and `alive`:
        not superseded, search/live.py), every course's distance (None without a location), and the
        courses matching everything."""
        filters = self.filters(query, today)
        reach, distance = (
            query.location.reach(self.latitude, self.longitude, self.in_communes) if query.location else (None, None)
        )
        scope = reach if alive is None else (alive if reach is None else reach & alive)
        matching = np.ones(self.size, dtype=bool) if scope is None else scope.copy()
        for mask in filters.values():
            matching &= mask
        return filters, scope, distance, matching

    def rows(self, mask: np.ndarray, today: datetime.date) -> dict[str, np.ndarray]:
        """The columns of the courses of `mask` that the territorial diagnostic sums (cartolangue/diagnostic).
        `seats`: the places of the course's sessions not over by `today` whose number is given (-1: none is)."""
        demo, _updated = self._default_sort_columns()
        current = (self.session_end >= day_number(today)) & (self.session_seats >= 0)
        courses = self.session_course[current]
        seats = np.bincount(courses, weights=self.session_seats[current], minlength=self.size).astype(np.int64)
        seats[np.bincount(courses, minlength=self.size) == 0] = -1
        return {
            "id": self.ids[mask],
            "commune": self.commune[mask],
            "latitude": self.latitude[mask],
            "longitude": self.longitude[mask],
            "target": self.target[mask],
            "type": self.columns["type"][mask],
            "demo": demo[mask].astype(bool),
            "hours": self.hours[mask],
            "seats": seats[mask],
            "childcare": self.columns["garde_enfants"][mask] == 1,
            "evening": self.slot_mask(range(7), [SLOT_NAMES.index("soir")])[mask],
        }

    def search(self, query: Any, *, today: datetime.date, facets: bool = True) -> IndexHits:
        filters, scope, distance, matching = self.matches(query, today)
        total = int(np.count_nonzero(matching))
        page = min(query.page, max(1, -(-total // query.page_size)))
        start = (page - 1) * query.page_size
        positions = self.ordered(query, today, matching, distance, start + query.page_size)[start:]
        return IndexHits(
            total=total,
            page=page,
            ids=self.ids[positions].tolist(),
            distances=None if distance is None else distance[positions].tolist(),
            facets=self.facets(query, filters, scope, today) if facets else {},
        )

    def ordered_ids(self, query: Any, *, today: datetime.date, limit: int | None = None) -> list[int]:
        """The matching course ids (every one, or the first `limit`), in the engine's order."""
        _filters, _scope, distance, matching = self.matches(query, today)
        return self.ids[self.ordered(query, today, matching, distance, limit or self.size)].tolist()

    def sort_keys(self, query: Any, today: datetime.date, positions: np.ndarray, distance: Any) -> list[np.ndarray]:
        """The sort keys of these positions, most significant first, ending with the course id: what orders
        them among the courses of another index (search/live.py merges two)."""
        sort = query.effective_sort
        stale = self.stale(today)[positions]
        if sort == "distance" and distance is not None:
            return [distance[positions], stale, self.ids[positions]]
        if sort == "prochaine-session":
            return [self.next_session(today)[positions], stale, self.ids[positions]]
        demo, updated = self._default_sort_columns()
        return [demo[positions], stale, -updated[positions], self.ids[positions]]

    def _default_sort_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """(demo: 1 for a demo course, updated_at in microseconds): the default order's keys, as the database
        sorts them (`default_order`), read only when two indexes are merged."""
        if self._default_keys is None:
            self._default_keys = (
                np.fromiter((s == DEMO_SOURCE for s in self._sources), dtype=np.int8, count=self.size),
                np.fromiter((microseconds_of(v) for v in self._updated_at), dtype=np.int64, count=self.size),
            )
        return self._default_keys

    def ordered(self, query: Any, today: datetime.date, matching: np.ndarray, distance: Any, stop: int) -> np.ndarray:
        """The first `stop` matching positions in the engine's order (ties by primary key)."""
        sort = query.effective_sort
        if sort == "distance" and distance is not None:
            key = distance
        elif sort == "prochaine-session":
            key = self.next_session(today)
        else:
            order = self.default_order_on(today)
            return order[matching[order]][:stop]
        candidates = np.flatnonzero(matching)  # primary-key order: a stable sort breaks ties by pk
        values = key[candidates]
        if stop < len(candidates):
            kth = np.partition(values, stop - 1)[stop - 1]
            keep = values <= kth  # every tie of the last kept value stays: the stale rule orders them
            candidates, values = candidates[keep], values[keep]
        return candidates[np.lexsort((self.stale(today)[candidates], values))][:stop]

    def default_order_on(self, today: datetime.date) -> np.ndarray:
        """The default order (real before demo, then fresh before stale, then most recently updated), for
        `today`: the database's order (`default_order`) regrouped, stably, once per day."""
        day = day_number(today)
        if day not in self._default_by_day:
            demo, _updated = self._default_sort_columns()
            order = self.default_order
            group = demo[order].astype(np.int8) * 2 + self.stale(today)[order]
            self._default_by_day = {day: order[np.argsort(group, kind="stable")]}
        return self._default_by_day[day]

    def stale(self, today: datetime.date) -> np.ndarray:
        """1 for each course whose information is "à vérifier" on `today` (offers/freshness.py), else 0."""
        day = day_number(today)
        if day not in self._stale:
            cutoff = day_number(stale_before(today))
            self._stale = {day: (self.confirmed_days() < cutoff).astype(np.int8)}
        return self._stale[day]

    def confirmed_days(self) -> np.ndarray:
        """Day number of each course's confirmation date: its `verified_on`, else the local date of its last
        update (offers/freshness.py `confirmed_on`)."""
        if self._confirmed_days is None:
            days = days_of(self._verified_on)
            unset = days == NO_DATE
            if unset.any():
                updated = self._default_sort_columns()[1]
                days[unset] = local_days(updated[unset])
            self._confirmed_days = days
        return self._confirmed_days

    def facets(
        self, query: Any, filters: dict[str, np.ndarray], scope: np.ndarray | None, today: datetime.date
    ) -> dict[str, list[FacetValue]]:
        """Every declared facet, over the courses of `scope` (None: all; else those within reach, and not
        superseded)."""
        counter = FacetCounter(self, filters, scope)
        facets: dict[str, list[FacetValue]] = {}
        for declared in COURSE_FILTERS:
            facets.update(declared.facets(self, query, counter))
        return facets
