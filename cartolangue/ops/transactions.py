"""The request transaction policy: requests that may write run in one transaction, reads run in none.

Django's ATOMIC_REQUESTS wraps every view in a transaction, whatever the method. On SQLite, whose transactions
are `BEGIN IMMEDIATE` here (so that two writers queue on the busy timeout instead of failing on a lock
upgrade), that transaction takes the database's write lock at its first statement: a page that only reads
then waits behind an import for the whole busy timeout, and fails with "database is locked" (issue #17,
item 3). So ATOMIC_REQUESTS is off and this middleware does its job for unsafe methods only; GET, HEAD,
OPTIONS and TRACE read in autocommit, which in WAL mode never waits for a writer. See docs/adr/0015.
"""

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpRequest, HttpResponseBase

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_BLOCK = "_write_transaction"


class WritesInTransactionMiddleware:
    """What ATOMIC_REQUESTS does, for unsafe methods: the view runs in one transaction of the default
    database, committed when it answers, rolled back when it raises (Django has turned the exception into a
    500 by the time the response reaches a middleware, so a server error rolls back). A view marked
    `transaction.non_atomic_requests` runs without it, as with ATOMIC_REQUESTS. Must be the last middleware,
    so that the transaction covers the view alone, as ATOMIC_REQUESTS does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        block = request.__dict__.pop(_BLOCK, None)
        if block is not None:
            if response.status_code >= 500:
                transaction.set_rollback(True)
            block.__exit__(None, None, None)  # commits (or rolls back); a failing commit raises: a 500
        return response

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict) -> None:
        if request.method in SAFE_METHODS:
            return
        if DEFAULT_DB_ALIAS in getattr(view_func, "_non_atomic_requests", ()):
            return
        block = transaction.atomic(using=DEFAULT_DB_ALIAS)
        block.__enter__()
        request.__dict__[_BLOCK] = block
