"""What deleting rows would do to other rows, told before the delete.

* an engine that still has registered models cannot be deleted (refused; the way out is to
  move its models to another engine);
* deleting a catalog model unlinks the registered rows bound to it; those made by binding
  become stale (their catalog link is lost and reconcile no longer applies);
* the knowledge embedding model cannot be deleted (the way out is to pick another one).

``dependents`` counts, in one query, what depends on each of many rows (bulk deletes);
``delete_impact`` describes one row's delete for the confirmation pages, the admin and the
API (``GET …/{id}/delete-impact/``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from .models import KnowledgeSettings, RegisteredModel

#: How many dependent rows an impact lists by name (the count is always complete).
LISTED = 20


def dependents(name: str, pks: list[int]) -> dict[int, int]:
    """``pk -> number of rows depending on it`` (registered models of an engine or of a catalog
    row; 1 for the knowledge embedding model), in one query."""
    if name == "model_registry":
        knowledge = KnowledgeSettings.selected_model_id()
        return {knowledge: 1} if knowledge in pks else {}
    column = "engine_id" if name == "engine_registry" else "available_model_id"
    counted = (
        RegisteredModel.objects.filter(**{f"{column}__in": pks})
        .order_by()
        .values(column)
        .annotate(total=Count("pk"))
    )
    return {item[column]: item["total"] for item in counted}


def _rows(queryset: Any) -> list[dict[str, Any]]:
    return list(queryset.order_by("name", "id").values("id", "name", "engine_id")[:LISTED])


def delete_impact(name: str, instance: Any) -> dict[str, Any]:
    """``{"entity", "id", "name", "allowed", "refusal", "refused", "unlinked", "stale",
    "way_out"}``: what deleting ``instance`` would refuse, unlink or leave stale."""
    from .workflows.binding import binding_prefix

    impact: dict[str, Any] = {
        "entity": name,
        "id": instance.pk,
        "name": str(instance),
        "allowed": True,
        "refusal": None,
        "refused": None,
        "unlinked": None,
        "stale": None,
        "way_out": None,
    }
    if name == "engine_registry":
        models = RegisteredModel.objects.filter(engine_id=instance.pk)
        total = models.count()
        if total:
            impact.update(
                allowed=False,
                refusal=instance.delete_refusal(None, total),
                refused={"entity": "model_registry", "total": total, "rows": _rows(models)},
                way_out={
                    "action": "move",
                    "text": f"move its {total} registered model(s) to another engine, then "
                    "delete it",
                    "entity": "model_registry",
                    "filters": {"engine_id": instance.pk},
                },
            )
    elif name == "available_model_registry":
        models = RegisteredModel.objects.filter(available_model_id=instance.pk)
        total = models.count()
        if total:
            rows = _rows(models)
            bound = sum(
                1
                for row in models.values_list("name", "engine_id")
                if row[0].startswith(binding_prefix(row[1]))
            )
            impact["unlinked"] = {"entity": "model_registry", "total": total, "rows": rows}
            if bound:
                impact["stale"] = {
                    "total": bound,
                    "text": f"{bound} registered row(s) made by binding this catalog model will "
                    "lose their catalog link: they become stale and can no longer be reconciled",
                }
    elif name == "model_registry" and KnowledgeSettings.selected_model_id() == instance.pk:
        impact.update(
            allowed=False,
            refusal=instance.delete_refusal(None),
            way_out={
                "action": "knowledge",
                "text": "select another knowledge embedding model (or clear the selection) first",
            },
        )
    return impact
