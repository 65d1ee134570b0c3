"""Retention: delete change records older than a number of days.

The feed's cursor is a record id, so deleting old records never makes a reader skip a newer
one; a module whose cursor is older than the oldest kept record should re-read the
inventory in full before following the feed again.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..errors import RegistryValidationError
from ..models import ChangeRecord
from ..values import parse_int


def cutoff(older_than_days: Any) -> datetime.datetime:
    days = parse_int("older_than", older_than_days)
    if days < 0:
        raise RegistryValidationError({"older_than": ["older_than must be 0 or more days"]})
    return timezone.now() - datetime.timedelta(days=days)


def prune(older_than_days: Any, confirm: bool = False) -> dict[str, Any]:
    """``{"before", "count", "deleted"}``: the records older than the cutoff, deleted only
    when ``confirm``."""
    before = cutoff(older_than_days)
    with transaction.atomic():
        old = ChangeRecord.objects.filter(time__lt=before)
        count = old.count()
        deleted = old.delete()[0] if confirm and count else 0
    return {"before": before.isoformat(), "count": count, "deleted": deleted}
