"""Trigram GIN indexes on the expression the ``name`` substring filter of the three lists
compiles to on PostgreSQL, ``UPPER(name::text) LIKE UPPER('%…%')``, so that a name filter
matching few rows reads those rows only (engines were missing one). ``TrigramExtension`` and
the index SQL do nothing on other databases."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from inventory.trigram import create_trigram_indexes, drop_trigram_indexes

NAME_COLUMNS = (("engine_registry", "name"),)


def create_indexes(apps, schema_editor):
    tables = ("engine_registry", "available_model_registry", "model_registry")
    create_trigram_indexes(schema_editor, [(table, "name") for table in tables])


def drop_indexes(apps, schema_editor):
    drop_trigram_indexes(schema_editor, NAME_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0013_registered_model_counts")]

    operations = [TrigramExtension(), migrations.RunPython(create_indexes, drop_indexes)]
