"""The zonings (bassins d'emploi, zones d'emploi…) join the data the search reads through its memoised
lookups (a zone by its code, the communes of a zone): their tables renew the data-version token too. They are
declared in cartolangue/search/watch.py with the other watched tables; this step installs the watch as it is
declared (again, idempotently) for databases migrated before they were."""

from django.db import migrations

from cartolangue.search import watch


def install(apps, schema_editor):
    watch.install_watch(schema_editor.connection, apps)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_dataversion"),
        ("geo", "0002_commune_search_name"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
