"""Database helpers shared by the bulk loaders."""

from django.db import connection


def analyse_tables(*models):
    """Refresh the planner's statistics after a bulk write (PostgreSQL plans blind until autovacuum runs)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def insert_rows(model, columns, rows, batch_size=5000):
    """Insert plain tuples, without model instances: for child rows by the hundred thousand (demo data,
    imports). COPY on PostgreSQL, batched executemany elsewhere; errors are Django's (IntegrityError…).

    The first column is a foreign key given as the (saved) parent object or its primary key; values of other
    types than int and str go through the field's own database preparation, as the ORM would.
    """
    fields = [model._meta.get_field(c) for c in columns]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    preparers = [
        (i, f)
        for i, f in enumerate(fields)
        if i > 0
        and f.get_internal_type()
        not in (
            "CharField",
            "SlugField",
            "IntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "ForeignKey",
        )
    ]

    def prepare(row):
        values = [getattr(row[0], "pk", row[0]), *row[1:]]
        for i, f in preparers:
            values[i] = f.get_db_prep_save(values[i], connection)
        return values

    with connection.wrap_database_errors, connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command, several times faster than INSERT batches.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(prepare(row))
            return
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, [prepare(r) for r in rows[start : start + batch_size]])
