"""Database helpers shared by the bulk loaders."""

from contextlib import contextmanager
from datetime import date, datetime

from django.conf import settings
from django.db import connection


def analyse_tables(*models, columns=()):
    """Refresh the planner's statistics after a bulk write (PostgreSQL plans blind until autovacuum runs);
    only those of the given columns, if any (much cheaper on wide tables)."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        only = f" ({', '.join(quote(c) for c in columns)})" if columns else ""
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {quote(model._meta.db_table)}{only}")


@contextmanager
def constraints_checked_at_once():
    """On PostgreSQL, for a bulk write inside a transaction: foreign keys checked row by row as they are
    written, instead of all at commit. Django declares them DEFERRABLE INITIALLY DEFERRED, so an import
    would queue about a dozen checks per LHEO action and run them all at commit, alone, after everything else
    (docs/bench/import-throughput-2026-11.md). Checked as they come, they run beside the file's reading, and a
    missing parent is refused in the batch that writes it, so the batch is replayed record by record and the
    culprit named, instead of failing the commit. Deferred again after: this project's only deferrable
    constraints are Django's foreign keys, all initially deferred. On an error, the transaction rolls back,
    and the setting with it."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# Values of these field types go to the database as they are (strings, numbers, booleans, ids).
PLAIN_TYPES = {
    "CharField",
    "TextField",
    "SlugField",
    "URLField",
    "EmailField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "FloatField",
    "ForeignKey",
}


def insert_rows(model, columns, rows, batch_size=5000):
    """Insert plain tuples, without model instances: for child rows by the hundred thousand (demo data,
    imports). COPY on PostgreSQL, batched executemany elsewhere; errors are Django's (IntegrityError…).

    A foreign key is given as the (saved) related object or its primary key; values of other types than the
    plain ones go through the field's own database preparation, as the ORM would, once per distinct value
    (bulk rows repeat the same few dates and times).
    """
    fields = [model._meta.get_field(c) for c in columns]
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    keys = [i for i, f in enumerate(fields) if f.get_internal_type() == "ForeignKey"]
    preparers = [(i, _preparer(f)) for i, f in enumerate(fields) if f.get_internal_type() not in PLAIN_TYPES]

    with connection.wrap_database_errors, connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command, several times faster than INSERT batches.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in _prepared(rows, keys, preparers):
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, _prepared(rows[start : start + batch_size], keys, preparers))


def _prepared(rows, keys, preparers):
    """The rows with their foreign keys as ids and their other values prepared, column by column (a loop per
    column needing it, rather than a function call per row)."""
    if not rows or not (keys or preparers):
        return rows
    columns = list(zip(*rows, strict=True))
    for i in keys:
        columns[i] = [v if v.__class__ is int else getattr(v, "pk", v) for v in columns[i]]
    for i, prepare_value in preparers:
        columns[i] = [None if v is None else prepare_value(v) for v in columns[i]]
    return list(zip(*columns, strict=True))


def _preparer(field):
    """The field's database preparation of a value, memoised per distinct value."""
    memo = {}
    kind = field.get_internal_type()
    ops = connection.ops
    if connection.vendor == "sqlite" and settings.USE_TZ:
        utc = connection.timezone  # SQLite stores an aware datetime as its naive text in the connection's zone
        adapt_datetime = lambda value: str(value.astimezone(utc).replace(tzinfo=None))  # noqa: E731
    else:
        adapt_datetime = ops.adapt_datetimefield_value

    def prepare(value):
        if kind == "DateTimeField" and getattr(value, "fold", 0):
            # The second 02:30 of a change to winter time equals the first one in its own zone (PEP 495):
            # a memo would give it the first one's UTC text.
            return adapt_datetime(value) if value.tzinfo is not None else field.get_db_prep_save(value, connection)
        try:
            return memo[value]  # a batch repeats its dates, times, decimals and its own creation stamp
        except KeyError:
            # What get_db_prep_save comes down to for an aware datetime or a plain date: the backend's
            # adaptation (on SQLite what `adapt_datetimefield_value` does, without its settings and time zone
            # look-ups each time).
            if kind == "DateTimeField" and isinstance(value, datetime) and value.tzinfo is not None:
                prepared = adapt_datetime(value)
            elif kind == "DateField" and type(value) is date:
                prepared = ops.adapt_datefield_value(value)
            else:
                prepared = field.get_db_prep_save(value, connection)
            if len(memo) >= 10_000:
                memo.clear()
            memo[value] = prepared
            return prepared
        except TypeError:  # unhashable (JSON)
            return field.get_db_prep_save(value, connection)

    return prepare
