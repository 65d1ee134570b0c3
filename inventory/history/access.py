"""Who may see and restore changes: the entity's own Django permissions, in every door.

Reading a change needs ``view_*`` on its entity; restoring a version needs ``change_*``, or
``add_*`` when it undeletes the row.
"""

from __future__ import annotations

from typing import Any

from ..models import ChangeRecord
from .recording import MODELS


def perm(entity: str, action: str) -> str:
    """``inventory.view_engine`` and the like, for an entity name."""
    meta = MODELS[entity]._meta
    return f"{meta.app_label}.{action}_{meta.model_name}"


def visible_entities(user: Any) -> list[str]:
    return [entity for entity in MODELS if user.has_perm(perm(entity, "view"))]


def row_exists(record: ChangeRecord) -> bool:
    return MODELS[record.entity]._default_manager.filter(pk=record.object_id).exists()


def may_restore(user: Any, record: ChangeRecord, exists: bool | None = None) -> bool:
    """Whether ``user`` may write back ``record``'s version (``exists``: whether its row is
    there today, looked up when not given)."""
    alive = row_exists(record) if exists is None else exists
    return user.has_perm(perm(record.entity, "change" if alive else "add"))
