"""PostgreSQL indexes that serve the capability and substring filters on large inventories.

* The capability filter compiles to ``string_to_array(capabilities, ',') @> ARRAY[...]``; a GIN
  index on that expression makes it an index scan instead of a scan of every row.
* Substring filters (``name``, ``q``) compile to ``UPPER(col::text) LIKE UPPER('%…%')``;
  trigram GIN indexes on that expression serve them when the ``pg_trgm`` extension can be
  created (it is a trusted extension: the database owner may create it).

Other databases have no such index types and skip this migration's SQL.
"""

from django.db import migrations

from inventory.postgres_indexes import (
    create_indexes,
    create_trigram_indexes,
    drop_indexes,
    token_index,
    trigram_indexes,
)

CAPABILITY_TABLES = ("model_registry", "available_model_registry")
TRIGRAM_COLUMNS = (
    ("model_registry", "name"),
    ("model_registry", "model_path"),
    ("available_model_registry", "name"),
    ("available_model_registry", "label"),
)


CAPABILITY_INDEXES = [token_index(table, "capabilities") for table in CAPABILITY_TABLES]


def create(apps, schema_editor):
    create_indexes(schema_editor, CAPABILITY_INDEXES)
    create_trigram_indexes(schema_editor, TRIGRAM_COLUMNS)


def drop(apps, schema_editor):
    drop_indexes(schema_editor, [*CAPABILITY_INDEXES, *trigram_indexes(TRIGRAM_COLUMNS)])


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
