"""PostgreSQL GIN indexes that serve the whole-token filters on the catalog's free lists
(``tags``, ``extended_capabilities``, ``interfaces``), as ``0002`` does for capabilities: the
filter compiles to ``string_to_array(col, ',') @> ARRAY[...]``, an index scan on this
expression instead of a scan of every row. Other databases skip this migration's SQL."""

from django.db import migrations

from inventory.postgres_indexes import create_indexes, drop_indexes, token_index

TABLE = "available_model_registry"
INDEXES = [token_index(TABLE, column) for column in ("tags", "extended_capabilities", "interfaces")]


def create(apps, schema_editor):
    create_indexes(schema_editor, INDEXES)


def drop(apps, schema_editor):
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0010b_engine_need_index")]

    operations = [migrations.RunPython(create, drop)]
