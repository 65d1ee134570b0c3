"""Context warnings on registered rows: what a reader of one row should know about others.

Computed from values read with the row itself (engine status and declared capacity, the
catalog row) and, once per page, what the active models of the page's engines need
(``page_context``: one grouped query), so a page costs the same queries whatever its size.
``warnings`` is a list of sentences, empty when all is well:

* an active model on an engine in ``error``;
* the catalog link is lost (a bound row whose catalog model was deleted);
* out of sync with the catalog row (the fields reconcile would change);
* the engine's active models need more than the engine has (over capacity).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from types import SimpleNamespace
from typing import Any

from django.db.models import F

from . import capacity

CATALOG_FIELDS = ("name", "remote_url", "version", "capabilities", "storage_ref")
CATALOG_JSON = ("requirements", "extra_config")


def context() -> dict[str, Any]:
    """The values read with each registered row for its warnings."""
    values: dict[str, Any] = {
        "ctx_engine_name": F("engine__name"),
        "ctx_engine_status": F("engine__status"),
        "ctx_engine_vram_total_mb": F("engine__vram_total_mb"),
        "ctx_engine_ram_total_mb": F("engine__ram_total_mb"),
    }
    for name in (*CATALOG_FIELDS, *CATALOG_JSON):
        values[f"ctx_catalog_{name}"] = F(f"available_model__{name}")
    return values


def _declares_capacity(values: Mapping[str, Any]) -> bool:
    return (
        values["ctx_engine_vram_total_mb"] is not None
        or values["ctx_engine_ram_total_mb"] is not None
    )


def page_context(page: list[dict[str, Any]]) -> None:
    """What the active models of each row's engine need, for the engines on the page that
    declare a capacity (the need of the others is never compared): one grouped query."""
    capacity.add_need(
        page,
        "engine_id",
        ("ctx_engine_vram_used_mb", "ctx_engine_ram_used_mb"),
        _declares_capacity,
    )


#: ``(total, used)`` value keys of each resource.
_CAPACITY_KEYS = tuple(
    (f"ctx_engine_{kind}_total_mb", f"ctx_engine_{kind}_used_mb") for kind in ("vram", "ram")
)


def engine_over_capacity(values: Mapping[str, Any]) -> bool:
    for total_key, used_key in _CAPACITY_KEYS:
        total = values[total_key]
        if total is not None and values[used_key] > total:
            return True
    return False


_ROW_FIELDS = (
    "model_path",
    "vram_required_mb",
    "ram_required_mb",
    "remote_url",
    "version",
    "capabilities",
    "extra_config",
)


@cache
def _workflows() -> tuple[Callable[..., Any], Callable[[int], str]]:
    """``reconcile.differences`` and ``binding.binding_prefix``, imported at first use (the
    workflows import the services, which import the declarations that import this module)
    and only then: an import statement run for every row costs more than the row's checks."""
    from .workflows.binding import binding_prefix
    from .workflows.reconcile import differences

    return differences, binding_prefix


def catalog_differences(values: Mapping[str, Any]) -> list[str]:
    """The fields reconcile would change, by ``reconcile.differences`` itself, given plain
    attribute holders for the row and its catalog row (building model instances per row
    would cost more than the comparison)."""
    differences = _workflows()[0]
    catalog = SimpleNamespace(
        pk=values["available_model_id"],
        **{name: values[f"ctx_catalog_{name}"] for name in (*CATALOG_FIELDS, *CATALOG_JSON)},
    )
    row = SimpleNamespace(**{name: values[name] for name in _ROW_FIELDS}, available_model=catalog)
    return [item["field"] for item in differences(row)]  # type: ignore[arg-type]


def warnings(values: Mapping[str, Any]) -> list[str]:
    """The warnings of one registered row, from its values and context."""
    found: list[str] = []
    engine = values["ctx_engine_name"]
    active = values["status"] == "active"
    if active and values["ctx_engine_status"] == "error":
        found.append(f"active on engine {engine!r}, which is in error")
    if values["available_model_id"] is None:
        binding_prefix = _workflows()[1]
        if values["name"].startswith(binding_prefix(values["engine_id"])):
            found.append("catalog link lost: the catalog model it was bound from was deleted")
    else:
        fields = catalog_differences(values)
        if fields:
            found.append(
                f"out of sync with catalog model {values['ctx_catalog_name']!r}: "
                f"{', '.join(fields)} differ (reconcile to update)"
            )
    if active and engine_over_capacity(values):
        parts = [
            f"{label} {capacity.humanize_mb(values[f'ctx_engine_{kind}_used_mb'])} needed, "
            f"{capacity.humanize_mb(values[f'ctx_engine_{kind}_total_mb'])} available"
            for label, kind in (("VRAM", "vram"), ("RAM", "ram"))
            if values[f"ctx_engine_{kind}_total_mb"] is not None
            and values[f"ctx_engine_{kind}_used_mb"] > values[f"ctx_engine_{kind}_total_mb"]
        ]
        found.append(f"engine {engine!r} is over capacity: {'; '.join(parts)}")
    return found
