"""Database helpers shared by the bulk loaders."""

from datetime import date, datetime

from django.db import connection


def analyse_tables(*models):
    """Refresh the planner's statistics after a bulk write (PostgreSQL plans blind until autovacuum runs)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


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

    def prepare(row):
        values = list(row)
        for i in keys:
            values[i] = getattr(values[i], "pk", values[i])
        for i, prepare_value in preparers:
            if values[i] is not None:
                values[i] = prepare_value(values[i])
        return values

    with connection.wrap_database_errors, connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command, several times faster than INSERT batches.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepare(row))
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, [prepare(r) for r in rows[start : start + batch_size]])


def _preparer(field):
    """The field's database preparation of a value, memoised per distinct value."""
    memo = {}
    kind = field.get_internal_type()
    ops = connection.ops

    def prepare(value):
        # What get_db_prep_save comes down to for an aware datetime or a plain date: the backend's adaptation
        # (stamps are nearly all distinct: the memo would not help them).
        if kind == "DateTimeField" and isinstance(value, datetime) and value.tzinfo is not None:
            return ops.adapt_datetimefield_value(value)
        if kind == "DateField" and type(value) is date:
            return ops.adapt_datefield_value(value)
        try:
            return memo[value]
        except KeyError:
            if len(memo) >= 10_000:
                memo.clear()
            memo[value] = field.get_db_prep_save(value, connection)
            return memo[value]
        except TypeError:  # unhashable (JSON)
            return field.get_db_prep_save(value, connection)

    return prepare
