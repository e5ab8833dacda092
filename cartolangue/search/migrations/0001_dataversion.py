"""The data-version token: one row that triggers renew on every write to the tables the search reads.

Why triggers and why a random token: see cartolangue/search/version.py. SQLite has only row-level
triggers (one per table and event); PostgreSQL gets one function and one statement-level trigger per table,
which also fires on TRUNCATE.
"""

import secrets

from django.db import migrations, models

# (app, model) whose rows the search reads, directly or through a join; plus Course.certifications' table.
WATCHED_MODELS = [
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
]

SQLITE_EVENTS = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}
PG_FUNCTION = "search_dataversion_renew"


def watched_tables(apps):
    tables = [apps.get_model(app, name)._meta.db_table for app, name in WATCHED_MODELS]
    course = apps.get_model("offers", "Course")
    tables.append(course._meta.get_field("certifications").remote_field.through._meta.db_table)
    return tables


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    apps.get_model("search", "DataVersion").objects.using(connection.alias).create(id=1, token=secrets.token_hex(16))
    if connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE search_dataversion SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1; "
            "RETURN NULL; "
            "END $$"
        )
    add_triggers(schema_editor, watched_tables(apps))


def add_triggers(schema_editor, tables):
    """The triggers that renew the token on every write to these tables (also used by later migrations)."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        for table in tables:
            for suffix, event in SQLITE_EVENTS.items():
                schema_editor.execute(
                    f"CREATE TRIGGER {quote(f'search_dv_{table}_{suffix}')} AFTER {event} ON {quote(table)} "
                    "FOR EACH ROW BEGIN "
                    "UPDATE search_dataversion SET token = lower(hex(randomblob(16))) WHERE id = 1; "
                    "END"
                )
    elif connection.vendor == "postgresql":
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {quote(f'search_dv_{table}')} "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )
    else:
        raise RuntimeError(f"Carto-Langue supports SQLite and PostgreSQL; no data-version triggers for {connection.vendor}")


def remove_triggers(schema_editor, tables):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        for table in tables:
            for suffix in SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(f'search_dv_{table}_{suffix}')}")
    elif connection.vendor == "postgresql":
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(f'search_dv_{table}')} ON {quote(table)}")


def drop_triggers(apps, schema_editor):
    remove_triggers(schema_editor, watched_tables(apps))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    # The row goes with the table, dropped by the reversed CreateModel.


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("offers", "0005_course_cost_unknown"),
        ("geo", "0002_commune_search_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=64, verbose_name="jeton")),
            ],
            options={
                "verbose_name": "version des données",
                "verbose_name_plural": "versions des données",
                "db_table": "search_dataversion",
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="dataversion_single_row")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
