"""System check: the database's data-version watch is complete (cartolangue/search/watch.py).

A watched table without its triggers lets the search index serve deleted or changed courses as they were. The
check runs with `manage.py check`, `runserver` and the gunicorn master's start-up (config/gunicorn.py). It is
a warning, not an error: `migrate`, which runs the checks first, is what repairs the watch, and must not be
refused. A database that cannot be reached or is not migrated yet is not reported here.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from cartolangue.search.watch import TOKEN_TABLE, missing_watch


@checks.register("search")
def check_data_version_watch(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    for alias in databases or [DEFAULT_DB_ALIAS]:
        connection = connections[alias]
        try:
            if TOKEN_TABLE not in connection.introspection.table_names():
                continue
            tables = missing_watch(connection)
        except DatabaseError:
            continue
        if tables:
            messages.append(
                checks.Warning(
                    f"La base « {alias} » ne signale plus à la recherche les écritures dans : {', '.join(tables)}. "
                    "La recherche peut montrer des cours supprimés ou modifiés tels qu'ils étaient.",
                    hint="Lancez « manage.py migrate » : il réinstalle les déclencheurs (search/watch.py).",
                    id="search.W001",
                )
            )
    return messages
