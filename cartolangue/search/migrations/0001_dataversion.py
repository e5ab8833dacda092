"""The data-version token: one row that triggers renew on every write to the tables the search reads.

Why triggers and why a random token: see cartolangue/search/version.py. Which tables and which triggers:
cartolangue/search/watch.py, which also re-installs them after every later `migrate` (a table rebuilt by a
migration loses its triggers on SQLite).
"""

from django.db import migrations, models

from cartolangue.search import watch


def create_watch(apps, schema_editor):
    watch.install_watch(schema_editor.connection, apps)


def drop_watch(apps, schema_editor):
    watch.remove_watch(schema_editor.connection)
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
        migrations.RunPython(create_watch, drop_watch),
    ]
