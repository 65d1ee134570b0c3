"""``{% declared_result_list cl %}``: Django's ``result_list`` for the declared changelists,
rendered once per column (see ``inventory.admin_results``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from ..admin_results import result_list

register = template.Library()


@register.tag(name="declared_result_list")
def declared_result_list_tag(parser: Any, token: Any) -> InclusionAdminNode:
    return InclusionAdminNode(
        parser,
        token,
        func=result_list,
        template_name="declared_change_list_results.html",
        takes_context=False,
    )
