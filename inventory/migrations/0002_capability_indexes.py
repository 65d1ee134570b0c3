"""PostgreSQL indexes that serve the capability and substring filters on large inventories.

* The capability filter compiles to ``string_to_array(capabilities, ',') @> ARRAY[...]``; a GIN
  index on that expression makes it an index scan instead of a scan of every row.
* Substring filters (``name``, ``q``) compile to ``UPPER(col::text) LIKE UPPER('%…%')``;
  trigram GIN indexes on that expression serve them when the ``pg_trgm`` extension can be
  created (it is a trusted extension: the database owner may create it).

Other databases have no such index types and skip this migration's SQL.
"""

from django.db import migrations, transaction

from inventory.trigram import create_trigram_indexes, drop_trigram_indexes

CAPABILITY_TABLES = ("model_registry", "available_model_registry")
TRIGRAM_COLUMNS = (
    ("model_registry", "name"),
    ("model_registry", "model_path"),
    ("available_model_registry", "name"),
    ("available_model_registry", "label"),
)


def _trigram_available(schema_editor) -> bool:
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:
        return False
    return True


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in CAPABILITY_TABLES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_capabilities_gin" '
            f"ON \"{table}\" USING gin (string_to_array(capabilities, ','))"
        )
    if _trigram_available(schema_editor):
        create_trigram_indexes(schema_editor, TRIGRAM_COLUMNS)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in CAPABILITY_TABLES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_capabilities_gin"')
    drop_trigram_indexes(schema_editor, TRIGRAM_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
