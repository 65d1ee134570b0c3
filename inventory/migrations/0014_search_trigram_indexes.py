"""Trigram GIN indexes on the other columns the quick search ``q`` (and so the global search)
reads, on the expression it compiles to on PostgreSQL: ``UPPER(col::text) LIKE
UPPER('%…%')``. With every searched column indexed, a search matching few rows ORs index
scans instead of reading the table. The index SQL does nothing on other databases."""

from django.db import migrations

from inventory.postgres_indexes import create_trigram_indexes, drop_indexes, trigram_indexes

SEARCHED_COLUMNS = (
    ("engine_registry", "provider"),
    ("available_model_registry", "family"),
    ("available_model_registry", "tags"),
    ("available_model_registry", "catalog_model_id"),
    ("available_model_registry", "storage_ref"),
    ("available_model_registry", "remote_url"),
    ("model_registry", "remote_url"),
)


def create(apps, schema_editor):
    create_trigram_indexes(schema_editor, SEARCHED_COLUMNS)


def drop(apps, schema_editor):
    drop_indexes(schema_editor, trigram_indexes(SEARCHED_COLUMNS))


class Migration(migrations.Migration):
    dependencies = [("inventory", "0013b_name_trigram_indexes")]

    operations = [migrations.RunPython(create, drop)]
