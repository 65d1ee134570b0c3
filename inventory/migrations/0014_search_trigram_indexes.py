"""Trigram GIN indexes on the other columns the quick search ``q`` (and so the global search)
reads, on the expression it compiles to on PostgreSQL: ``UPPER(col::text) LIKE
UPPER('%…%')``. With every searched column indexed, a search matching few rows ORs index
scans instead of reading the table. ``TrigramExtension`` and the index SQL do nothing on
other databases."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

SEARCHED_COLUMNS = (
    ("engine_registry", "provider"),
    ("available_model_registry", "family"),
    ("available_model_registry", "tags"),
    ("available_model_registry", "catalog_model_id"),
    ("available_model_registry", "storage_ref"),
    ("available_model_registry", "remote_url"),
    ("model_registry", "remote_url"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" '
            f'ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')


class Migration(migrations.Migration):
    dependencies = [("inventory", "0012_status_capabilities_index")]

    operations = [TrigramExtension(), migrations.RunPython(create_indexes, drop_indexes)]
