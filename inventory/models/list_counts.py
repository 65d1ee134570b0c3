"""RegisteredModelCount: how many registered models there are per engine, status and
capability (table ``model_registry_counts``), kept by database triggers.

The triggers (migration ``0013_registered_model_counts``) run in the same transaction as
every write to ``model_registry``: saves, bulk paths, ``QuerySet.update()``, raw SQL and
imports alike, so a count read from here is exact in any snapshot. ``capability = ''`` rows
count every row of an (engine, status); the others count the rows holding that capability.

On PostgreSQL a write statement appends its net changes as new rows (no row is updated, so
concurrent writers never wait for each other or deadlock) and every thousand appended rows
a writer folds the table back to one row per key; on SQLite, a single writer at a time,
each key has one row updated in place. A count is the sum of the matching rows either way
(``inventory.counts``).
"""

from __future__ import annotations

from django.db import models


class RegisteredModelCount(models.Model):
    engine_id = models.BigIntegerField()
    status = models.CharField(max_length=20)
    #: A capability token, or ``''`` for every row of the engine and status.
    capability = models.TextField(blank=True)
    n = models.BigIntegerField()

    class Meta:
        db_table = "model_registry_counts"
        verbose_name = "registered model count"
        indexes = [models.Index(fields=["capability", "status"], name="model_reg_counts_idx")]

    def __str__(self) -> str:
        return f"{self.engine_id}/{self.status}/{self.capability or '*'}: {self.n}"
