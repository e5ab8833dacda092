"""The data-version token: a cheap, exact answer to "has the data the search reads changed?".

An in-process cache (the search index) keeps the token it was built with, and rebuilds when
`data_token()` returns another one. The token lives in one row (`search_dataversion`, id 1), renewed by
database triggers on every table the search reads (courses, places, structures, sessions, time slots,
audiences, schooling, funders, certifications and the course↔certification table, exam sessions, communes,
départements, zonings, zones and their communes): the watch, declared in search/watch.py and installed
again after every `migrate`.

Why triggers rather than signals or an `updated_at` maximum: every write path is covered, whatever wrote the
row: ORM saves, `bulk_create`, `queryset.update()` and `.delete()` (which send no signals), COPY through
`cartolangue.db.insert_rows` on PostgreSQL, raw SQL, another process (an import command, a shell), and
deletions (which leave no row whose `updated_at` could be read). The new token commits, or rolls back, with
the data: a reader never sees new data under the old token once the writer has committed.

Why a random token rather than a counter: a counter goes back when a transaction rolls back (every test
does), so a later, different write could bring back a value already seen, with other data behind it. A
random value (128 bits on SQLite, an md5 on PostgreSQL) does not repeat.

SQLite has only row-level triggers: one UPDATE of the token per written row, a few µs of CPU a row
(docs/bench/search-index-2026-11.md), and more in an import, where the token row's page goes back and forth with
the rest; imports therefore run under `renewed_once`, which drops them for their transaction and renews the token
once at its end. PostgreSQL uses statement-level triggers, including on TRUNCATE: one UPDATE per statement
(0.2 ms; a COPY of 100,000 rows fires it once); a statement that touches no row renews the token all the same
(a harmless extra rebuild). Every writing transaction locks the token row until it ends: concurrent writers
to the offer queue there rather than run side by side.

Callers should read the token *before* loading the data they cache: if a write commits in between, they
cache new data under the old token and rebuild once more at the next check, rather than the reverse.

On SQLite, Django applies many schema changes by rebuilding the table, which drops its triggers: the watch is
therefore re-installed after every `migrate` (search/watch.py, docs/adr/0013-freshness-watch.md), and the
system check search.W001 names any watched table left without it.
"""

import contextlib
import contextvars
import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar

from django.db import connections

from cartolangue.search.watch import PG_LOG_SETTING, TRIGGER_PREFIX

T = TypeVar("T")

_request_tokens: contextvars.ContextVar[dict[str, str | None] | None] = contextvars.ContextVar(
    "data_tokens_of_this_request", default=None
)


def data_token(using: str = "default") -> str | None:
    """The current data-version token, in one indexed query; None when the row is missing (a test's flush
    empties every table): the caller must then treat the data as unknown and not cache it. Within a read-only
    request (`DataVersionMiddleware`), read once: the search, the lookups and the card parts of one page all
    see the same version."""
    tokens = _request_tokens.get()
    if tokens is not None and using in tokens:
        return tokens[using]
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT token FROM search_dataversion WHERE id = 1")
        row = cursor.fetchone()
    token = row[0] if row else None
    if tokens is not None:
        tokens[using] = token
    return token


class DataVersionMiddleware:
    """GET and HEAD requests (which write nothing) read the data-version token once rather than at every
    lookup: one query less per memoised lookup, and one version for the whole response. Other methods may
    write, then read their own writes: they read the token every time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        reset = _request_tokens.set({})
        try:
            return self.get_response(request)
        finally:
            _request_tokens.reset(reset)


_memo: dict[object, tuple[str, Any]] = {}
MEMO_SIZE = 5000


def memo_by_version(key: Hashable, compute: Callable[..., T]) -> T:
    """`compute()`, kept per process until the data change (a few lookups every search makes: the known
    certification codes, a commune by its code). Without a token, computed every time."""
    token = data_token()
    if token is None:
        return compute()
    entry = _memo.get(key)
    if entry is not None and entry[0] == token:
        return entry[1]
    value = compute()
    if len(_memo) >= MEMO_SIZE:
        _memo.clear()
    _memo[key] = (token, value)
    return value


class BoundedDict(OrderedDict):
    """A dict that forgets its oldest entries beyond `size`."""

    def __init__(self, size):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        while len(self) > self.size:
            self.popitem(last=False)


_per_version: dict[str, tuple[str, BoundedDict]] = {}
_lineage = BoundedDict(16)  # a token → (the token it follows, the courses changed in between): search/live.py


def record_lineage(token: str, previous: str, changed: Iterable[int]) -> None:
    """Say that the data at `token` differ from those at `previous` only by the courses `changed` (their ids):
    what `per_version` keeps of the other courses' values across the change."""
    _lineage[token] = (previous, frozenset(changed))


def per_version(
    name: str, version: str, size: int = 10_000, course_of: Callable[[Any], int] | None = None
) -> BoundedDict:
    """A process-local dict for values derived from the data at `version` (a token): the parts of result
    cards and the API's dicts of courses. A new version starts an empty dict, so nothing stale is ever read,
    and nothing is pickled (a shared cache backend would unpickle every value at every read). With
    `course_of` (a key → the course id its value depends on), a version that follows the previous one by a
    few changed courses (`record_lineage`) keeps the values of the other courses."""
    entry = _per_version.get(name)
    if entry is None or entry[0] != version:
        values = BoundedDict(size)
        lineage = _lineage.get(version)
        if entry is not None and course_of is not None and lineage is not None and lineage[0] == entry[0]:
            changed = lineage[1]
            for key, value in entry[1].items():
                if course_of(key) not in changed:
                    values[key] = value
        entry = (version, values)
        _per_version[name] = entry
    return entry[1]


@contextlib.contextmanager
def renewed_once(using: str = "default") -> Iterator[None]:
    """For a bulk write done in one transaction (an import): the token is renewed once, at the end, and the
    change log gets one "all" (every index is rebuilt: an import touches too many courses for a small index
    of changes), rather than a token and a log row per written row. Log entries before that mark are then of
    no use to anyone and are deleted.

    On SQLite, whose triggers are row-level (about 10 µs a row in an import), the watch's triggers are dropped
    for the duration and re-created from their own SQL (`sqlite_master`): DDL is transactional there, and the
    transaction holds the database's only write lock, so no other writer can go unseen, and a rollback
    restores them. On PostgreSQL the statement-level triggers stay (they renew the token), but the row log is
    switched off for the transaction (`SET LOCAL`)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("renewed_once() must run inside a transaction")
    triggers = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{TRIGGER_PREFIX}%"]
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
        else:
            cursor.execute(f"SET LOCAL {PG_LOG_SETTING} = 'off'")
    try:
        yield
    except BaseException:
        if connection.vendor == "sqlite":  # PostgreSQL's transaction is aborted: its rollback undoes all
            _restore(connection, triggers)
        raise
    _restore(connection, triggers)
    with connection.cursor() as cursor:
        token = secrets.token_hex(16)
        cursor.execute("UPDATE search_dataversion SET token = %s WHERE id = 1", [token])
        cursor.execute("INSERT INTO search_change (kind, row_id, token) VALUES ('all', NULL, %s)", [token])
        cursor.execute("DELETE FROM search_change WHERE id < (SELECT max(id) FROM search_change)")
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL {PG_LOG_SETTING} = 'on'")


def _restore(connection, triggers):
    with connection.cursor() as cursor:
        for _name, sql in triggers:
            cursor.execute(sql)
