"""The process's search index, kept exact without stalling searches after small writes
(docs/adr/0018-live-index.md).

A `LiveIndex` is a full `CourseIndex` (the base, built once) plus, when courses changed since, a small
`CourseIndex` of those courses alone (the delta). The base's rows for the changed courses are masked out, so
every course is counted once, from its current data: totals and facets are sums of the two, a page is the
merge of the two orders. Which courses changed comes from the change log the database's triggers keep
(`search_change`, search/watch.py): after a provider's edit, the next search on any process reads the few new
log rows and the changed courses (about ten small queries), where a full build costs seconds at 100,000
courses. A change that concerns every course (a referential, an import's "all" mark), or more than
`DELTA_LIMIT` changed courses, rebuilds the base, as before.

The log is trusted only as far as it can be: each entry carries the token its write produced, and a process
checks that the last entry it applied is still there with that token. An entry rolled back (a process saw
its own uncommitted write) or deleted (an import prunes the log) makes it rebuild.
"""

import dataclasses
import datetime
import threading
from collections.abc import Iterable

import numpy as np
from django.db import connection

from cartolangue.offers.models import Course
from cartolangue.search.filter_kinds import FacetValue
from cartolangue.search.filters import COURSE_FILTERS
from cartolangue.search.index import CourseIndex, IndexHits
from cartolangue.search.params import CourseQuery
from cartolangue.search.version import BoundedDict, data_token, record_lineage

DELTA_LIMIT = 2000  # changed courses kept in a delta; past it, the base is rebuilt (a delta build ∝ its size)
LOG_LIMIT = 20_000  # log rows read at once; past it, the base is rebuilt
SHOWN_CACHE_SIZE = 2000


@dataclasses.dataclass(frozen=True)
class LogPosition:
    """The last change-log entry an index has applied (id 0: none), and the token that entry carries."""

    id: int = 0
    token: str = ""


class LiveIndex:
    """The search index of the data at `token`: a base index and the index of the courses changed since."""

    def __init__(
        self,
        token: str | None,
        base: CourseIndex,
        changed: Iterable[int] = frozenset(),
        position: LogPosition | None = None,
    ) -> None:
        self.token = token
        self.base = base
        self.changed = frozenset(changed)
        self.position = position or LogPosition()
        self.delta = CourseIndex(token, only=self.changed) if self.changed else None
        # The base's courses that changed since it was built: the delta holds them as they are now.
        self.alive = ~np.isin(base.ids, np.fromiter(self.changed, dtype=np.int64)) if self.changed else None
        self._shown: dict[datetime.date, BoundedDict] = {}

    @property
    def size(self) -> int:
        if self.delta is None or self.alive is None:
            return self.base.size
        return int(np.count_nonzero(self.alive)) + self.delta.size

    @property
    def last_modified(self) -> datetime.datetime | None:
        dates = [d for d in (self.base.last_modified, self.delta and self.delta.last_modified) if d]
        return max(dates, default=None)

    def shown_courses(self, today: datetime.date) -> BoundedDict:
        """Course objects recently shown, by id (the engine's cache): the base's while nothing changed, else
        this live index's own (a changed course must be read again)."""
        if self.delta is None:
            return self.base.shown_courses(today)
        if today not in self._shown:
            self._shown = {today: BoundedDict(SHOWN_CACHE_SIZE)}
        return self._shown[today]

    def keep_shown(self, previous: "LiveIndex") -> None:
        """Carry over the courses `previous` had shown, but for the changed ones: a page after a write reads
        again only what changed."""
        caches = previous.base._shown if previous.delta is None else previous._shown
        for today, cache in caches.items():
            kept = BoundedDict(SHOWN_CACHE_SIZE)
            for pk, course in cache.items():
                if pk not in self.changed:
                    kept[pk] = course
            self._shown = {today: kept}

    def next_session(self, today: datetime.date) -> np.ndarray:
        return self.base.next_session(today)

    def structures_matching(self, word: str) -> np.ndarray:
        """Ids of the structures with a course whose search text contains `word`."""
        found = self.base.structure[self.base.text_mask(word) & (True if self.alive is None else self.alive)]
        if self.delta is not None:
            found = np.concatenate([found, self.delta.structure[self.delta.text_mask(word)]])
        return np.unique(found)

    def search(self, query: CourseQuery, *, today: datetime.date, facets: bool = True) -> IndexHits:
        if self.delta is None:
            return self.base.search(query, today=today, facets=facets)
        parts = [self.base.matches(query, today, self.alive), self.delta.matches(query, today)]
        total = sum(int(np.count_nonzero(matching)) for _f, _s, _d, matching in parts)
        page = min(query.page, max(1, -(-total // query.page_size)))
        start = (page - 1) * query.page_size
        ids, distances = self._merged(self.delta, query, today, parts, start + query.page_size)
        return IndexHits(
            total=total,
            page=page,
            ids=ids[start:],
            distances=None if distances is None else distances[start:],
            facets=self._facets(self.delta, query, today, parts) if facets else {},
        )

    def matching_rows(self, query: CourseQuery, *, today: datetime.date) -> dict[str, np.ndarray]:
        """The diagnostic's columns (CourseIndex.rows) of every course the query matches, in both indexes."""
        parts = [self.base.rows(self.base.matches(query, today, self.alive)[3], today)]
        if self.delta is not None:
            parts.append(self.delta.rows(self.delta.matches(query, today)[3], today))
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}

    def ordered_ids(self, query: CourseQuery, *, today: datetime.date, limit: int | None = None) -> list[int]:
        """The matching course ids (every one, or the first `limit`), in the engine's order."""
        if self.delta is None:
            return self.base.ordered_ids(query, today=today, limit=limit)
        parts = [self.base.matches(query, today, self.alive), self.delta.matches(query, today)]
        ids, _distances = self._merged(self.delta, query, today, parts, limit or self.base.size + self.delta.size)
        return ids

    def _merged(self, delta: CourseIndex, query, today, parts, stop):
        """The first `stop` ids (and distances) of the two indexes' matches (the base's and `delta`'s), in the
        engine's order: each index gives its first `stop` in order, then their sort keys order the union."""
        ids, distances, keys = [], [], []
        for index, (_filters, _scope, distance, matching) in zip((self.base, delta), parts, strict=True):
            positions = index.ordered(query, today, matching, distance, stop)
            ids.append(index.ids[positions])
            distances.append(None if distance is None else distance[positions])
            keys.append(index.sort_keys(query, today, positions, distance))
        columns = [np.concatenate(pair) for pair in zip(*keys, strict=True)]
        order = np.lexsort(columns[::-1])[:stop]  # lexsort's last key is the primary one
        merged_ids = np.concatenate(ids)[order].tolist()
        known = [d for d in distances if d is not None]
        if len(known) < len(distances):  # no place asked: no distances (both indexes alike)
            return merged_ids, None
        return merged_ids, np.concatenate(known)[order].tolist()

    def _facets(self, delta: CourseIndex, query, today, parts):
        """Facet counts are counts of courses: those of the base (without the changed courses) and those of
        the delta add up."""
        both = [
            index.facets(query, filters, scope, today)
            for index, (filters, scope, _distance, _matching) in zip((self.base, delta), parts, strict=True)
        ]
        merged = {}
        hiding_empty = {f.name for f in COURSE_FILTERS if f.hides_empty}
        for name, values in both[0].items():
            counts: dict[object, FacetValue] = {}
            for facet in values + both[1].get(name, []):
                seen = counts.get(facet.value)
                if seen is not None:
                    facet = dataclasses.replace(seen, count=seen.count + facet.count)
                counts[facet.value] = facet
            facets = list(counts.values())
            if name in hiding_empty:  # listed by value, values without courses left out
                facets = sorted((f for f in facets if f.count), key=lambda f: f.value)
            merged[name] = facets
        return merged


# --- keeping it current ------------------------------------------------------------------------------------

_lock = threading.Lock()
_current = None


def course_index() -> LiveIndex:
    """The index of the data as they are now: the process's one, brought up to date when the data changed."""
    global _current
    token = data_token()
    live = _current
    if live is not None and token is not None and live.token == token:
        return live
    with _lock:
        live = _current
        if live is not None and token is not None and live.token == token:
            return live
        live = _updated(live, token)
        if token is not None:
            _current = live
    return live


def _updated(live: LiveIndex | None, token: str | None) -> LiveIndex:
    """`live` with the changes logged since it was made, or a new full index when they cannot be applied."""
    if live is None or token is None:
        return full_index(token)
    read = _changes_since(live.position)
    if read is None:
        return full_index(token)
    position, kinds = read
    if "all" in kinds:
        return full_index(token)
    now = set(kinds.get("course", set()))
    for kind, field in (("place", "place_id__in"), ("structure", "structure_id__in")):
        if kinds.get(kind):  # the courses there now (a course moved away is logged as a course)
            now |= set(Course.objects.filter(**{field: kinds[kind]}).values_list("pk", flat=True))
    changed = set(live.changed) | now
    if len(changed) > DELTA_LIMIT:
        return full_index(token)
    updated = LiveIndex(token, live.base, changed, position)
    updated.keep_shown(live)
    if live.token is not None:
        record_lineage(token, live.token, now)
    return updated


def full_index(token: str | None) -> LiveIndex:
    """A new base index. The log position is read first: a write committed during the build is applied
    again at the next search (applying a change twice is harmless), never lost."""
    position = _last_position()
    return LiveIndex(token, CourseIndex(token), position=position)


def _last_position() -> LogPosition:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, token FROM search_change ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return LogPosition(*row) if row else LogPosition()


def _changes_since(position: LogPosition) -> tuple[LogPosition, dict[str, set]] | None:
    """(the new position, {kind: {row ids}}) of the entries after `position`; None when they cannot be
    trusted to be all (the entry at `position` is gone or was rewritten, or there are too many)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, kind, row_id, token FROM search_change WHERE id >= %s ORDER BY id LIMIT %s",
            [position.id, LOG_LIMIT + 1],
        )
        rows = cursor.fetchall()
    if position.id:
        if not rows or (rows[0][0], rows[0][3]) != (position.id, position.token):
            return None
        rows = rows[1:]
    if len(rows) > LOG_LIMIT:
        return None
    if not rows:
        return position, {}
    kinds: dict[str, set[int]] = {}
    for _id, kind, row_id, _token in rows:
        kinds.setdefault(kind, set()).add(row_id)
    return LogPosition(rows[-1][0], rows[-1][3]), kinds


def warm_up(today: datetime.date | None = None) -> LiveIndex:
    """Build the index of the current data and its lazy parts (the text index, the packed facet columns, the
    default order; and the exam sessions' columns) now rather than at the first searches. Run by the gunicorn
    master before it forks its workers (config/gunicorn.py): they start with the index, shared copy-on-write,
    and no request pays its build. Returns the index."""
    from django.http import QueryDict
    from django.utils import timezone

    from cartolangue.search.engine import exam_search
    from cartolangue.search.params import parse_course_query, parse_exam_query

    today = today or timezone.localdate()
    live = course_index()
    live.base.text.postings()
    live.search(parse_course_query(QueryDict("")), today=today)
    live.next_session(today)
    exam_search(parse_exam_query(QueryDict("")), today=today, details=False)  # the exam columns, memoised
    return live
