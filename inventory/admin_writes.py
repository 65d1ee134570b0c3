"""How the admin writes: the core's validation, its messages and its delete refusals.

Admin forms use the form machinery shared with the inventory pages (``inventory.forms``): the
form fields only parse and the models' ``full_clean()`` reports field errors on the form.
Saves and deletes then go through ``inventory.services``; should the database still refuse
(a concurrent write, a row that became referenced), the form is shown again with the core's
message, and a refused delete shows ``delete_refusal`` instead of Django's generic page.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models, router
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.db.models.deletion import Collector
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from . import history, services
from .errors import NON_FIELD, RegistryProtectedError, RegistryValidationError
from .forms import ModelDecidesForm, confirm_field, parse_only_options
from .history.admin import HistoryAdminMixin
from .history.recording import ENTITIES
from .models.secret_config import SecretConfigField
from .secrets import mask_row
from .values import parse_id

JSON_TEXTAREA = forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField json-input"})


def pretty_json(value: Any) -> str:
    return format_html(
        '<pre class="json-display">{}</pre>', json.dumps(value, ensure_ascii=False, indent=2)
    )


class RegistryAdminForm(ModelDecidesForm):
    """An admin form that also shows errors the save itself reported (see ``ValidatedAdmin``).

    A change form carries the row's ETag as it was when opened: saving over someone else's
    change is refused with a message instead of silently undoing it."""

    save_errors: ClassVar[dict[str, list[str]]] = {}
    etag = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        service = services.service_for(self._meta.model)
        if not self.is_bound and service is not None and self.instance.pk is not None:
            self.initial.setdefault("etag", service.etag(self.instance))

    def _post_clean(self) -> None:
        super()._post_clean()
        self.add_core_errors(self.save_errors)


class ConfirmEmbeddingChangeForm(RegistryAdminForm):
    """Offers the confirmation the core asks for before the knowledge embedding model, or
    its ``dim`` or capabilities, change while knowledge is enabled."""

    confirm_embedding_model_change = confirm_field()


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, tolerating a submitted value that is not an id (the form
    shows the model's error instead of the widget's query failing)."""

    def optgroups(self, name: str, value: list[Any], attr: Any = None) -> list[Any]:
        ids = []
        for item in value:
            try:
                ids.append(parse_id("id", item))
            except RegistryValidationError:
                continue
        return super().optgroups(name, [str(pk) for pk in ids], attr)


# --- deletes -------------------------------------------------------------------------------


def delete_refusals(objs: Iterable[models.Model]) -> list[str]:
    """The core's refusal message for each of ``objs`` that other rows still depend on.

    Django's deletion collector finds the protecting rows exactly as ``delete()`` would.
    """
    objs = list(objs)
    if not objs:
        return []
    model = type(objs[0])
    collector = Collector(using=router.db_for_write(model))
    try:
        collector.collect(objs)
    except (ProtectedError, RestrictedError) as error:
        blocked = _blocked(objs, error)
        return [obj.delete_refusal(error) for obj in blocked]  # type: ignore[attr-defined]
    return []


def _blocked(objs: Sequence[models.Model], error: Exception) -> list[models.Model]:
    """Which of ``objs`` the protecting rows point at (all of them if none directly)."""
    referencing = getattr(error, "protected_objects", None) or getattr(
        error, "restricted_objects", ()
    )
    model = type(objs[0])
    wanted = {obj.pk for obj in objs}
    hit: set[Any] = set()
    for row in referencing:
        for field in row._meta.concrete_fields:
            if field.is_relation and field.related_model is model:
                value = getattr(row, field.attname)
                if value in wanted:
                    hit.add(value)
    return [obj for obj in objs if obj.pk in hit] or list(objs)


# --- the admin base ------------------------------------------------------------------------


class ValidatedAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Writes through ``services`` and reports the core's messages instead of a 500; its
    History page shows the change records of every door."""

    form = RegistryAdminForm
    formfield_overrides = {models.JSONField: {"widget": JSON_TEXTAREA}}

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite):
        super().__init__(model, admin_site)
        self.json_displays: dict[str, str] = {}
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                name = f"{field.name}_json"
                setattr(self, name, _json_display(field))
                self.json_displays[field.name] = name

    def get_fields(self, request: HttpRequest, obj: models.Model | None = None) -> list[Any]:
        """Viewers (no change permission) see JSON indented and no form-only inputs."""
        fields = list(super().get_fields(request, obj))
        if obj is None or self.has_change_permission(request, obj):
            return fields
        form_only = set(self.form.declared_fields)
        return [self.json_displays.get(name, name) for name in fields if name not in form_only]

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        """Form fields that only parse (see ``inventory.forms``)."""
        return super().formfield_for_dbfield(
            db_field, request, **{**parse_only_options(db_field), **kwargs}
        )

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: forms.Form, change: bool
    ) -> None:
        """A change saves the edited fields through the service (one validation, under the
        row lock, refused when the row changed since the form was opened); a new row is
        validated and saved once."""
        service = services.service_for(type(obj))
        if not change or service is None or not isinstance(form, ModelDecidesForm):
            services.save_validated(obj)
            return
        row = getattr(request, "_registry_row", None)
        saved = form.save_through(service, form.cleaned_data.get("etag") or None, row)
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return self._locked_changeform_view(request, object_id, form_url, extra_context)
        except RegistryValidationError as error:
            # The save was refused after the form validated (a concurrent write); show the
            # form again with the core's message. The failed attempt was rolled back.
            request._registry_save_errors = error.errors  # type: ignore[attr-defined]
            return self._changeform_view(request, object_id, form_url, extra_context)

    def _locked_changeform_view(
        self, request: HttpRequest, object_id: str | None, form_url: str, extra_context: Any
    ) -> HttpResponse:
        """A change posted runs in the service's write transaction, the row read once under
        its lock (``get_object`` hands the form a copy, ``save_model`` writes the row); any
        other request is Django's own, with no transaction around the page."""
        service = services.service_for(self.model)
        saving = request.method == "POST" and "_saveasnew" not in request.POST
        pk = _row_id(object_id) if saving else None
        if service is None or pk is None:
            return self._changeform_view(request, object_id, form_url, extra_context)
        try:
            with service.locked(pk) as row:
                request._registry_row = row  # type: ignore[attr-defined]
                return self._changeform_view(request, object_id, form_url, extra_context)
        finally:
            request.__dict__.pop("_registry_row", None)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> models.Model | None:
        row = getattr(request, "_registry_row", None)
        if row is not None and from_field is None:
            return copy.copy(row.instance)
        return super().get_object(request, object_id, from_field)

    def get_form(
        self, request: HttpRequest, obj: models.Model | None = None, change: bool = False, **kwargs
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        attrs: dict[str, Any] = {}
        if change and not self.has_change_permission(request, obj):
            attrs = dict.fromkeys(self.form.declared_fields)  # viewers get no inputs at all
        errors = getattr(request, "_registry_save_errors", None)
        if errors:
            attrs["save_errors"] = errors
        return type(form.__name__, (form,), attrs) if attrs else form

    # Django's admin log: rows whose writes leave change records (every door's; the History
    # page shows them) get no second, admin-only log entry.

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        return None if _recorded(self.model) else super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        return None if _recorded(self.model) else super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # A queryset from the delete action, a list of one row from the delete page.
        return None if _recorded(self.model) else super().log_deletions(request, queryset)

    # deletes

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        """A protected row is reported with the core's refusal message (the confirmation
        templates show these instead of Django's list of protected objects)."""
        refusals = delete_refusals(objs)
        if refusals:
            return [], {}, set(), refusals
        return super().get_deleted_objects(objs, request)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        services.delete_instance(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            with history.atomic():
                queryset.delete()
        except (ProtectedError, RestrictedError) as error:
            refusals = delete_refusals(queryset) or [str(error)]
            raise RegistryProtectedError({NON_FIELD: refusals}) from error

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except RegistryValidationError as error:
            self._report(request, error)
            opts = self.opts
            return HttpResponseRedirect(
                reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[object_id],
                )
            )

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Each action runs in one transaction; a refusal rolls it back and is reported. A
        selection that is not a row id is reported (the queryset would fail on it)."""
        for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
            try:
                parse_id(ACTION_CHECKBOX_NAME, value)
            except RegistryValidationError:
                message = f"Invalid selection: {value!r} is not a row id."
                self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        try:
            with history.atomic():
                return super().response_action(request, queryset)
        except RegistryValidationError as error:
            self._report(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def _report(self, request: HttpRequest, error: RegistryValidationError) -> None:
        for messages_ in error.errors.values():
            for message in messages_:
                self.message_user(request, message, messages.ERROR)


def _recorded(model: type[models.Model]) -> bool:
    return model in ENTITIES


def _row_id(object_id: str | None) -> int | None:
    """The row id of a change form's URL; ``None`` for an add form or a malformed id (which
    Django's own view reports)."""
    if object_id is None:
        return None
    try:
        return parse_id("id", unquote(object_id))
    except RegistryValidationError:
        return None


def _json_display(field: models.JSONField) -> Any:
    @admin.display(description=field.verbose_name)
    def display(obj: models.Model) -> str:
        value = getattr(obj, field.attname)
        return pretty_json(mask_row(value) if isinstance(field, SecretConfigField) else value)

    return display
