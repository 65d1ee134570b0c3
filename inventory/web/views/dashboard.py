"""The dashboard: rows by status for each inventory and the memory each engine's models need.

Every figure is one aggregate query, so the page costs the same for ten rows or a million.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from ...models import Engine
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
    engine: Engine
    models: int
    vram_mb: int
    ram_mb: int
    vram_share: float  # percent of the largest figure on the chart
    ram_share: float


def inventory_summary(inventory: Inventory) -> InventorySummary:
    counts = dict(
        inventory.model._default_manager.order_by()
        .values_list(STATUS_FIELD)
        .annotate(rows=Count("pk"))
    )
    options = inventory.declaration.by_name[STATUS_FIELD].options or tuple(counts)
    total = sum(counts.values())
    statuses = [
        StatusCount(status, counts.get(status, 0), 100 * counts.get(status, 0) / (total or 1))
        for status in options
    ]
    return InventorySummary(inventory, total, statuses)


#: The chart shows the engines needing the most memory; the rest are counted under it.
CHART_ENGINES = 15


def engine_loads(limit: int) -> list[EngineLoad]:
    """The ``limit`` engines whose registered models need the most VRAM (then RAM)."""
    engines = Engine.objects.annotate(
        model_count=Count("registered_models"),
        vram_total=Coalesce(Sum("registered_models__vram_required_mb"), 0),
        ram_total=Coalesce(Sum("registered_models__ram_required_mb"), 0),
    ).order_by("-vram_total", "-ram_total", "name")
    rows = list(engines[:limit])
    peak = max([1, *(e.vram_total for e in rows), *(e.ram_total for e in rows)])
    return [
        EngineLoad(
            engine,
            engine.model_count,
            engine.vram_total,
            engine.ram_total,
            100 * engine.vram_total / peak,
            100 * engine.ram_total / peak,
        )
        for engine in rows
    ]


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
