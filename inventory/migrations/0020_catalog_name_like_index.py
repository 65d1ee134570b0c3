"""The catalog's ``name`` loses the ``varchar_pattern_ops`` index Django adds on PostgreSQL for a
``CharField`` with ``db_index``: it serves prefix matches (``name LIKE 'abc%'``), and so
does ``available_model_registry_name_c_idx`` (``name COLLATE "C"``, migration 0016, kept for
the export's order), since PostgreSQL matches a prefix with any index in the "C" collation.
Equality and the default-collation order keep ``available_model_registry_name_3acb7431``,
case-insensitive equality the unique ``lower(name)`` index, substrings the trigram index.
Every imported or created catalog row maintained one index fewer."""

from django.db import migrations

TABLE = "available_model_registry"
INDEX = "available_model_registry_name_3acb7431_like"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (name varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0018_user_sessions")]

    operations = [migrations.RunPython(forward, backward)]
