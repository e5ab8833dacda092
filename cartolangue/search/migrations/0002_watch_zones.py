"""The zonings (bassins d'emploi, zones d'emploi…) join the data the search reads through its memoised
lookups (a zone by its code, the communes of a zone): their tables renew the data-version token too."""

import importlib

from django.db import migrations

initial = importlib.import_module("cartolangue.search.migrations.0001_dataversion")

ZONE_MODELS = [("geo", "Zoning"), ("geo", "Zone"), ("geo", "ZoneMembership")]


def zone_tables(apps):
    return [apps.get_model(app, name)._meta.db_table for app, name in ZONE_MODELS]


def create_triggers(apps, schema_editor):
    initial.add_triggers(schema_editor, zone_tables(apps))


def drop_triggers(apps, schema_editor):
    initial.remove_triggers(schema_editor, zone_tables(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_dataversion"),
        ("geo", "0002_commune_search_name"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
