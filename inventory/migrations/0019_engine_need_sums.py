"""The registered-model summary also adds up what the rows of each key need (``vram_mb`` and
``ram_mb`` of ``model_registry_counts``), kept by the same triggers in the same transaction
as every write, so that the dashboard reads each engine's models, their needs and the needs
of its active ones from the summary rather than from every row
(``inventory.count_triggers``). The summary is rebuilt from the rows already there."""

from django.db import migrations

from inventory import count_triggers


def forward(apps, schema_editor):
    count_triggers.remove(schema_editor)
    count_triggers.install(schema_editor, sums=True)


def backward(apps, schema_editor):
    count_triggers.remove(schema_editor)
    count_triggers.install(schema_editor, sums=False)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0016_keyset_indexes")]

    operations = [migrations.RunPython(forward, backward)]
