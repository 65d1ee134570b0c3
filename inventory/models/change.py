"""ChangeRecord: one row per write to an inventory row or the knowledge settings.

Written by ``inventory.history`` in the transaction of the change itself. A small model of
our own (after NetBox's ObjectChange) rather than django-simple-history (one shadow table
per model and no bulk writes), django-auditlog (no operation grouping, records outside the
caller's bulk writes) or django-pghistory (PostgreSQL triggers, while SQLite is the default
database here): see the ``inventory.history`` docstring.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ChangeRecord(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", "create"
        UPDATE = "update", "update"
        DELETE = "delete", "delete"

    id = models.BigAutoField(primary_key=True)
    time = models.DateTimeField(default=timezone.now, db_index=True)
    entity = models.CharField(
        max_length=40,
        help_text="engine_registry, available_model_registry, model_registry, knowledge",
    )
    object_id = models.BigIntegerField()
    object_name = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(
        default=dict,
        blank=True,
        help_text='Changed fields of an update: {"field": {"before": …, "after": …}} (a '
        "create's are its snapshot, see field_changes)",
    )
    snapshot = models.JSONField(
        default=dict,
        blank=True,
        help_text="Every field of the row after the change (before it, for a delete); "
        "credentials masked",
    )
    actor = models.CharField(max_length=200)
    source = models.CharField(max_length=20, help_text="web, admin, api, command or shell")
    operation = models.UUIDField(db_index=True, help_text="Groups the changes of one request")
    restored_from = models.BigIntegerField(
        null=True, blank=True, help_text="The change whose version this write restored"
    )

    class Meta:
        db_table = "change_record"
        ordering = ["-id"]
        verbose_name = "change"
        indexes = [
            models.Index(fields=["entity", "object_id", "id"], name="change_record_object"),
            models.Index(fields=["actor"], name="change_record_actor"),
        ]

    #: fields every write stamps: in snapshots, left out of the changed fields
    STAMPS = ("id", "created_at", "updated_at")

    def __str__(self) -> str:
        return f"{self.action} {self.entity} {self.object_name or self.object_id} by {self.actor}"

    @property
    def field_changes(self) -> dict[str, dict[str, object]]:
        """The changed fields with before and after values; for a create, every field that
        was given a value (kept in ``snapshot`` only, so a bulk import stores it once)."""
        if self.action != self.Action.CREATE:
            return self.changes
        return {
            key: {"before": None, "after": value}
            for key, value in self.snapshot.items()
            if key not in self.STAMPS and value not in (None, "", [], {})
        }
