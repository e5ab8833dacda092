"""The watch: the database triggers that renew the data-version token (search/version.py) on every write to
the tables the search reads. Declared here, once; made equal to this declaration after every `migrate`.

Why after every `migrate` (a `post_migrate` handler) and not only in a migration: on SQLite, Django applies
many schema changes by rebuilding the table (create a copy, drop the old one), and dropping a table drops its
triggers. A migration written years later would silently switch the watch off, and the in-memory search
index would then serve deleted or outdated courses. `install_watch` compares the triggers the database has
with the ones declared here (the exact SQL on SQLite; table, events, level, function and enabled state on
PostgreSQL), creates what is missing, replaces what differs, drops what is no longer declared, and renews the
token when it changed anything (a write may have gone unseen in between). Running it again changes nothing.
The system check `search.W001` (search/checks.py) names the tables whose watch is incomplete.
See docs/adr/0013-freshness-watch.md.
"""

import secrets
from collections.abc import Iterable

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db.backends.base.base import BaseDatabaseWrapper

# (app, model) whose rows the search reads, directly or through a join or a memoised lookup; the
# many-to-many tables of these models are watched too (Course.certifications).
WATCHED_MODELS: tuple[tuple[str, str], ...] = (
    ("offers", "Structure"),
    ("offers", "Place"),
    ("offers", "Course"),
    ("offers", "CourseAudience"),
    ("offers", "CourseSchooling"),
    ("offers", "CourseFunder"),
    ("offers", "TimeSlot"),
    ("offers", "Session"),
    ("offers", "Certification"),
    ("offers", "ExamSession"),
    ("geo", "Commune"),
    ("geo", "Departement"),
    ("geo", "Zoning"),
    ("geo", "Zone"),
    ("geo", "ZoneMembership"),
)

TRIGGER_PREFIX = "search_dv_"
TOKEN_TABLE = "search_dataversion"
PG_FUNCTION = "search_dataversion_renew"
PG_FUNCTION_BODY = (
    " BEGIN UPDATE search_dataversion SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1;"
    " RETURN NULL; END "
)
SQLITE_RENEW = "UPDATE search_dataversion SET token = lower(hex(randomblob(16))) WHERE id = 1"
SQLITE_EVENTS = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}
# pg_trigger.tgtype for AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE … FOR EACH STATEMENT (see PostgreSQL's
# catalog/pg_trigger.h: row 1, before 2, insert 4, delete 8, update 16, truncate 32).
PG_STATEMENT_TRIGGER_TYPE = 4 | 8 | 16 | 32


def watched_tables(apps: Apps = global_apps) -> list[str]:
    """The tables of the watched models (and of their many-to-many fields) known to `apps`: the project's
    models, or a migration's historical state, where a model may not exist yet."""
    tables = []
    for app_label, model_name in WATCHED_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        tables.append(model._meta.db_table)
        tables.extend(field.remote_field.through._meta.db_table for field in model._meta.local_many_to_many)
    return list(dict.fromkeys(tables))  # a through model may be watched in its own right (ZoneMembership)


def _sqlite_triggers(connection: BaseDatabaseWrapper, tables: Iterable[str]) -> dict[str, tuple[str, str]]:
    """name → (table, CREATE TRIGGER statement): SQLite keeps the statement's text as it was run."""
    quote = connection.ops.quote_name
    return {
        f"{TRIGGER_PREFIX}{table}_{suffix}": (
            table,
            f"CREATE TRIGGER {quote(f'{TRIGGER_PREFIX}{table}_{suffix}')} AFTER {event} ON {quote(table)} "
            f"FOR EACH ROW BEGIN {SQLITE_RENEW}; END",
        )
        for table in tables
        for suffix, event in SQLITE_EVENTS.items()
    }


def _pg_trigger_sql(connection: BaseDatabaseWrapper, name: str, table: str) -> str:
    quote = connection.ops.quote_name
    return (
        f"CREATE TRIGGER {quote(name)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
    )


def _existing_tables(connection: BaseDatabaseWrapper, tables: Iterable[str]) -> list[str]:
    present = set(connection.introspection.table_names())
    return [table for table in tables if table in present]


def _installed(connection: BaseDatabaseWrapper) -> dict[str, tuple[str, str]]:
    """name → (table, definition) of the watch triggers the database has, in the form `_expected` gives."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER_PREFIX}%"],
            )
            return {name: (table, sql) for name, table, sql in cursor.fetchall()}
        # Only what makes the trigger do its job: its table, its events and level, its function, and
        # whether it is enabled ('D': disabled by ALTER TABLE … DISABLE TRIGGER).
        cursor.execute(
            "SELECT t.tgname, c.relname, t.tgtype, p.proname, t.tgenabled FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE %s AND pg_table_is_visible(c.oid)",
            [f"{TRIGGER_PREFIX}%"],
        )
        return {
            name: (table, f"{tgtype}|{function}|{'off' if enabled == 'D' else 'on'}")
            for name, table, tgtype, function, enabled in cursor.fetchall()
        }


def _expected(connection: BaseDatabaseWrapper, tables: Iterable[str]) -> dict[str, tuple[str, str]]:
    if connection.vendor == "sqlite":
        return _sqlite_triggers(connection, tables)
    if connection.vendor == "postgresql":
        definition = f"{PG_STATEMENT_TRIGGER_TYPE}|{PG_FUNCTION}|on"
        return {f"{TRIGGER_PREFIX}{table}": (table, definition) for table in tables}
    raise RuntimeError(f"Carto-Langue supports SQLite and PostgreSQL; no data-version watch for {connection.vendor}")


def _pg_function_is_current(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [PG_FUNCTION])
        row = cursor.fetchone()
    return row is not None and row[0] == PG_FUNCTION_BODY


def missing_watch(connection: BaseDatabaseWrapper, apps: Apps = global_apps) -> list[str]:
    """The watched tables (existing in the database) whose triggers are missing, altered or disabled; every
    table when PostgreSQL's trigger function is. Empty when the watch is complete."""
    tables = _existing_tables(connection, watched_tables(apps))
    if connection.vendor == "postgresql" and not _pg_function_is_current(connection):
        return tables
    installed = _installed(connection)
    return sorted(
        {table for name, (table, sql) in _expected(connection, tables).items() if installed.get(name) != (table, sql)}
    )


def install_watch(connection: BaseDatabaseWrapper, apps: Apps = global_apps) -> list[str]:
    """Make the database's watch equal to the declaration, for the watched tables that exist, and make sure
    the token row exists. Returns the tables whose triggers were (re-)created; renews the token if any."""
    if TOKEN_TABLE not in connection.introspection.table_names():
        return []  # the search app is not migrated yet: its first migration calls this again
    tables = _existing_tables(connection, watched_tables(apps))
    quote = connection.ops.quote_name
    repaired = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not _pg_function_is_current(connection):
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
                f"AS $${PG_FUNCTION_BODY}$$"
            )
        expected = _expected(connection, tables)
        installed = _installed(connection)
        for name, (table, _definition) in installed.items():
            if expected.get(name) != installed[name]:
                on = "" if connection.vendor == "sqlite" else f" ON {quote(table)}"
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}{on}")
        for name, (table, definition) in expected.items():
            if installed.get(name) != (table, definition):
                sql = definition if connection.vendor == "sqlite" else _pg_trigger_sql(connection, name, table)
                cursor.execute(sql)
                repaired.add(table)
        cursor.execute(f"SELECT count(*) FROM {TOKEN_TABLE} WHERE id = 1")
        if cursor.fetchone()[0] == 0:
            cursor.execute(f"INSERT INTO {TOKEN_TABLE} (id, token) VALUES (1, %s)", [secrets.token_hex(16)])
        elif repaired:
            cursor.execute(f"UPDATE {TOKEN_TABLE} SET token = %s WHERE id = 1", [secrets.token_hex(16)])
    return sorted(repaired)


def remove_watch(connection: BaseDatabaseWrapper) -> None:
    """Drop every watch trigger (and PostgreSQL's function): the reverse of the search app's first
    migration."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, (table, _definition) in _installed(connection).items():
            on = "" if connection.vendor == "sqlite" else f" ON {quote(table)}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}{on}")
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")


def install_watch_after_migrate(sender, *, using: str, apps: Apps | None = None, **kwargs) -> None:
    """`post_migrate` receiver: after any `migrate` (and `flush`), whatever its migrations rebuilt."""
    from django.db import connections

    install_watch(connections[using], apps or global_apps)
