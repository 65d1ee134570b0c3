"""Workflow actions and panels on the inventory detail pages."""

from __future__ import annotations

from typing import Any

from django import template

from inventory.web.workflows import detail_workflow

register = template.Library()


@register.inclusion_tag("inventory/workflows/_detail_actions.html", takes_context=True)
def workflow_actions(context: template.Context, instance: Any) -> dict[str, Any]:
    """ "Register on engine" on catalog rows, "Deactivate" on active registered rows."""
    return {**context.flatten(), "workflow": detail_workflow(instance, context["request"].user)}


@register.inclusion_tag("inventory/workflows/_detail_panels.html", takes_context=True)
def workflow_panels(context: template.Context, instance: Any) -> dict[str, Any]:
    """The reconcile diff (with Apply) of a registered row linked to the catalog."""
    workflow = detail_workflow(instance, context["request"].user, with_reconcile=True)
    return {**context.flatten(), "workflow": workflow}
