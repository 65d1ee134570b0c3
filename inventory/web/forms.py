"""Create/edit forms generated from the declarations, validated only by the models.

Form fields here only turn text into Python values (JSON, numbers, choices). Whether a value
is acceptable is decided by the model's ``full_clean()`` (its fields, normalizers and
``clean()``), so the pages refuse exactly what the SDK and the API refuse, with the same
messages; saving goes through ``services.save_validated`` so a race caught by the database
reads the same too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms.fields import InvalidJSONInput

from .. import capabilities as caps
from ..errors import NON_FIELD, RegistryValidationError
from ..models.fields import CapabilitiesField, CsvListField
from .entities import INVENTORIES, Inventory, model_field_for

CONFIRM_FIELD = "confirm_embedding_model_change"


class JSONTextField(forms.JSONField):
    """JSON edited as indented text."""

    def __init__(self, **kwargs: Any):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 6, "class": "font-monospace"})
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False, cls=self.encoder)


class CapabilitiesFormField(forms.MultipleChoiceField):
    """Capabilities ticked from the vocabulary; the model field normalizes and validates them
    (an unknown one is reported by the model with the vocabulary listed)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any):
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        super().__init__(choices=[(name, name) for name in caps.CAPABILITIES], **kwargs)

    def valid_value(self, value: str) -> bool:
        return True

    def prepare_value(self, value: Any) -> Any:
        return caps.parse_stored(value) if isinstance(value, str) else value


class ReferenceField(forms.ModelChoiceField):
    """A related row chosen from a list; an id that no longer exists is passed on so that the
    model reports it (``engine_id does not exist``)."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError:
            return self.queryset.model(pk=value)


class LenientTypedChoiceField(forms.TypedChoiceField):
    """A choice list for a model field with choices; the model reports a value outside them."""

    def valid_value(self, value: Any) -> bool:
        return True


def formfield_for(model_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(model_field, CapabilitiesField):
        return CapabilitiesFormField(
            label=kwargs.get("label", model_field.verbose_name),
            help_text=model_field.help_text,
            required=False,
        )
    if isinstance(model_field, models.JSONField):
        return model_field.formfield(form_class=JSONTextField, **kwargs)
    if isinstance(model_field, CsvListField):
        return model_field.formfield(widget=forms.TextInput, **kwargs)
    if isinstance(model_field, models.ForeignKey):
        return model_field.formfield(form_class=ReferenceField, **kwargs)
    if model_field.choices:
        return model_field.formfield(choices_form_class=LenientTypedChoiceField, **kwargs)
    return model_field.formfield(**kwargs)


class CoreValidatedForm(forms.ModelForm):
    """A ModelForm whose only validation is the model's ``full_clean()``."""

    use_required_attribute = False
    inventory: Inventory

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.validators = [
                v
                for v in field.validators
                if not isinstance(v, MinValueValidator | MaxValueValidator)
            ]
            for attr in ("min", "max"):
                field.widget.attrs.pop(attr, None)
            style(field.widget)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if CONFIRM_FIELD in self.fields:
            setattr(self.instance, CONFIRM_FIELD, bool(cleaned.get(CONFIRM_FIELD)))
        return cleaned

    def _get_validation_exclusions(self) -> set[str]:
        # The model decides about empty values too: only skip fields that are not on the form
        # or that could not even be parsed.
        exclude = super()._get_validation_exclusions()
        return {name for name in exclude if name not in self.fields or name in self._errors}

    def _update_errors(self, errors: ValidationError) -> None:
        # ModelForm would replace model messages by the form field's wording for the same
        # error code ("Select a valid choice…"); the model's wording is the registry's.
        self.add_error(None, errors)

    def add_core_errors(self, error: RegistryValidationError) -> None:
        """Show errors raised by the services (payload keys) on the matching form fields."""
        by_payload = {
            model_field_for(self._meta.model, item).attname: model_field_for(
                self._meta.model, item
            ).name
            for item in self.inventory.declaration.writable_fields
        }
        for key, messages in error.errors.items():
            name = by_payload.get(key, key)
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target if key != NON_FIELD else None, message)

    def passes_with_confirmation(self) -> bool:
        """Whether the only thing missing is the confirmation of an embedding-model change."""
        if CONFIRM_FIELD not in self.fields or self.cleaned_data.get(CONFIRM_FIELD):
            return False
        setattr(self.instance, CONFIRM_FIELD, True)
        try:
            self.instance.full_clean()
        except ValidationError:
            return False
        finally:
            setattr(self.instance, CONFIRM_FIELD, False)
        return True

    @property
    def json_fields(self) -> list[str]:
        return [name for name, field in self.fields.items() if isinstance(field, JSONTextField)]


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
        attrs[CONFIRM_FIELD] = forms.BooleanField(
            required=False,
            label="Confirm the change of the knowledge embedding model",
            help_text="Stored vectors were produced with the current dimension and "
            "capabilities; they would no longer match.",
        )
    meta = type(
        "Meta",
        (),
        {"model": model, "fields": names, "labels": labels, "formfield_callback": formfield_for},
    )
    return type(f"{model.__name__}Form", (CoreValidatedForm,), {**attrs, "Meta": meta})


FORMS: dict[str, type[CoreValidatedForm]] = {item.key: form_for(item) for item in INVENTORIES}


class LenientChoiceField(forms.ChoiceField):
    """A choice list offered for convenience; the core validates the value itself."""

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

    def payload(self) -> dict[str, Any]:
        return {
            "enabled": self.cleaned_data["enabled"],
            "embedding_model_id": self.cleaned_data["embedding_model_id"] or None,
        }

    def add_core_errors(self, errors: Mapping[str, list[str]]) -> None:
        for key, messages in errors.items():
            target = (
                "embedding_model_id" if key in ("embedding_model", "embedding_model_id") else key
            )
            for message in messages:
                self.add_error(target if target in self.fields else None, message)
