"""The search index: the offer's search columns held in memory as numpy arrays, so that a search with its
count and its facets costs a few vector operations instead of a dozen SQL queries
(docs/adr/0010-search-index.md).

An index is stamped with the database's data-version token (`search.version`: database triggers give it a
new random value on every write to a table the search reads). Each process keeps its index exact through
`search.live`: every search reads the token (one tiny query) and, when it changed, applies the changed courses
as a small second index or rebuilds this one (docs/adr/0018-live-index.md), so results are never stale.
The semantics are those of the SQL filters (`search.filters`, `search.facets`);
`tests/search/test_engine_brute_force.py` checks both against a plain Python filter, and each against the other.
"""

import datetime
import functools
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.db import connections
from django.db.models import Case, IntegerField, Max, Value, When
from django.utils.translation import get_language

from cartolangue.geo.distance import bbox_around, nearest_km
from cartolangue.geo.models import ZoneMembership
from cartolangue.offers import enums
from cartolangue.offers.models import (
    DEMO_SOURCE,
    Certification,
    Course,
    CourseAudience,
    CourseFunder,
    CourseSchooling,
    Session,
    TimeSlot,
)
from cartolangue.search.facets import FacetValue, level_value
from cartolangue.search.filters import slot_q
from cartolangue.search.params import NO_LEVEL_MARK, SLOTS, WEEKDAYS
from cartolangue.search.version import BoundedDict, memo_by_version

NULL = -1
NO_DATE = np.iinfo(np.int32).max
SLOT_NAMES = list(SLOTS)  # matin, apres-midi, soir, week-end: every weekly slot is in exactly one
TEXT_CACHE_SIZE = 512
SHOWN_CACHE_SIZE = 2000
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _slot_labels():
    return _translated_slots(get_language())


@functools.cache
def _translated_slots(language):
    return [(slot, str(label)) for slot, label in SLOTS.items()]


@functools.cache
def _translated(choices, language):
    """[(value, label)] of an enum in the active language (computed once per language)."""
    return [(value, str(label)) for value, label in choices.choices]


def choices_of(enum):
    return _translated(enum, get_language())


def _codes(values, choices):
    """Text values → small integer codes (position in `choices`), NULL for blank or unknown."""
    position = {v: i for i, v in enumerate(choices)}
    return np.fromiter((position.get(v, NULL) for v in values), dtype=np.int16, count=len(values))


def _nullable_int(values):
    return np.fromiter((NULL if v is None else v for v in values), dtype=np.int16, count=len(values))


def _nullable_bool(values):
    return np.fromiter((NULL if v is None else int(v) for v in values), dtype=np.int8, count=len(values))


def _zone_communes(zone_ids):
    communes = ZoneMembership.objects.filter(zone__in=zone_ids).values_list("commune_id", flat=True)
    return np.fromiter(communes, dtype=np.int64)


def _pack(mask):
    """A boolean column → its bits in 64-bit words (zero bits past the end)."""
    packed = np.packbits(mask, bitorder="little")
    packed = np.concatenate([packed, np.zeros(-len(packed) % 8, dtype=np.uint8)])
    return packed.view(np.uint64)


def _columns(values_list):
    """The columns of a `values_list` queryset, read with the database cursor: Django's per-row conversions
    cost more than the query at 100,000 rows. Booleans come as 0/1 on SQLite, dates as ISO text: the callers
    read both."""
    compiler = values_list.query.get_compiler(values_list.db)
    sql, params = compiler.as_sql()
    with connections[values_list.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    width = len(compiler.select)
    return list(zip(*rows, strict=True)) if rows else [()] * width


def _days(values):
    """Dates (date objects or ISO text) → day numbers since 1970-01-01, NO_DATE for none."""
    distinct = {v: NO_DATE if v is None else day_number(v) for v in set(values)}  # a few hundred dates
    return np.fromiter((distinct[v] for v in values), dtype=np.int32, count=len(values))


def _microseconds(value):
    """A stored timestamp (datetime, or ISO text on SQLite, UTC) → microseconds since 1970, exactly."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return (value - EPOCH) // datetime.timedelta(microseconds=1)


def day_number(date):
    """A date (or its ISO text) → days since 1970-01-01."""
    return int(np.datetime64(date, "D").astype(np.int64))


@dataclass
class IndexHits:
    total: int
    page: int
    ids: list
    distances: list | None
    facets: dict


class CourseIndex:
    """Every course's filterable columns, by position (courses in primary-key order)."""

    def __init__(self, token, only=None):
        """The index of every course, or with `only` (course ids) of those courses alone: the small index of
        the courses changed since a full one was built (search/live.py)."""
        self.token = token
        self.only = None if only is None else sorted(only)
        self._lock = threading.Lock()
        self._text = None
        self._text_cache = OrderedDict()
        self._next_session = {}
        self._shown = {}
        self._level_columns = {}
        self._packed = {}
        columns = _columns(
            self._scope(Course.objects, "pk")
            .order_by("pk")
            .values_list(
                "pk",
                "course_type",
                "parcours",
                "cecrl_level_target",
                "entry_level_oral",
                "entry_level_written",
                "childcare",
                "is_free",
                "places_available",
                "place__latitude",
                "place__longitude",
                "place__commune_id",
                "place__commune__departement__code",
                "search_text",
                "structure_id",
                "updated_at",
                "source",
            )
        )
        self.size = n = len(columns[0])
        self.last_modified = self._scope(Course.objects, "pk").aggregate(latest=Max("updated_at"))["latest"]
        self.ids = np.array(columns[0], dtype=np.int64)
        self.course_type = _codes(columns[1], enums.CourseType.values)
        self.parcours = _codes(columns[2], enums.Parcours.values)
        self.target = _nullable_int(columns[3])
        self.oral = _nullable_int(columns[4])
        self.written = _nullable_int(columns[5])
        # The target level as a position in CecrlLevel (NULL: none), for the facet's single bincount.
        self.target_code = np.full(n, NULL, dtype=np.int16)
        for i, level in enumerate(enums.CecrlLevel):
            self.target_code[self.target == int(level)] = i
        self.childcare = _nullable_bool(columns[6])
        self.free = _nullable_bool(columns[7])
        self.places = _nullable_bool(columns[8])
        self.latitude = np.array(columns[9], dtype=np.float64)
        self.longitude = np.array(columns[10], dtype=np.float64)
        self.commune = np.array(columns[11], dtype=np.int64)
        self._commune_top = None
        self.departement_codes = sorted({c for c in columns[12] if c})
        self.departement = _codes(columns[12], self.departement_codes)
        self.texts = columns[13]
        self.structure = np.array(columns[14], dtype=np.int64)
        self._updated_at = columns[15]
        self._sources = columns[16]
        self._default_keys = None

        # Most recently updated first, real offers before the demo's fictional ones: the database sorts.
        demo_last = Case(When(source=DEMO_SOURCE, then=Value(1)), default=Value(0), output_field=IntegerField())
        (updated,) = _columns(
            self._scope(Course.objects, "pk").order_by(demo_last, "-updated_at", "pk").values_list("pk")
        )
        order, known = self.positions(updated)
        order = order[known]
        # A course read above but deleted before this query: last.
        self.default_order = np.concatenate([order, np.setdiff1d(np.arange(n), order)])

        self.exclusive = self._members(
            self._scope(CourseAudience.objects).filter(mode=enums.AudienceMode.EXCLUSIVE),
            "audience",
            enums.Audience.values,
        )
        self.has_exclusive = np.logical_or.reduce(list(self.exclusive.values())) if n else np.zeros(0, bool)
        self.schooling = self._members(self._scope(CourseSchooling.objects), "schooling", enums.Schooling.values)
        self.has_schooling = np.logical_or.reduce(list(self.schooling.values())) if n else np.zeros(0, bool)
        self.funders = self._members(self._scope(CourseFunder.objects), "funder", enums.Funder.values)
        through = self._scope(Course.certifications.through.objects)
        self.certification_names = dict(Certification.objects.values_list("code", "name"))
        self.certifications = self._members(through, "certification__code", sorted(self.certification_names))

        # Weekly slots: one boolean column per (weekday, time slot); the database classifies each slot with
        # the very conditions of the SQL filter.
        category = Case(
            *[When(slot_q([], [name]), then=Value(i)) for i, name in enumerate(SLOT_NAMES)],
            default=Value(NULL),
            output_field=IntegerField(),
        )
        slots = np.zeros((7, len(SLOT_NAMES), n), dtype=bool)
        rows = _columns(
            self._scope(TimeSlot.objects).annotate(category=category).values_list("course_id", "weekday", "category")
        )
        if rows[0]:
            course_ids, weekdays, categories = (np.array(c, dtype=np.int64) for c in rows)
            known = categories >= 0
            found, held = self.positions(course_ids)
            known &= held
            slots[weekdays[known], categories[known], found[known]] = True
        # One bit per (weekday, time slot): bit 4 × weekday + slot.
        weights = (1 << np.arange(7 * len(SLOT_NAMES), dtype=np.int64)).reshape(7, len(SLOT_NAMES), 1)
        self.slot_bits = (slots * weights).sum(axis=(0, 1))

        course_ids, starts, ends = _columns(
            self._scope(Session.objects).values_list("course_id", "starts_on", "ends_on")
        )
        found, held = self.positions(course_ids)
        self.session_course = found[held]
        self.session_start = _days(starts)[held]
        self.session_end = _days(ends)[held]

    def shown_courses(self, today):
        """Course objects recently shown (with their `next_session_on` for `today`), by id: the data they
        were read from are those of this index, so they are as fresh as it is."""
        if today not in self._shown:
            self._shown = {today: BoundedDict(SHOWN_CACHE_SIZE)}
        return self._shown[today]

    # --- building ----------------------------------------------------------------------------------------

    def _scope(self, manager, course_field="course_id"):
        """Every row of the manager's table, or those of the index's courses when it holds only some."""
        if self.only is None:
            return manager.all()
        return manager.filter(**{f"{course_field}__in": self.only})

    def positions(self, course_ids):
        """(positions of the given course ids, which of them the index holds). The build reads the courses,
        then their slots, sessions… in separate queries: a row committed in between may refer to a course
        the index does not hold (or no longer holds). It is skipped: the data version changed too, so the
        next search rebuilds the index."""
        course_ids = np.asarray(course_ids, dtype=np.int64)
        found = np.searchsorted(self.ids, course_ids)
        if not self.size:
            return found, np.zeros(len(course_ids), dtype=bool)
        return found, self.ids[np.minimum(found, self.size - 1)] == course_ids

    def _members(self, queryset, field, values):
        """One boolean column per value of a course's multi-valued attribute."""
        columns = {v: np.zeros(self.size, dtype=bool) for v in values}
        found, course_ids = _columns(queryset.order_by().values_list(field, "course_id"))
        if found:
            found = np.array(found, dtype=object)
            positions, held = self.positions(course_ids)
            found, positions = found[held], positions[held]
            for value, column in columns.items():
                column[positions[found == value]] = True
        return columns

    # --- filters -------------------------------------------------------------------------------------------

    def _any(self, columns, values):
        out = np.zeros(self.size, dtype=bool)
        for v in values:
            if v in columns:
                out |= columns[v]
        return out

    def _level_fit(self, levels, entry):
        out = np.zeros(self.size, dtype=bool)
        for level in levels:
            out |= self._fits(level, entry)
        return out

    def _fits(self, level, entry):
        """The courses a learner at `level` fits (one column per level and skill, computed once)."""
        key = (id(entry), level)
        if key not in self._level_columns:
            self._level_columns[key] = self._compute_fit(level, entry)
        return self._level_columns[key]

    def _compute_fit(self, level, entry):
        if level is NO_LEVEL_MARK:
            return entry == NULL
        return ((entry == NULL) | (entry <= int(level))) & ((self.target == NULL) | (self.target > int(level)))

    def _slot(self, weekdays, slots):
        days = [int(d) for d in weekdays] or range(7)
        categories = [SLOT_NAMES.index(s) for s in slots] or range(len(SLOT_NAMES))
        wanted = sum(1 << (len(SLOT_NAMES) * d + c) for d in days for c in categories)
        return (self.slot_bits & wanted) != 0

    def text_mask(self, word):
        """The courses whose search text contains `word` (already normalised), memoised per index."""
        with self._lock:
            if word in self._text_cache:
                self._text_cache.move_to_end(word)
                return self._text_cache[word]
        if re.search(r"\s", word):
            # Only a word that folding turned into several (rare) can span tokens: scan the texts themselves.
            mask = np.fromiter((word in t for t in self.texts), dtype=bool, count=self.size)
        else:
            vocabulary, starts, ptr, docs = self._text_index()
            mask = np.zeros(self.size, dtype=bool)
            found = [m.start() for m in re.finditer(re.escape(word), vocabulary)]
            for t in set((np.searchsorted(starts, found, side="right") - 1).tolist()):
                mask[docs[ptr[t] : ptr[t + 1]]] = True
        with self._lock:
            self._text_cache[word] = mask
            while len(self._text_cache) > TEXT_CACHE_SIZE:
                self._text_cache.popitem(last=False)
        return mask

    def _text_index(self):
        """Whitespace tokens → the courses that hold them. A query word (no whitespace) is a substring of a
        text if and only if it is a substring of one of its tokens: `contains` semantics, exactly."""
        if self._text is None:
            token_ids = {}
            doc_tokens = []
            lengths = np.zeros(self.size, dtype=np.int64)
            for i, text in enumerate(self.texts):
                ids = {token_ids.setdefault(t, len(token_ids)) for t in text.split()}
                doc_tokens.extend(ids)
                lengths[i] = len(ids)
            tokens = np.array(doc_tokens, dtype=np.int64)
            docs = np.repeat(np.arange(self.size, dtype=np.int32), lengths)
            order = np.argsort(tokens, kind="stable")
            ptr = np.zeros(len(token_ids) + 1, dtype=np.int64)
            np.cumsum(np.bincount(tokens, minlength=len(token_ids)), out=ptr[1:])
            vocabulary = "\n".join(token_ids)  # insertion order = token id
            starts = np.zeros(len(token_ids), dtype=np.int64)
            if token_ids:
                starts[1:] = np.cumsum([len(t) + 1 for t in token_ids])[:-1]
            self._text = (vocabulary, starts, ptr, docs[order])
        return self._text

    def _running_before(self, day, today):
        started = (self.session_start != NO_DATE) & (self.session_start <= day_number(day))
        not_over = self.session_end >= day_number(today)
        out = np.zeros(self.size, dtype=bool)
        out[self.session_course[started & not_over]] = True
        return out

    def next_session(self, today):
        """Day number of each course's first session starting today or later (NO_DATE: none)."""
        key = day_number(today)
        if key not in self._next_session:
            upcoming = (self.session_start != NO_DATE) & (self.session_start >= key)
            days = np.full(self.size, NO_DATE, dtype=np.int32)
            np.minimum.at(days, self.session_course[upcoming], self.session_start[upcoming])
            self._next_session = {key: days}
        return self._next_session[key]

    def _in_communes(self, ids):
        """Mask of the courses located in these communes (ids): a lookup table indexed by commune id, one
        gather over the column (`np.isin` sorts both sides: 0.4 ms → 0.1 ms at 100,000 courses)."""
        if not self.size:
            return np.zeros(0, dtype=bool)
        if self._commune_top is None:
            self._commune_top = int(self.commune.max())
        table = np.zeros(self._commune_top + 1, dtype=bool)
        table[ids[(ids >= 0) & (ids <= self._commune_top)]] = True
        return table[self.commune]

    def distance(self, location, candidates):
        """Distance in km from the nearest centre, for the candidate positions (the SQL's haversine)."""
        return nearest_km(self.latitude[candidates], self.longitude[candidates], location.centres)

    def filters(self, query, today):
        """Filter name → boolean column, as `search.filters.filters_for`."""
        f = {}
        if query.q:
            mask = np.ones(self.size, dtype=bool)
            for word in query.q:
                mask &= self.text_mask(word)
            f["q"] = mask
        if query.departements:
            codes = [self.departement_codes.index(d) for d in query.departements if d in self.departement_codes]
            f["departement"] = np.isin(self.departement, codes)
        if query.zones:
            zones = tuple(sorted(zone.pk for zone in query.zones))
            f["zone"] = self._in_communes(memo_by_version(("zone-communes", zones), lambda: _zone_communes(zones)))
        if query.types:
            f["type"] = np.isin(self.course_type, [enums.CourseType.values.index(t) for t in query.types])
        if query.parcours:
            f["parcours"] = np.isin(self.parcours, [enums.Parcours.values.index(p) for p in query.parcours])
        if query.oral_levels:
            f["niveau_entree_oral"] = self._level_fit(query.oral_levels, self.oral)
        if query.written_levels:
            f["niveau_entree_ecrit"] = self._level_fit(query.written_levels, self.written)
        if query.target_levels:
            f["niveau_vise"] = np.isin(self.target, [int(v) for v in query.target_levels])
        if query.schooling:
            f["scolarisation"] = ~self.has_schooling | self._any(self.schooling, query.schooling)
        if query.audiences:
            f["public"] = ~self.has_exclusive | self._any(self.exclusive, query.audiences)
        if query.weekdays or query.slots:
            f["horaire"] = self._slot(query.weekdays, query.slots)
        if query.childcare is not None:
            f["garde_enfants"] = (self.childcare == 1) if query.childcare else (self.childcare != 1)
        if query.free is not None:
            f["gratuit"] = self.free == int(query.free)
        if query.funders:
            f["financeur"] = self._any(self.funders, query.funders)
        if query.places is not None:
            f["places"] = (self.places == 1) if query.places else (self.places != 1)
        if query.starts_before:
            f["debut_avant"] = self._running_before(query.starts_before, today)
        if query.certifications:
            f["certification"] = self._any(self.certifications, query.certifications)
        return f

    def _location(self, location):
        """(mask of the courses within reach, distance of every course in reach)."""
        communes = [c.commune.pk for c in location.centres if c.commune]
        if location.radius_km == 0 and communes:
            mask = self._in_communes(np.array(communes, dtype=np.int64))
        else:
            mask = np.zeros(self.size, dtype=bool)
            for c in location.centres:
                min_lat, max_lat, min_lon, max_lon = bbox_around(c.latitude, c.longitude, location.radius_km)
                mask |= (
                    (self.latitude >= min_lat)
                    & (self.latitude <= max_lat)
                    & (self.longitude >= min_lon)
                    & (self.longitude <= max_lon)
                )
        candidates = np.flatnonzero(mask)
        distance = np.full(self.size, np.inf)
        distance[candidates] = self.distance(location, candidates)
        if not (location.radius_km == 0 and communes):
            mask &= distance <= location.radius_km
        return mask, distance

    # --- search --------------------------------------------------------------------------------------------

    def matches(self, query, today, alive=None):
        """(filters, scope, distance, matching): the filter columns, the courses within reach (and `alive`:
        not superseded, search/live.py), every course's distance (None without a location), and the
        courses matching everything."""
        filters = self.filters(query, today)
        reach, distance = self._location(query.location) if query.location else (None, None)
        scope = reach if alive is None else (alive if reach is None else reach & alive)
        matching = np.ones(self.size, dtype=bool) if scope is None else scope.copy()
        for mask in filters.values():
            matching &= mask
        return filters, scope, distance, matching

    def search(self, query, *, today, facets=True):
        filters, scope, distance, matching = self.matches(query, today)
        total = int(np.count_nonzero(matching))
        page = min(query.page, max(1, -(-total // query.page_size)))
        start = (page - 1) * query.page_size
        positions = self._ordered(query, today, matching, distance, start + query.page_size)[start:]
        return IndexHits(
            total=total,
            page=page,
            ids=self.ids[positions].tolist(),
            distances=None if distance is None else distance[positions].tolist(),
            facets=self.facets(query, filters, scope, today) if facets else {},
        )

    def ordered_ids(self, query, *, today, limit=None):
        """The matching course ids (every one, or the first `limit`), in the engine's order."""
        _filters, _scope, distance, matching = self.matches(query, today)
        return self.ids[self._ordered(query, today, matching, distance, limit or self.size)].tolist()

    def sort_keys(self, query, today, positions, distance):
        """The sort keys of these positions, most significant first, ending with the course id: what orders
        them among the courses of another index (search/live.py merges two)."""
        sort = query.effective_sort
        if sort == "distance" and distance is not None:
            return [distance[positions], self.ids[positions]]
        if sort == "prochaine-session":
            return [self.next_session(today)[positions], self.ids[positions]]
        demo, updated = self._default_sort_columns()
        return [demo[positions], -updated[positions], self.ids[positions]]

    def _default_sort_columns(self):
        """(demo: 1 for a demo course, updated_at in microseconds): the default order's keys, as the database
        sorts them (`default_order`), read only when two indexes are merged."""
        if self._default_keys is None:
            self._default_keys = (
                np.fromiter((s == DEMO_SOURCE for s in self._sources), dtype=np.int8, count=self.size),
                np.fromiter((_microseconds(v) for v in self._updated_at), dtype=np.int64, count=self.size),
            )
        return self._default_keys

    def _ordered(self, query, today, matching, distance, stop):
        """The first `stop` matching positions in the engine's order (ties by primary key)."""
        sort = query.effective_sort
        if sort == "distance" and distance is not None:
            key = distance
        elif sort == "prochaine-session":
            key = self.next_session(today)
        else:
            ordered = self.default_order[matching[self.default_order]]
            return ordered[:stop]
        candidates = np.flatnonzero(matching)  # primary-key order: a stable sort breaks ties by pk
        values = key[candidates]
        if stop < len(candidates):
            kth = np.partition(values, stop - 1)[stop - 1]
            keep = values <= kth
            candidates, values = candidates[keep], values[keep]
        return candidates[np.argsort(values, kind="stable")][:stop]

    # --- facets --------------------------------------------------------------------------------------------

    def _matrix(self, name, columns):
        """Boolean columns (made by the function `columns`) packed into rows of 64-bit words, once per index:
        counting the courses of a scope in each column is then one AND and one popcount per word."""
        if name not in self._packed:
            made = columns()
            self._packed[name] = np.vstack([_pack(c) for c in made]) if made else np.zeros((0, 1), np.uint64)
        return self._packed[name]

    def _code_matrix(self, name, codes, size):
        """The packed columns "code == i", for i in range(size)."""
        return self._matrix(name, lambda: [codes == i for i in range(size)])

    def facets(self, query, filters, scope, today):
        """The same facets as `search.facets.course_facets`, from the columns, over the courses of `scope`
        (None: all; else those within reach, and not superseded)."""
        everything = np.ones(self.size, dtype=bool) if scope is None else scope
        masks, packed = {}, {}

        def without(name):
            """The courses matching every filter but `name`'s (the scope of its facet), and their bits."""
            key = name if name in filters else None
            if key not in masks:
                mask = everything.copy()
                for other, column in filters.items():
                    if other != key:
                        mask &= column
                masks[key] = mask
                packed[key] = _pack(mask)
            return masks[key]

        def counts(name, matrix):
            without(name)
            scope = packed[name if name in filters else None]
            return np.bitwise_count(matrix & scope).sum(axis=1, dtype=np.int64).tolist()

        def grouped(name, codes, size):
            return counts(name, self._code_matrix(name, codes, size))

        facets = {}
        by_type = grouped("type", self.course_type, len(enums.CourseType.values))
        facets["type"] = [
            FacetValue(v, label, int(by_type[i]), v in query.types)
            for i, (v, label) in enumerate(choices_of(enums.CourseType))
        ]
        by_parcours = grouped("parcours", self.parcours, len(enums.Parcours.values))
        facets["parcours"] = [
            FacetValue(v, label, int(by_parcours[i]), v in query.parcours)
            for i, (v, label) in enumerate(choices_of(enums.Parcours))
        ]
        levels = list(enums.CecrlLevel)
        by_target = grouped("niveau_vise", self.target_code, len(levels))
        target_labels = [enums.CecrlLevel(v).label for v in query.target_levels]
        facets["niveau_vise"] = [
            FacetValue(lvl.label, lvl.label, int(by_target[i]), lvl.label in target_labels)
            for i, lvl in enumerate(levels)
        ]
        levels = [NO_LEVEL_MARK, *enums.CecrlLevel]
        for name, entry, selected in (
            ("niveau_entree_oral", self.oral, query.oral_levels),
            ("niveau_entree_ecrit", self.written, query.written_levels),
        ):
            chosen = [level_value(v) for v in selected]
            fits = counts(name, self._matrix(name, lambda entry=entry: [self._fits(lvl, entry) for lvl in levels]))
            facets[name] = [
                FacetValue(level_value(lvl), level_value(lvl), n, level_value(lvl) in chosen)
                for lvl, n in zip(levels, fits, strict=True)
            ]
        for name, column, chosen in (
            ("garde_enfants", self.childcare, query.childcare),
            ("gratuit", self.free, query.free),
            ("places", self.places, query.places),
        ):
            (n,) = counts(name, self._matrix(name, lambda column=column: [column == 1]))
            facets[name] = [FacetValue("oui", "oui", n, bool(chosen))]

        values = [v for v, _label in choices_of(enums.Schooling)]
        open_count, *found = counts(
            "scolarisation",
            self._matrix("scolarisation", lambda: [~self.has_schooling] + [self.schooling[v] for v in values]),
        )
        facets["scolarisation"] = [
            FacetValue(v, label, n + open_count, v in query.schooling)
            for (v, label), n in zip(choices_of(enums.Schooling), found, strict=True)
        ]
        values = [v for v, _label in choices_of(enums.Audience)]
        open_count, *found = counts(
            "public", self._matrix("public", lambda: [~self.has_exclusive] + [self.exclusive[v] for v in values])
        )
        facets["public"] = [
            FacetValue(v, label, open_count + n, v in query.audiences)
            for (v, label), n in zip(choices_of(enums.Audience), found, strict=True)
        ]
        # Weekly slots: one packed row per (weekday, time slot); a day's facet keeps the chosen time slots, a
        # time slot's keeps the chosen days.
        width = len(SLOT_NAMES)
        slots = self._matrix("slots", lambda: [((self.slot_bits >> b) & 1).astype(bool) for b in range(7 * width)])
        days = [int(d) for d in query.weekdays] or range(7)
        categories = [SLOT_NAMES.index(c) for c in query.slots] or range(width)
        per_day = np.vstack([np.bitwise_or.reduce(slots[[width * d + c for c in categories]]) for d in range(7)])
        per_slot = np.vstack([np.bitwise_or.reduce(slots[[width * d + c for d in days]]) for c in range(width)])
        by_day = counts("horaire", per_day)
        facets["jour"] = [
            FacetValue(name, name, by_day[int(day)], day in query.weekdays) for name, day in WEEKDAYS.items()
        ]
        by_slot = counts("horaire", per_slot)
        facets["creneau"] = [
            FacetValue(slot, label, by_slot[SLOT_NAMES.index(slot)], slot in query.slots)
            for slot, label in _slot_labels()
        ]
        values = [v for v, _label in choices_of(enums.Funder)]
        found = counts("financeur", self._matrix("financeur", lambda: [self.funders[v] for v in values]))
        facets["financeur"] = [
            FacetValue(v, label, n, v in query.funders)
            for (v, label), n in zip(choices_of(enums.Funder), found, strict=True)
        ]
        codes = sorted(self.certifications)
        found = counts("certification", self._matrix("certification", lambda: [self.certifications[c] for c in codes]))
        facets["certification"] = [
            FacetValue(code, self.certification_names[code], n, code in query.certifications)
            for code, n in zip(codes, found, strict=True)
            if n
        ]
        by_departement = grouped("departement", self.departement, len(self.departement_codes))
        facets["departement"] = [
            FacetValue(code, code, int(n), code in query.departements)
            for code, n in zip(self.departement_codes, by_departement, strict=True)
            if n
        ]
        return facets
