"""Trigram GIN indexes on the expression the ``name`` substring filter of the three lists
compiles to on PostgreSQL, ``UPPER(name::text) LIKE UPPER('%…%')``, so that a name filter
matching few rows reads those rows only (engines were missing one). ``TrigramExtension`` and
the index SQL do nothing on other databases."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

NAME_TABLES = ("engine_registry", "available_model_registry", "model_registry")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in NAME_TABLES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_name_trgm" '
            f'ON "{table}" USING gin (UPPER("name"::text) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "engine_registry_name_trgm"')


class Migration(migrations.Migration):
    dependencies = [("inventory", "0013_registered_model_counts")]

    operations = [TrigramExtension(), migrations.RunPython(create_indexes, drop_indexes)]
