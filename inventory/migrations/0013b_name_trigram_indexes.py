"""Trigram GIN indexes on the expression the ``name`` substring filter of the three lists
compiles to on PostgreSQL, ``UPPER(name::text) LIKE UPPER('%…%')``, so that a name filter
matching few rows reads those rows only (engines were missing one). The index SQL does
nothing on other databases."""

from django.db import migrations

from inventory.postgres_indexes import create_trigram_indexes, drop_indexes, trigram_index

TABLES = ("engine_registry", "available_model_registry", "model_registry")


def create(apps, schema_editor):
    create_trigram_indexes(schema_editor, [(table, "name") for table in TABLES])


def drop(apps, schema_editor):
    # Only the engines' index is this migration's own; ``0002`` made the other two.
    drop_indexes(schema_editor, [trigram_index("engine_registry", "name")])


class Migration(migrations.Migration):
    dependencies = [("inventory", "0013_registered_model_counts")]

    operations = [migrations.RunPython(create, drop)]
