"""At most a few PDF renders at once on the machine, so that printing never starves the search.

A render (WeasyPrint: pure-Python parsing and layout) takes a worker's CPU for a few tenths of a second. The
workers are synchronous processes (config/gunicorn.py): a lock inside one process would limit nothing, so the
slots are lock files shared by every worker of the deployment (`fcntl.flock`, released by the kernel even if
a worker dies mid-render). A request that finds every slot taken does not wait, which would hold its worker
just the same: it gets 503 with Retry-After, and the flyers already made are served from their cache without
taking a slot.

How many slots: half the workers, at most half the cores, and at least one. With the default 2 workers on
2 cores, one render at a time: the other worker always stays free for searches, and a flyer waits a second
at worst. docs/adr/0014-published-exports.md.
"""

import contextlib
import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

RETRY_AFTER_SECONDS = 2  # a render takes well under a second: by then the slot is usually free


def slot_count() -> int:
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
    return max(1, min(workers, os.cpu_count() or 1) // 2)


def _lock_dir() -> Path:
    # One set of slots per deployment (two checkouts on one machine do not share theirs).
    name = hashlib.sha256(str(settings.BASE_DIR).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"carto-langue-renders-{name}"
    path.mkdir(exist_ok=True)
    return path


@contextlib.contextmanager
def render_slot():
    """Yields True while holding one of the machine's render slots, False when all are taken (do not render)."""
    directory = _lock_dir()
    for n in range(slot_count()):
        handle = open(directory / f"slot-{n}.lock", "a+b")  # noqa: SIM115 (closed below, after the render)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return
    yield False
