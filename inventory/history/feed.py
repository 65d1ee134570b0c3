"""Reading change records: one row's history, the filtered list, and the change feed.

The feed returns records in id order after a cursor (the last id a reader saw). Ids follow
commit order: on PostgreSQL every writer holds one advisory lock from its first change
record (or from the start of its transaction) until it commits, so no record with a smaller
id can commit after a reader has seen a larger one (``recording.feed_lock``); SQLite
serializes writers by itself. A module keeps a copy in sync by applying each record's
``snapshot`` (or removing the row for a ``delete``) and storing ``cursor``. We chose the
lock over a snapshot-xmin filter on transaction ids because transaction ids are not commit
order either: a change that waited for another transaction's row lock can carry the smaller
xid and would be delivered before the change it followed.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ..errors import RegistryValidationError, refuse_unknown_keys
from ..models import ChangeRecord
from ..values import parse_id, parse_int
from .recording import MODELS

FEED_LIMIT = 100
MAX_FEED_LIMIT = 1000
FILTERS = ("entity", "object_id", "action", "actor", "operation", "since", "until")


def as_dict(record: ChangeRecord) -> dict[str, Any]:
    """A change as every door shows it."""
    return {
        "id": record.id,
        "time": record.time.isoformat(),
        "entity": record.entity,
        "object_id": record.object_id,
        "object_name": record.object_name,
        "action": record.action,
        "changes": record.field_changes,
        "snapshot": record.snapshot,
        "actor": record.actor,
        "source": record.source,
        "operation": str(record.operation),
        "restored_from": record.restored_from,
    }


def _moment(key: str, value: Any, end: bool = False) -> datetime.datetime:
    text = str(value).strip()
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise RegistryValidationError(
                {key: [f"{key} must be a date or ISO 8601 date-time, got {value!r}"]}
            )
        moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def _operation(value: Any) -> Q:
    """An operation id, or its start, written with or without hyphens."""
    digits = str(value).strip().lower().replace("-", "")
    if not digits or len(digits) > 32 or any(c not in "0123456789abcdef" for c in digits):
        raise RegistryValidationError(
            {"operation": [f"operation must be an operation id or its start, got {value!r}"]}
        )
    if len(digits) == 32:
        return Q(operation=uuid.UUID(digits))
    # the canonical text form (8-4-4-4-12), which PostgreSQL compares uuid text against
    prefix, start = "", 0
    for size in (8, 4, 4, 4, 12):
        part = digits[start : start + size]
        prefix += ("-" if start else "") + part
        start += size
        if len(digits) <= start:
            break
    return Q(operation__startswith=prefix)


def filtered(
    filters: Mapping[str, Any] | None = None, entities: Iterable[str] | None = None
) -> QuerySet:
    """Records matching ``filters`` (``entity``, ``object_id``, ``action``, ``actor``,
    ``operation``, ``since``/``until`` dates or date-times), among ``entities`` if given."""
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    refuse_unknown_keys(filters, FILTERS, "filter")
    queryset = ChangeRecord.objects.all()
    if entities is not None:
        queryset = queryset.filter(entity__in=list(entities))
    if "entity" in filters:
        if filters["entity"] not in MODELS:
            raise RegistryValidationError(
                {"entity": [f"unknown entity {filters['entity']!r}; one of: {', '.join(MODELS)}"]}
            )
        queryset = queryset.filter(entity=filters["entity"])
    if "object_id" in filters:
        queryset = queryset.filter(object_id=parse_id("object_id", filters["object_id"]))
    if "action" in filters:
        actions = ChangeRecord.Action.values
        if filters["action"] not in actions:
            raise RegistryValidationError(
                {"action": [f"unknown action {filters['action']!r}; one of: {', '.join(actions)}"]}
            )
        queryset = queryset.filter(action=filters["action"])
    if "actor" in filters:
        queryset = queryset.filter(actor__icontains=str(filters["actor"]))
    if "operation" in filters:
        queryset = queryset.filter(_operation(filters["operation"]))
    if "since" in filters:
        queryset = queryset.filter(time__gte=_moment("since", filters["since"]))
    if "until" in filters:
        queryset = queryset.filter(time__lte=_moment("until", filters["until"], end=True))
    return queryset


def history(entity: str, object_id: Any, limit: Any = FEED_LIMIT) -> list[dict[str, Any]]:
    """The newest ``limit`` changes of one row, newest first (also after the row was
    deleted); all of them, oldest first, through ``since`` with the row's filters."""
    pk = parse_id("id", object_id)
    size = parse_limit(limit)
    return [as_dict(record) for record in filtered({"entity": entity, "object_id": pk})[:size]]


def parse_limit(limit: Any) -> int:
    size = parse_int("limit", FEED_LIMIT if limit in (None, "") else limit)
    if not 1 <= size <= MAX_FEED_LIMIT:
        raise RegistryValidationError({"limit": [f"limit must be 1..{MAX_FEED_LIMIT}"]})
    return size


def since(
    cursor: Any = None,
    limit: Any = FEED_LIMIT,
    entities: Iterable[str] | None = None,
    filters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``{"changes": [...oldest first], "cursor": <resume from here>, "has_more": bool}``:
    the changes committed after ``cursor`` (``None`` or ``0``: from the beginning)."""
    after = 0 if cursor in (None, "") else parse_int("after", cursor)
    if after < 0:
        raise RegistryValidationError({"after": ["after must be a cursor from an earlier read"]})
    size = parse_limit(limit)
    records = list(filtered(filters, entities).filter(id__gt=after).order_by("id")[: size + 1])
    has_more = len(records) > size
    records = records[:size]
    return {
        "changes": [as_dict(record) for record in records],
        "cursor": records[-1].id if records else after,
        "has_more": has_more,
    }
