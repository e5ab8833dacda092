"""The change log: which courses (or places) each write touched, so that a process brings its search index up
to date with the changed courses alone (cartolangue/search/live.py). The triggers that fill it are declared in
cartolangue/search/watch.py and installed once the table exists (here, and after every `migrate`)."""

from django.db import migrations, models

from cartolangue.search import watch


def install(apps, schema_editor):
    watch.install_watch(schema_editor.connection, apps)


def remove(apps, schema_editor):
    # The watch's triggers write to the table about to be dropped; the next `migrate` installs what the
    # migrated schema can hold.
    watch.remove_watch(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_watch_zones"),
    ]

    operations = [
        migrations.CreateModel(
            name="Change",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=16, verbose_name="nature")),
                ("row_id", models.BigIntegerField(null=True, verbose_name="identifiant")),
                ("token", models.CharField(max_length=64, verbose_name="jeton")),
            ],
            options={
                "verbose_name": "écriture notée",
                "verbose_name_plural": "écritures notées",
                "db_table": "search_change",
            },
        ),
        migrations.RunPython(install, remove),
    ]
