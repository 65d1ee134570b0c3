"""The "Show secrets" button on engine detail pages, for users allowed to read them."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from inventory import secrets
from inventory.models import Engine

register = template.Library()


@register.simple_tag(takes_context=True)
def engine_secrets_button(context: template.Context, instance: Any) -> str:
    if not isinstance(instance, Engine):
        return ""
    user = context["request"].user
    if not (user.has_perm("inventory.view_engine") and secrets.can_reveal(user)):
        return ""
    return format_html(
        '<a class="btn btn-outline-secondary" href="{}" data-testid="show-secrets">'
        '<i class="bi bi-key"></i> Show secrets</a>',
        reverse("inventory:engines-secrets", args=[instance.pk]),
    )
