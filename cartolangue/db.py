"""Database helpers shared by the bulk loaders."""

from django.db import connection


def analyse_tables(*models):
    """Refresh the planner's statistics after a bulk write (PostgreSQL plans blind until autovacuum runs)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
