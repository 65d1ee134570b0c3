"""Admin of the governed vocabularies: terms and aliases added as data.

Built-in rows (defined in code) are shown read-only; an added term cannot be renamed (add
an alias) and its removal is refused, with where it is used, while rows use it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .errors import RegistryValidationError
from .models import VocabularyAlias, VocabularyTerm


class VocabularyAdmin(admin.ModelAdmin):
    """Saves and deletes through the core; built-in rows are read-only."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.built_in)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.built_in)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.save_validated(obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        refusals = [obj.delete_refusal(None) for obj in objs if _refused(obj)]
        if refusals:
            return [], {}, set(), refusals
        return super().get_deleted_objects(objs, request)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.delete_instance(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        """One by one through the model's ``delete()`` (which refuses terms in use), all or
        nothing."""
        try:
            with transaction.atomic():
                for obj in queryset:
                    services.delete_instance(obj)
        except RegistryValidationError as error:
            self.message_user(request, error.message, messages.ERROR)


def _refused(obj: Any) -> bool:
    return bool(obj.built_in or (isinstance(obj, VocabularyTerm) and obj.usage()))


@admin.register(VocabularyTerm)
class VocabularyTermAdmin(VocabularyAdmin):
    list_display = ("name", "kind", "label", "alias_names", "built_in", "created_at")
    list_filter = ("kind", "built_in")
    search_fields = ("name", "label", "aliases__alias")
    ordering = ("kind", "id")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="aliases")
    def alias_names(self, obj: VocabularyTerm) -> str:
        return ", ".join(alias.alias for alias in obj.aliases.all())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A term is never renamed nor moved to another vocabulary: add an alias instead.
        return ("kind", "name", "built_in") if obj else ("built_in",)


@admin.register(VocabularyAlias)
class VocabularyAliasAdmin(VocabularyAdmin):
    list_display = ("alias", "term", "kind", "built_in")
    list_filter = ("kind", "built_in")
    search_fields = ("alias", "term__name")
    autocomplete_fields = ("term",)
    readonly_fields = ("kind", "built_in")
