"""gunicorn settings, for production and the benchmark: `gunicorn -c config/gunicorn.py config.wsgi`.

The application is loaded, and the search index built (`cartolangue.search.index.warm_up`), in the master
process before it forks the workers: they start with the index in memory, shared copy-on-write, instead of
each building it at its first searches (4 s at 100,000 courses). See docs/adr/0011-web-stack.md.
Environment: GUNICORN_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, default 2)."""

import os
import time

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
preload_app = True


def when_ready(server):
    """In the master, after the application is loaded and before the workers are forked."""
    from django.db import DatabaseError, connections

    from cartolangue.search.checks import check_data_version_watch
    from cartolangue.search.live import warm_up

    for message in check_data_version_watch():  # a search that would not see the writes to some tables
        server.log.error("%s: %s %s", message.id, message.msg, message.hint)
    start = time.perf_counter()
    try:
        index = warm_up()
    except DatabaseError as error:  # not migrated yet, say: the workers will build the index when asked
        server.log.warning("Search index not built at start-up (%s): the first searches will build it", error)
    else:
        server.log.info("Search index ready: %d courses in %.1f s", index.size, time.perf_counter() - start)
    finally:
        connections.close_all()  # a connection must not be shared by the forked workers
