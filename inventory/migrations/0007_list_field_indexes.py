"""PostgreSQL GIN indexes that serve the whole-token filters on the catalog's free lists
(``tags``, ``extended_capabilities``, ``interfaces``), as ``0002`` does for capabilities: the
filter compiles to ``string_to_array(col, ',') @> ARRAY[...]``, an index scan on this
expression instead of a scan of every row. Other databases skip this migration's SQL."""

from django.db import migrations

TABLE = "available_model_registry"
COLUMNS = ("tags", "extended_capabilities", "interfaces")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{TABLE}_{column}_gin" '
            f"ON \"{TABLE}\" USING gin (string_to_array({column}, ','))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{TABLE}_{column}_gin"')


class Migration(migrations.Migration):
    dependencies = [("inventory", "0010b_engine_need_index")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
