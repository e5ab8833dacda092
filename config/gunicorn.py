"""gunicorn settings, for production and the benchmark: `gunicorn -c config/gunicorn.py config.wsgi`.

The application is loaded, its URL modules and translations too, and the search index built
(`cartolangue.search.live.warm_up`), in the master process before it forks the workers: they start with the
index in memory, shared copy-on-write, instead of each building it at its first searches (4 s at 100,000
courses). See docs/adr/0011-web-stack.md.
Environment: GUNICORN_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, default 2), GUNICORN_TIMEOUT
(seconds, default 30).

Sync workers serve one request at a time each, so a client that trickles its headers would hold a worker
(slowloris): in production gunicorn listens on 127.0.0.1 only, behind nginx (deploy/nginx/), which reads
requests and answers whole and drops slow clients; the limits below are the second line (docs/adr/0015)."""

import os
import time

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
preload_app = True

# A worker silent for this long (a runaway request) is killed and replaced: the last guard, so that no
# request holds a worker for ever. nginx waits a little longer (proxy_read_timeout 35 s) and answers 502.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a restart or SIGTERM, the requests under way have this long to finish before their worker is killed.
graceful_timeout = 30
# Used by asynchronous worker classes only: a sync worker closes each connection after its answer, which is
# what nginx expects of it (no upstream keepalive in deploy/nginx/).
keepalive = 5
# Request line and headers: the same 8 KiB as nginx (large_client_header_buffers 4 8k), so that a request
# nginx lets through is never refused here, and fewer headers than gunicorn's default 100 (a browser sends
# about 15; headers are the only thing a client can pile up before the application sees the request).
limit_request_line = 8190
limit_request_fields = 50
limit_request_field_size = 8190
# The workers' heartbeat file in memory: on a slow or busy disk, a late heartbeat would get a healthy worker
# killed by the timeout above (gunicorn's documentation advises it in containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No max_requests: a recycled worker would rebuild the search index (seconds at 100,000 courses, ADR 0011)
# from the master's copy if the data changed since start-up, in the middle of the traffic.


def when_ready(server):
    """In the master, after the application is loaded and before the workers are forked."""
    from django.db import DatabaseError, connections

    from cartolangue.search.checks import check_data_version_watch
    from cartolangue.search.live import warm_up

    for message in check_data_version_watch():  # a search that would not see the writes to some tables
        server.log.error("%s: %s %s", message.id, message.msg, message.hint)
    _load_what_requests_load_lazily()
    start = time.perf_counter()
    try:
        index = warm_up()
    except DatabaseError as error:  # not migrated yet, say: the workers will build the index when asked
        server.log.warning("Search index not built at start-up (%s): the first searches will build it", error)
    else:
        server.log.info("Search index ready: %d courses in %.1f s", index.size, time.perf_counter() - start)
    finally:
        connections.close_all()  # a connection must not be shared by the forked workers


def _load_what_requests_load_lazily() -> None:
    """The URL modules (hence the PDF stack and the API's schemas: about 2 s), every language's translation
    catalogue and table of URL names, loaded in the master: Django loads them at a process's first request, and
    each worker would otherwise hold its first requests that long after every start (a stall in the first
    seconds' p95)."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 (the property imports every URL module)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Chercher des cours")
            resolver.reverse_dict  # noqa: B018 (the property builds the language's table for `reverse`)
