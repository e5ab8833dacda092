"""The watch: the database triggers that keep the search exact. On every write to a table the search reads they
renew the data-version token (search/version.py), and for the courses they log *which* rows changed
(`search_change`), so that each process can bring its index up to date with a small index of the changed
courses instead of rebuilding it whole (search/live.py, docs/adr/0018-live-index.md). Declared here, once; made
equal to this declaration after every `migrate`.

Why after every `migrate` (a `post_migrate` handler) and not only in a migration: on SQLite, Django applies
many schema changes by rebuilding the table (create a copy, drop the old one), and dropping a table drops its
triggers. A migration written years later would silently switch the watch off, and the in-memory search
index would then serve deleted or outdated courses. `install_watch` compares the triggers the database has
with the ones declared here (the exact SQL on SQLite; table, events, level, function, arguments, transition
tables and enabled state on PostgreSQL), creates what is missing, replaces what differs, drops what is no
longer declared, and renews the token, with a "rebuild everything" mark in the log, when it changed
anything (a write may have gone unseen in between). Running it again changes nothing. The system check
`search.W001` (search/checks.py) names the tables whose watch is incomplete. See
docs/adr/0013-freshness-watch.md.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db.backends.base.base import BaseDatabaseWrapper

TOKEN_ONLY, ALL, COURSE, PLACE, STRUCTURE = "", "all", "course", "place", "structure"


@dataclass(frozen=True)
class Watched:
    """A table the search reads, and what a write to it logs: nothing but a new token (the search reads it
    through lookups memoised per token), "all" (rebuild every index: a referential), or the id of the course,
    place or structure each written row belongs to (`column`)."""

    app: str
    model: str
    logs: str = TOKEN_ONLY
    column: str = "id"
    many_to_many: str = ""  # the table of this many-to-many field of the model, rather than the model's


WATCHED: tuple[Watched, ...] = (
    Watched("offers", "Course", COURSE, "id"),
    Watched("offers", "CourseAudience", COURSE, "course_id"),
    Watched("offers", "CourseSchooling", COURSE, "course_id"),
    Watched("offers", "CourseFunder", COURSE, "course_id"),
    Watched("offers", "TimeSlot", COURSE, "course_id"),
    Watched("offers", "Session", COURSE, "course_id"),
    Watched("offers", "Course", COURSE, "course_id", many_to_many="certifications"),
    Watched("offers", "Place", PLACE, "id"),
    Watched("offers", "Certification", ALL),
    Watched("geo", "Commune", ALL),
    Watched("geo", "Departement", ALL),
    Watched("offers", "Structure", STRUCTURE, "id"),  # shown on the cards of its courses
    Watched("offers", "ExamSession"),
    Watched("geo", "Zoning"),
    Watched("geo", "Zone"),
    Watched("geo", "ZoneMembership"),
    Watched("geo", "Qpv", ALL),  # the QPV filter's distances (search/filters.py)
    Watched("actors", "Actor"),  # the directory's search (search/actors.py)
    Watched("actors", "Actor", many_to_many="covered_communes"),
)

TRIGGER_PREFIX = "search_dv_"
TOKEN_TABLE = "search_dataversion"
CHANGE_TABLE = "search_change"
# Imports (version.renewed_once) switch the row log off for their transaction and log one "all" instead.
PG_LOG_SETTING = "cartolangue.search_log"
SQLITE_RENEW = "UPDATE search_dataversion SET token = lower(hex(randomblob(16))) WHERE id = 1"
PG_RENEW = "UPDATE search_dataversion SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1"
PG_FUNCTIONS = {
    "search_dataversion_renew": f" BEGIN {PG_RENEW}; RETURN NULL; END ",
    # Arguments: the kind logged (course, place, all) and the column holding the logged id. The token is
    # renewed first: its row lock orders the writers, so log ids grow in the order transactions commit.
    "search_change_log": (
        " DECLARE new_token text; BEGIN"
        f" {PG_RENEW} RETURNING token INTO new_token;"
        " IF new_token IS NULL THEN RETURN NULL; END IF;"  # no token row (a test emptied it): nothing to log
        " IF TG_ARGV[0] = 'all' OR TG_OP = 'TRUNCATE' THEN"
        " INSERT INTO search_change (kind, row_id, token) VALUES ('all', NULL, new_token);"
        f" ELSIF current_setting('{PG_LOG_SETTING}', true) IS DISTINCT FROM 'off' THEN"
        " IF TG_OP IN ('INSERT', 'UPDATE') THEN EXECUTE format('INSERT INTO search_change (kind, row_id, token)"
        " SELECT DISTINCT %L, %I, $1 FROM new_rows', TG_ARGV[0], TG_ARGV[1]) USING new_token; END IF;"
        " IF TG_OP IN ('UPDATE', 'DELETE') THEN EXECUTE format('INSERT INTO search_change (kind, row_id, token)"
        " SELECT DISTINCT %L, %I, $1 FROM old_rows', TG_ARGV[0], TG_ARGV[1]) USING new_token; END IF;"
        " END IF; RETURN NULL; END "
    ),
}
# pg_trigger.tgtype bits (PostgreSQL's catalog/pg_trigger.h): row 1, before 2, insert 4, delete 8, update 16,
# truncate 32; none of row and before: AFTER … FOR EACH STATEMENT.
PG_INSERT, PG_DELETE, PG_UPDATE, PG_TRUNCATE = 4, 8, 16, 32


@dataclass(frozen=True)
class Trigger:
    table: str
    definition: str  # as the catalog gives it back, to compare (SQLite: the statement itself)
    create: str


def watched_tables(apps: Apps = global_apps) -> list[tuple[str, Watched]]:
    """(table, declaration) of the watched tables known to `apps`: the project's models, or a migration's
    historical state, where a model may not exist yet."""
    out: dict[str, Watched] = {}
    for watched in WATCHED:
        try:
            model = apps.get_model(watched.app, watched.model)
        except LookupError:
            continue
        if watched.many_to_many:
            model = model._meta.get_field(watched.many_to_many).remote_field.through
        out.setdefault(model._meta.db_table, watched)
    return list(out.items())


def _sqlite_log(watched: Watched, event: str) -> str:
    """What a row trigger of this table logs after the token's renewal."""
    if watched.logs == TOKEN_ONLY:
        return ""
    insert = f" INSERT INTO {CHANGE_TABLE} (kind, row_id, token) SELECT"
    if watched.logs == ALL:
        return f"{insert} 'all', NULL, token FROM {TOKEN_TABLE} WHERE id = 1;"
    column = watched.column

    def log(row: str, condition: str = "") -> str:
        return f"{insert} '{watched.logs}', {row}.{column}, token FROM {TOKEN_TABLE} WHERE id = 1{condition};"

    if event == "INSERT":
        return log("NEW")
    if event == "DELETE":
        return log("OLD")
    return log("NEW") + log("OLD", f" AND OLD.{column} IS NOT NEW.{column}")  # a row moved to another course


def _sqlite_triggers(connection: BaseDatabaseWrapper, tables: list[tuple[str, Watched]]) -> dict[str, Trigger]:
    """SQLite keeps the CREATE TRIGGER statement's text as it was run: it is the definition compared."""
    quote = connection.ops.quote_name
    triggers = {}
    for table, watched in tables:
        for suffix, event in (("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")):
            name = f"{TRIGGER_PREFIX}{table}_{suffix}"
            sql = (
                f"CREATE TRIGGER {quote(name)} AFTER {event} ON {quote(table)} "
                f"FOR EACH ROW BEGIN {SQLITE_RENEW};{_sqlite_log(watched, event)} END"
            )
            triggers[name] = Trigger(table, sql, sql)
    return triggers


def _pg_triggers(connection: BaseDatabaseWrapper, tables: list[tuple[str, Watched]]) -> dict[str, Trigger]:
    """Statement-level triggers: one per table for the token alone or "all"; for a logged table, one per
    event, each with the transition table(s) of its rows (PostgreSQL allows them on single-event triggers)."""
    quote = connection.ops.quote_name
    triggers = {}

    def add(name, table, tgtype, function, args, old, new):
        events = [e for bit, e in ((4, "INSERT"), (16, "UPDATE"), (8, "DELETE"), (32, "TRUNCATE")) if tgtype & bit]
        referencing = " ".join(
            part for part in (f"OLD TABLE AS {old}" if old else "", f"NEW TABLE AS {new}" if new else "") if part
        )
        arguments = ", ".join(f"'{a}'" for a in args)
        create = (
            f"CREATE TRIGGER {quote(name)} AFTER {' OR '.join(events)} ON {quote(table)} "
            f"{'REFERENCING ' + referencing + ' ' if referencing else ''}"
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}({arguments})"
        )
        definition = f"{tgtype}|{function}|{'|'.join(args)}|{old}|{new}|on"
        triggers[name] = Trigger(table, definition, create)

    for table, watched in tables:
        everything = PG_INSERT | PG_UPDATE | PG_DELETE | PG_TRUNCATE
        if watched.logs == TOKEN_ONLY:
            add(f"{TRIGGER_PREFIX}{table}", table, everything, "search_dataversion_renew", [], "", "")
        elif watched.logs == ALL:
            add(f"{TRIGGER_PREFIX}{table}", table, everything, "search_change_log", ["all", ""], "", "")
        else:
            args = [watched.logs, watched.column]
            add(f"{TRIGGER_PREFIX}{table}_ins", table, PG_INSERT, "search_change_log", args, "", "new_rows")
            add(f"{TRIGGER_PREFIX}{table}_upd", table, PG_UPDATE, "search_change_log", args, "old_rows", "new_rows")
            add(f"{TRIGGER_PREFIX}{table}_del", table, PG_DELETE, "search_change_log", args, "old_rows", "")
            add(f"{TRIGGER_PREFIX}{table}_trunc", table, PG_TRUNCATE, "search_change_log", ["all", ""], "", "")
    return triggers


def _expected(connection: BaseDatabaseWrapper, tables: list[tuple[str, Watched]]) -> dict[str, Trigger]:
    if connection.vendor == "sqlite":
        return _sqlite_triggers(connection, tables)
    if connection.vendor == "postgresql":
        return _pg_triggers(connection, tables)
    raise RuntimeError(f"Carto-Langue supports SQLite and PostgreSQL; no data-version watch for {connection.vendor}")


def _installed(connection: BaseDatabaseWrapper) -> dict[str, tuple[str, str]]:
    """name → (table, definition) of the watch triggers the database has, in the form `_expected` gives."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER_PREFIX}%"],
            )
            return {name: (table, sql) for name, table, sql in cursor.fetchall()}
        # What makes the trigger do its job: its table, events and level, function and arguments, transition
        # tables, and whether it is enabled ('D': disabled by ALTER TABLE … DISABLE TRIGGER).
        cursor.execute(
            "SELECT t.tgname, c.relname, t.tgtype, p.proname, encode(t.tgargs, 'escape'), "
            "coalesce(t.tgoldtable, ''), coalesce(t.tgnewtable, ''), t.tgenabled FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE %s AND pg_table_is_visible(c.oid)",
            [f"{TRIGGER_PREFIX}%"],
        )
        installed = {}
        for name, table, tgtype, function, args, old, new, enabled in cursor.fetchall():
            arguments = "|".join(args.split("\\000")[:-1]) if args else ""
            state = "off" if enabled == "D" else "on"
            installed[name] = (table, f"{tgtype}|{function}|{arguments}|{old}|{new}|{state}")
        return installed


def _pg_functions_current(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(%s)", [list(PG_FUNCTIONS)])
        return dict(cursor.fetchall()) == PG_FUNCTIONS


def _ready(connection: BaseDatabaseWrapper) -> bool:
    """The search app's tables exist (not before its migrations have run)."""
    present = set(connection.introspection.table_names())
    return TOKEN_TABLE in present and CHANGE_TABLE in present


def _existing(connection: BaseDatabaseWrapper, apps: Apps) -> list[tuple[str, Watched]]:
    present = set(connection.introspection.table_names())
    return [(table, watched) for table, watched in watched_tables(apps) if table in present]


def missing_watch(connection: BaseDatabaseWrapper, apps: Apps = global_apps) -> list[str]:
    """The watched tables (existing in the database) whose triggers are missing, altered or disabled; every
    table when the search's own tables or PostgreSQL's trigger functions are. Empty when the watch is
    complete."""
    tables = _existing(connection, apps)
    if not _ready(connection) or (connection.vendor == "postgresql" and not _pg_functions_current(connection)):
        return sorted(table for table, _watched in tables)
    installed = _installed(connection)
    expected = _expected(connection, tables)
    return sorted({t.table for name, t in expected.items() if installed.get(name) != (t.table, t.definition)})


def install_watch(connection: BaseDatabaseWrapper, apps: Apps = global_apps) -> list[str]:
    """Make the database's watch equal to the declaration, for the watched tables that exist, and make sure
    the token row exists. Returns the tables whose triggers were (re-)created; if any, renews the token and
    logs "all" (every process rebuilds its index)."""
    if not _ready(connection):
        return []  # the search app is not migrated yet: its migrations and the next `migrate` call this again
    tables = _existing(connection, apps)
    quote = connection.ops.quote_name
    repaired = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not _pg_functions_current(connection):
            for name, body in PG_FUNCTIONS.items():
                cursor.execute(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
        expected = _expected(connection, tables)
        installed = _installed(connection)
        for name, (table, definition) in installed.items():
            if name not in expected or (expected[name].table, expected[name].definition) != (table, definition):
                on = "" if connection.vendor == "sqlite" else f" ON {quote(table)}"
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}{on}")
        for name, trigger in expected.items():
            if installed.get(name) != (trigger.table, trigger.definition):
                cursor.execute(trigger.create)
                repaired.add(trigger.table)
        cursor.execute(f"SELECT count(*) FROM {TOKEN_TABLE} WHERE id = 1")
        token = secrets.token_hex(16)
        if cursor.fetchone()[0] == 0:
            cursor.execute(f"INSERT INTO {TOKEN_TABLE} (id, token) VALUES (1, %s)", [token])
        elif repaired:
            cursor.execute(f"UPDATE {TOKEN_TABLE} SET token = %s WHERE id = 1", [token])
            cursor.execute(f"INSERT INTO {CHANGE_TABLE} (kind, row_id, token) VALUES ('all', NULL, %s)", [token])
    return sorted(repaired)


def remove_watch(connection: BaseDatabaseWrapper) -> None:
    """Drop every watch trigger (and PostgreSQL's functions): the reverse of the search app's migrations."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, (table, _definition) in _installed(connection).items():
            on = "" if connection.vendor == "sqlite" else f" ON {quote(table)}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}{on}")
        if connection.vendor == "postgresql":
            for name in PG_FUNCTIONS:
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def install_watch_after_migrate(sender: AppConfig, *, using: str, apps: Apps | None = None, **kwargs: Any) -> None:
    """`post_migrate` receiver: after any `migrate` (and `flush`), whatever its migrations rebuilt."""
    from django.db import connections

    install_watch(connections[using], apps or global_apps)
