"""Indexes of keyset walks and exports.

A keyset page filtered by status or engine in the default order (``id``) is a range scan of
``(status, id)`` or ``(engine_id, id)``; the status index keeps carrying ``capabilities``, so
that a count by status and capability stays an index-only scan on PostgreSQL. On PostgreSQL the export orders each table by
``name COLLATE "C"`` (byte order, the order SQLite gives): an expression index on it lets the
export read in name order in keyset chunks without sorting the table. Other databases skip
that SQL (their default order of text is already byte order)."""

from django.db import migrations, models

from inventory.postgres_indexes import create_indexes, drop_indexes

NAME_INDEXES = [
    (f"{table}_name_c_idx", table, '((name COLLATE "C"))')
    for table in ("engine_registry", "available_model_registry", "model_registry")
]


def create_name_indexes(apps, schema_editor):
    create_indexes(schema_editor, NAME_INDEXES)


def drop_name_indexes(apps, schema_editor):
    drop_indexes(schema_editor, NAME_INDEXES)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0015_saved_views")]

    operations = [
        migrations.RemoveIndex(model_name="registeredmodel", name="model_reg_status_caps_idx"),
        migrations.AddIndex(
            model_name="registeredmodel",
            index=models.Index(
                fields=["status", "id"], include=["capabilities"], name="model_reg_status_caps_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="registeredmodel",
            index=models.Index(fields=["engine", "id"], name="model_reg_engine_id_idx"),
        ),
        migrations.RunPython(create_name_indexes, drop_name_indexes),
    ]
