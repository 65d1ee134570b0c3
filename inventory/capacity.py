"""Engine capacity: what the active models of an engine need against what it has.

An engine may declare ``vram_total_mb`` / ``ram_total_mb``. The active registered models of
the engine commit their ``vram_required_mb`` / ``ram_required_mb`` to it; an engine whose
active models need more than it has is over capacity. Activating or moving a model that would
take an engine beyond its capacity is refused unless ``allow_over_capacity`` is given (see
``RegisteredModel.clean``). Sizes are shown in GB (1 GB = 1024 MB).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from .listing import BoolFilter

#: The option, in every door, that lets a write go beyond an engine's capacity.
ALLOW_OPTION = "allow_over_capacity"
#: ``(needed, total)`` columns: the model's requirement and the engine's capacity.
RESOURCES = (
    ("VRAM", "vram_required_mb", "vram_total_mb"),
    ("RAM", "ram_required_mb", "ram_total_mb"),
)


def humanize_mb(value: int | None) -> str:
    """``81920`` → ``"80 GB"``, ``1536`` → ``"1.5 GB"``, ``512`` → ``"512 MB"``, ``None`` → "—"."""
    if value is None:
        return "—"
    if abs(value) < 1024:
        return f"{value} MB"
    text = f"{value / 1024:.1f}".removesuffix(".0")
    return f"{text} GB"


def active_need(engine_ref: str, column: str) -> Coalesce:
    """What the active models of the engine ``engine_ref`` (an ``OuterRef`` path) need."""
    from .models import RegisteredModel

    needed = (
        RegisteredModel.objects.filter(
            engine_id=OuterRef(engine_ref), status=RegisteredModel.Status.ACTIVE
        )
        .order_by()
        .values("engine_id")
        .annotate(total=Sum(column))
        .values("total")[:1]
    )
    return Coalesce(Subquery(needed), 0, output_field=models.BigIntegerField())


def over_capacity_engines(value: bool = True) -> QuerySet:
    """Engines over (or, with ``False``, within) their declared capacity."""
    from .models import Engine

    queryset = Engine.objects.annotate(
        need_vram=active_need("pk", "vram_required_mb"),
        need_ram=active_need("pk", "ram_required_mb"),
    )
    over = Q(vram_total_mb__isnull=False, vram_total_mb__lt=models.F("need_vram")) | Q(
        ram_total_mb__isnull=False, ram_total_mb__lt=models.F("need_ram")
    )
    return queryset.filter(over) if value else queryset.exclude(over)


def committed(engine_ids: list[int], exclude_ids: list[int] | None = None) -> dict[int, list[int]]:
    """``engine id -> [vram, ram]`` needed by active models (less ``exclude_ids``), one query."""
    from .models import RegisteredModel

    queryset = RegisteredModel.objects.filter(
        engine_id__in=engine_ids, status=RegisteredModel.Status.ACTIVE
    )
    if exclude_ids:
        queryset = queryset.exclude(pk__in=exclude_ids)
    totals = {engine_id: [0, 0] for engine_id in engine_ids}
    for item in (
        queryset.order_by()
        .values("engine_id")
        .annotate(vram=Sum("vram_required_mb"), ram=Sum("ram_required_mb"))
    ):
        totals[item["engine_id"]] = [item["vram"] or 0, item["ram"] or 0]
    return totals


def committed_by_engine() -> dict[int, list[int]]:
    """``engine id -> [vram, ram]`` needed by active models, for engines with a capacity."""
    from .models import Engine

    declared = Engine.objects.filter(
        Q(vram_total_mb__isnull=False) | Q(ram_total_mb__isnull=False)
    ).values_list("pk", flat=True)
    return committed(list(declared))


def newly_overcommitted(before: dict[int, list[int]]) -> list[tuple[Any, list[str]]]:
    """Engines now beyond their capacity where their active models need more than they did
    in ``before`` (from ``committed_by_engine``), with the reason for each resource."""
    result = []
    for engine in over_capacity_engines().order_by("name"):
        earlier = before.get(engine.pk, [0, 0])
        now = [engine.need_vram, engine.need_ram]
        messages = [
            f"engine {engine.name!r} has {humanize_mb(getattr(engine, total))} of {label}; its "
            f"active models would need {humanize_mb(now[index])}; set {ALLOW_OPTION} to go "
            "beyond the engine's capacity"
            for index, (label, _need, total) in enumerate(RESOURCES)
            if getattr(engine, total) is not None
            and now[index] > getattr(engine, total)
            and now[index] > earlier[index]
        ]
        if messages:
            result.append((engine, messages))
    return result


def overcommit_messages(engine: Any, used: list[int], needs: list[int]) -> list[str]:
    """Why adding a model needing ``needs`` to ``engine`` (its active models needing ``used``)
    goes beyond its capacity; empty when it fits."""
    messages = []
    for index, (label, _need, total_attr) in enumerate(RESOURCES):
        total = getattr(engine, total_attr)
        wanted = used[index] + needs[index]
        if total is not None and needs[index] > 0 and wanted > total:
            messages.append(
                f"engine {engine.name!r} has {humanize_mb(total)} of {label}; its active models "
                f"would need {humanize_mb(wanted)} with this one ({humanize_mb(needs[index])}); "
                f"set {ALLOW_OPTION} to go beyond the engine's capacity"
            )
    return messages


def usage(engine: Any, used: list[int]) -> list[dict[str, Any]]:
    """Required against available, per resource, for pages: ``[{"label", "used", "total",
    "used_text", "total_text", "over", "percent"}]``."""
    result = []
    for index, (label, _need, total_attr) in enumerate(RESOURCES):
        total = getattr(engine, total_attr)
        result.append(
            {
                "label": label,
                "used": used[index],
                "total": total,
                "used_text": humanize_mb(used[index]),
                "total_text": humanize_mb(total),
                "over": total is not None and used[index] > total,
                "percent": min(100, round(100 * used[index] / total)) if total else None,
            }
        )
    return result


class OverCapacityFilter(BoolFilter):
    """Rows whose engine (``engine_attr``: ``pk`` on engines, ``engine_id`` on registered
    models) is over capacity; ``false`` selects the others."""

    def __init__(self, engine_attr: str):
        self.engine_attr = engine_attr

    def apply(self, queryset: QuerySet, attr: str, value: bool) -> QuerySet:
        lookup = {f"{self.engine_attr}__in": over_capacity_engines().values("pk")}
        return queryset.filter(**lookup) if value else queryset.exclude(**lookup)


def add_need(
    page: list[dict[str, Any]],
    engine_key: str,
    used_keys: tuple[str, str],
    wanted: Callable[[Mapping[str, Any]], bool] | None = None,
) -> None:
    """Set ``used_keys`` (VRAM, RAM) of each row of ``page`` to what the active models of
    its engine (``engine_key``) need: one grouped query over the engines on the page (only
    those ``wanted`` selects, the others get 0), whatever the page size."""
    engine_ids = sorted({values[engine_key] for values in page if wanted is None or wanted(values)})
    totals = committed(engine_ids) if engine_ids else {}
    vram_key, ram_key = used_keys
    for values in page:
        values[vram_key], values[ram_key] = totals.get(values[engine_key], (0, 0))


def need_context(engine_ref: str, used_keys: tuple[str, str]) -> dict[str, Any]:
    """``add_need``'s values for one row, as expressions read with it: ``used_keys`` (VRAM,
    RAM) are what the active models of its engine (``engine_ref``) need."""
    vram_key, ram_key = used_keys
    return {
        vram_key: active_need(engine_ref, "vram_required_mb"),
        ram_key: active_need(engine_ref, "ram_required_mb"),
    }


def engine_page_context(page: list[dict[str, Any]]) -> None:
    """What each engine's active models need, for a page of engine rows (one query)."""
    add_need(page, "id", ("ctx_vram_used_mb", "ctx_ram_used_mb"))


def engine_over_capacity(values: Any) -> bool:
    return any(
        values[total] is not None and values[f"ctx_{kind}_used_mb"] > values[total]
        for kind, total in (("vram", "vram_total_mb"), ("ram", "ram_total_mb"))
    )
