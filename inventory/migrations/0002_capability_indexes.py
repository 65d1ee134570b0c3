"""PostgreSQL expression indexes that serve the whole-token capability filter.

The filter compiles to ``string_to_array(capabilities, ',') @> ARRAY[...]`` on PostgreSQL;
these GIN indexes make it an index scan instead of a scan of every row. Other databases
have no such index type and skip this migration's SQL.
"""

from django.db import migrations

TABLES = ("model_registry", "available_model_registry")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_capabilities_gin" '
            f"ON \"{table}\" USING gin (string_to_array(capabilities, ','))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_capabilities_gin"')


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
