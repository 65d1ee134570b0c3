"""Registered-model counts per (engine, status) and per (engine, status, capability), kept by
triggers in the same transaction as every write to ``model_registry`` (read by
``inventory.counts``), and filled from the rows already there: ``model_registry_counts``
and its triggers, as ``inventory.count_triggers`` describes them (counts only; ``0019``
adds the memory sums)."""

from django.db import migrations

from inventory import count_triggers


def forward(apps, schema_editor):
    count_triggers.install(schema_editor, sums=False)


def backward(apps, schema_editor):
    count_triggers.remove(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0012_status_capabilities_index")]

    operations = [migrations.RunPython(forward, backward)]
