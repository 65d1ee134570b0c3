"""Create/edit forms of the inventory pages, generated from the declarations.

The form machinery (fields that only parse, the model's ``full_clean()`` deciding, service
errors shown on fields) is shared with the admin in ``inventory.forms``; this module adds the
page widgets and styling. Saving goes through ``services.save_validated`` so a race caught by
the database reads like any other validation error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db import models

from .. import capabilities as caps
from ..forms import (
    CONFIRM_FIELD,
    OVER_CAPACITY_FIELD,
    ModelDecidesForm,
    confirm_field,
    over_capacity_field,
    parse_only_options,
    screen_labels,
)
from ..models.fields import CapabilitiesField, CsvListField, VocabularyField
from ..services import KNOWLEDGE_KEYS
from ..vocabularies import KINDS
from ..wording import for_screen
from .entities import INVENTORIES, Inventory, model_field_for

__all__ = ["CONFIRM_FIELD", "FORMS", "CoreValidatedForm", "KnowledgeForm", "style"]


def _capability_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in caps.known()]


class CapabilitiesFormField(forms.MultipleChoiceField):
    """Capabilities ticked from the vocabulary; the model field normalizes and validates them
    (an unknown one is reported by the model with the vocabulary listed)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any):
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        super().__init__(choices=_capability_choices, **kwargs)  # the live vocabulary

    def valid_value(self, value: str) -> bool:
        return True

    def prepare_value(self, value: Any) -> Any:
        return caps.parse_stored(value) if isinstance(value, str) else value

    def has_changed(self, initial: Any, data: Any) -> bool:
        return super().has_changed(self.prepare_value(initial), data)


def _format_choices() -> list[tuple[str, str]]:
    return [("", "(none)"), *((term, term) for term in KINDS["format"].known())]


JSON_TEXTAREA = {"rows": 6, "class": "font-monospace"}


def formfield_for(model_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(model_field, CapabilitiesField):
        return CapabilitiesFormField(
            label=kwargs.get("label", model_field.verbose_name),
            help_text=model_field.help_text,
            required=False,
        )
    options = {**parse_only_options(model_field), **kwargs}
    if isinstance(model_field, VocabularyField) and model_field.vocabulary == "format":
        options["widget"] = forms.Select(choices=_format_choices)  # read when rendered
    elif isinstance(model_field, models.JSONField):
        options["widget"] = forms.Textarea(attrs=JSON_TEXTAREA)
    elif isinstance(model_field, CsvListField):
        options["widget"] = forms.TextInput
    return model_field.formfield(**options)


class CoreValidatedForm(ModelDecidesForm):
    """A page form: the shared machinery plus Bootstrap styling. An edit form carries the
    row's ETag as it was when the form was opened, so that saving over someone else's change
    is refused instead of silently undoing it."""

    use_required_attribute = False
    inventory: Inventory
    etag = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style(field.widget)
            if field.required:
                field.widget.attrs["aria-required"] = "true"

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        mark_invalid(self)

    @property
    def has_required(self) -> bool:
        return any(field.required for field in self.fields.values())

    @property
    def json_fields(self) -> list[str]:
        return [name for name, field in self.fields.items() if isinstance(field, forms.JSONField)]


def mark_invalid(form: forms.BaseForm) -> None:
    """Bootstrap's invalid look on the inputs of fields with errors (the error text itself is
    rendered under each field)."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            classes = widget.attrs.get("class", "").split()
            if "is-invalid" not in classes:
                widget.attrs["class"] = " ".join([*classes, "is-invalid"])


def style(widget: forms.Widget) -> None:
    """Bootstrap classes for a widget."""
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs["class"] = " ".join(filter(None, [css, widget.attrs.get("class", "")]))


def form_for(inventory: Inventory) -> type[CoreValidatedForm]:
    """The create/edit form of one inventory: its declared writable fields, declared labels."""
    model = inventory.model
    items = inventory.declaration.writable_fields
    names = [model_field_for(model, item).name for item in items]
    labels = {model_field_for(model, item).name: item.label for item in items}
    attrs: dict[str, Any] = {"inventory": inventory}
    if hasattr(model, CONFIRM_FIELD):
        attrs[CONFIRM_FIELD] = confirm_field()
    if hasattr(model, OVER_CAPACITY_FIELD):
        attrs[OVER_CAPACITY_FIELD] = over_capacity_field()
    meta = type(
        "Meta",
        (),
        {"model": model, "fields": names, "labels": labels, "formfield_callback": formfield_for},
    )
    return type(f"{model.__name__}Form", (CoreValidatedForm,), {**attrs, "Meta": meta})


FORMS: dict[str, type[CoreValidatedForm]] = {item.key: form_for(item) for item in INVENTORIES}


class LenientChoiceField(forms.TypedChoiceField):
    """A choice list offered for convenience (none chosen is ``None``); the core validates the
    value itself."""

    def __init__(self, **kwargs: Any):
        super().__init__(empty_value=None, **kwargs)

    def valid_value(self, value: str) -> bool:
        return True


class KnowledgeForm(forms.Form):
    """The knowledge settings as the SDK takes them; ``update_knowledge_config`` validates."""

    use_required_attribute = False

    enabled = forms.BooleanField(required=False, label="Knowledge enabled")
    embedding_model_id = LenientChoiceField(required=False, label="Embedding model")
    confirm_embedding_model_change = forms.BooleanField(
        required=False,
        label="I confirm changing the embedding model",
        help_text="Vectors stored with the current model would no longer match.",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["embedding_model_id"].choices = [("", "(none)"), *choices]
        for field in self.fields.values():
            style(field.widget)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        mark_invalid(self)

    def payload(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in KNOWLEDGE_KEYS}

    def add_core_errors(self, errors: Mapping[str, list[str]]) -> None:
        labels = screen_labels(self, {"embedding_model": "embedding_model_id"})
        for key, messages in errors.items():
            target = (
                "embedding_model_id" if key in ("embedding_model", "embedding_model_id") else key
            )
            for message in messages:
                self.add_error(
                    target if target in self.fields else None, for_screen(message, labels)
                )
