"""The Django model permissions each workflow needs, shared by the API and the web pages."""

from __future__ import annotations

ENTITIES = ("engine", "availablemodel", "registeredmodel")


def perms(action: str, *models: str) -> tuple[str, ...]:
    return tuple(f"inventory.{action}_{model}" for model in models)


BIND = perms("add", "registeredmodel") + perms("change", "registeredmodel")
DEACTIVATE = perms("change", "registeredmodel")
RECONCILE_VIEW = perms("view", "registeredmodel")
RECONCILE_APPLY = perms("change", "registeredmodel")
STALE_VIEW = perms("view", "registeredmodel")
STALE_PRUNE = perms("delete", "registeredmodel")
EXPORT = perms("view", *ENTITIES, "knowledgesettings")
IMPORT = perms("add", *ENTITIES) + perms("change", *ENTITIES) + perms("change", "knowledgesettings")
