"""The dashboard: rows by status for each inventory and, per engine, the memory its active
models need against its declared capacity (over-commit highlighted), in GB.

The registered models' statuses and each engine's models and their needs are summed from
the summary the database keeps (``inventory.counts``), so the page costs the same for ten
registered models or a million; the engines and the catalog are grouped by status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from ... import capacity
from ...counts import EngineNeeds, engine_needs, grouped_by_status
from ...models import Engine, RegisteredModel
from ...services import knowledge_config
from ..entities import INVENTORIES, Inventory
from ..presentation import STATUS_COLOURS, status_badge

STATUS_FIELD = "status"


@dataclass
class StatusCount:
    status: str
    count: int
    share: float  # percent of the inventory's rows

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def badge(self) -> str:
        return status_badge(self.status)


@dataclass
class InventorySummary:
    inventory: Inventory
    total: int
    statuses: list[StatusCount]

    @property
    def list_url(self) -> str:
        return self.inventory.url("list")


@dataclass
class EngineLoad:
    """What an engine's models need against what it has: ``resources`` holds, for VRAM and
    RAM, the needs of its active models, its capacity (``None``: not declared), and the needs
    of all its registered models."""

    engine: Engine
    models: int
    resources: list[dict[str, Any]]

    @property
    def over(self) -> bool:
        return any(item["over"] for item in self.resources)


def inventory_summary(inventory: Inventory) -> InventorySummary:
    rows = inventory.model._default_manager.all()
    # Registered models: from the maintained summary.
    counts = rows.count_by_status() if hasattr(rows, "count_by_status") else grouped_by_status(rows)
    options = inventory.declaration.by_name[STATUS_FIELD].options or tuple(counts)
    total = sum(counts.values())
    statuses = [
        StatusCount(status, counts.get(status, 0), 100 * counts.get(status, 0) / (total or 1))
        for status in options
    ]
    return InventorySummary(inventory, total, statuses)


#: The chart shows the engines needing the most memory; the rest are counted under it.
CHART_ENGINES = 15


def ranked_engines(limit: int) -> list[Engine]:
    """The ``limit`` engines whose registered models need the most VRAM, then RAM (then by
    name), each with ``model_count`` and the needs of its models (``vram_all``, ``ram_all``)
    and of its active ones (``vram_active``, ``ram_active``): summed from the summary the
    database keeps (``inventory.counts.engine_needs``), from the rows elsewhere."""
    needs = engine_needs(Engine.objects.db)
    if needs is None:
        return list(_aggregated_engines()[:limit])
    names = dict(Engine.objects.filter(pk__in=needs).values_list("pk", "name"))
    chosen = sorted(
        (pk for pk in needs if pk in names),
        key=lambda pk: (-needs[pk].vram_all, -needs[pk].ram_all, names[pk]),
    )[:limit]
    if len(chosen) < limit:
        idle = Engine.objects.exclude(pk__in=needs).order_by("name")
        chosen += idle.values_list("pk", flat=True)[: limit - len(chosen)]
    found = Engine.objects.in_bulk(chosen)
    engines = []
    for pk in chosen:
        engine, totals = found[pk], needs.get(pk, EngineNeeds())
        engine.model_count = totals.models
        engine.vram_all, engine.ram_all = totals.vram_all, totals.ram_all
        engine.vram_active, engine.ram_active = totals.vram_active, totals.ram_active
        engines.append(engine)
    return engines


def _aggregated_engines() -> Any:
    active = Q(registered_models__status=RegisteredModel.Status.ACTIVE)
    return Engine.objects.annotate(
        model_count=Count("registered_models"),
        vram_all=Coalesce(Sum("registered_models__vram_required_mb"), 0),
        ram_all=Coalesce(Sum("registered_models__ram_required_mb"), 0),
        vram_active=Coalesce(Sum("registered_models__vram_required_mb", filter=active), 0),
        ram_active=Coalesce(Sum("registered_models__ram_required_mb", filter=active), 0),
    ).order_by("-vram_all", "-ram_all", "name")


def engine_loads(limit: int) -> list[EngineLoad]:
    """The ``limit`` engines whose registered models need the most VRAM (then RAM)."""
    rows = ranked_engines(limit)
    peak = max(
        [
            1,
            *(
                value or 0
                for e in rows
                for value in (e.vram_active, e.ram_active, e.vram_total_mb, e.ram_total_mb)
            ),
        ]
    )
    loads = []
    for engine in rows:
        resources = capacity.usage(engine, [engine.vram_active, engine.ram_active])
        for item, registered in zip(resources, (engine.vram_all, engine.ram_all), strict=True):
            item["registered_text"] = capacity.humanize_mb(registered)
            item["kind"] = item["label"].lower()
            item["share"] = 100 * item["used"] / peak
            item["total_share"] = 100 * item["total"] / peak if item["total"] else None
        loads.append(EngineLoad(engine, engine.model_count, resources))
    return loads


class DashboardPage(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        visible = [item for item in INVENTORIES if item.can(user, "view")]
        summaries = [inventory_summary(item) for item in visible]
        engines = next((s for s in summaries if s.inventory.model is Engine), None)
        context: dict[str, Any] = {
            "section": "dashboard",
            "summaries": summaries,
            "loads": engine_loads(CHART_ENGINES) if engines else None,
            "engines_total": engines.total if engines else 0,
            "knowledge": (
                knowledge_config() if user.has_perm("inventory.view_knowledgesettings") else None
            ),
        }
        return render(request, "inventory/dashboard.html", context)
