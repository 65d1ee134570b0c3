"""Form machinery shared by the inventory pages and the Django admin: the model decides.

Form fields here only turn text into Python values (JSON, numbers, a related row). Whether a
value is acceptable, including an empty one, a choice outside the list or a number out of
range, is decided by the model's ``full_clean()`` (its fields, normalizers and ``clean()``),
so both doors refuse exactly what the SDK and the API refuse, with the same messages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db import models
from django.forms.fields import InvalidJSONInput
from django.forms.models import construct_instance

from . import secrets
from .errors import NON_FIELD, RegistryValidationError
from .models.secret_config import SecretConfigField
from .wording import for_screen

#: The flag a model reads to accept a change of the knowledge embedding model.
CONFIRM_FIELD = "confirm_embedding_model_change"
#: The flag a registered model reads to go beyond its engine's capacity.
OVER_CAPACITY_FIELD = "allow_over_capacity"


class PrettyJSONField(forms.JSONField):
    """JSON edited as indented text. Text nested too deeply for the parser is invalid JSON
    (the model refuses anything nested deeper than its own limit)."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except RecursionError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None

    def bound_data(self, data: Any, initial: Any) -> Any:
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, InvalidJSONInput):
            return value
        text = json.dumps(value, indent=2, ensure_ascii=False, cls=self.encoder)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (from a ``\ud800`` escape) cannot be sent in a page: keep it
            # escaped so the form shows it back with the model's message.
            return json.dumps(value, indent=2, cls=self.encoder)
        return text


class SecretConfigFormField(PrettyJSONField):
    """A config with secrets, shown masked (also when shown back with an error): the clear
    value never reaches the page, and the mask sent back keeps the stored secret."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, InvalidJSONInput):
            return InvalidJSONInput(secrets.mask_json_text(value))
        return super().prepare_value(secrets.mask_config(value))


class ReferenceField(forms.ModelChoiceField):
    """A related row chosen from a list, read as its id without a query: whether it exists is
    the model's check (``engine_id does not exist``), made when the reference changes."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        return self.queryset.model(pk=value)


class IntegerTextField(forms.IntegerField):
    """A whole number passed on as text, so that the model parses it and its message names
    the field (``vram_required_mb must be an integer, got '1.5'``)."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        return str(value).strip()


class LenientTypedChoiceField(forms.TypedChoiceField):
    """A choice list for a model field with choices; the model reports a value outside it."""

    def valid_value(self, value: Any) -> bool:
        return True


def parse_only_options(model_field: models.Field) -> dict[str, Any]:
    """``formfield()`` options that leave the decision to the model (for form callbacks)."""
    if isinstance(model_field, models.ForeignKey):
        return {"form_class": ReferenceField}
    if isinstance(model_field, SecretConfigField):
        return {"form_class": SecretConfigFormField}
    if isinstance(model_field, models.JSONField):
        return {"form_class": PrettyJSONField}
    if model_field.choices:
        return {"choices_form_class": LenientTypedChoiceField}
    if isinstance(model_field, models.IntegerField) and not isinstance(
        model_field, models.AutoField
    ):
        return {"form_class": IntegerTextField}
    return {}


def confirm_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label="Confirm the change of the knowledge embedding model",
        help_text="Needed to change the knowledge embedding model (or its dim or capabilities) "
        "while knowledge is enabled: vectors stored so far would no longer match.",
    )


def over_capacity_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label="Allow going beyond the engine's capacity",
        help_text="Needed to activate, move or grow an active model when the engine's active "
        "models would then need more VRAM or RAM than the engine declares.",
    )


def screen_labels(form: forms.BaseForm, keys: Mapping[str, str]) -> dict[str, str]:
    """Each field's label under its form name and its API keys (``engine`` and ``engine_id``),
    for messages in the screen's words."""
    labels = {name: str(field.label) for name, field in form.fields.items() if field.label}
    for key, name in keys.items():
        if name in labels:
            labels.setdefault(key, labels[name])
    return labels


class ModelDecidesForm(forms.ModelForm):
    """A ModelForm whose only validation is the model's ``full_clean()``.

    Range and NUL-character validators copied onto the form fields are dropped (the model has
    its own), required fields are checked by the model, and the model's messages are kept as
    worded (a ModelForm would otherwise replace them by the form field's own wording for the
    same error code). ``required`` is left on the fields for display (the admin marks
    required labels).
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators = [
                v
                for v in field.validators
                if not isinstance(
                    v, MinValueValidator | MaxValueValidator | ProhibitNullCharactersValidator
                )
            ]
            for attr in ("min", "max"):
                field.widget.attrs.pop(attr, None)

    def full_clean(self) -> None:
        required = {name: field.required for name, field in self.fields.items()}
        for field in self.fields.values():
            field.required = False
        try:
            super().full_clean()
        finally:
            for name, field in self.fields.items():
                field.required = required[name]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in (CONFIRM_FIELD, OVER_CAPACITY_FIELD):
            if name in self.fields:
                setattr(self.instance, name, bool(cleaned.get(name)))
        return cleaned

    def _post_clean(self) -> None:
        """Copy the parsed values onto the instance; the model is validated once, when the
        service saves it (``save_through``), and its errors come back with
        ``add_core_errors``."""
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except ValidationError as error:
            self._update_errors(error)

    def payload(self, changed_only: bool = True) -> dict[str, Any]:
        """The form's values as a service payload (``engine`` as ``engine_id``), only the
        fields the user changed unless ``changed_only`` is false (a new row)."""
        names = self.changed_data if changed_only else list(self.fields)
        payload: dict[str, Any] = {}
        for field in self._meta.model._meta.concrete_fields:
            if field.name in names and field.name in self.cleaned_data:
                value = self.cleaned_data[field.name]
                payload[field.attname] = value.pk if isinstance(value, models.Model) else value
        return payload

    def save_through(self, service: Any, etag: str | None = None, row: Any = None) -> models.Model:
        """Create, or change only the edited fields of, the row through ``service``: one
        validation, under the row lock; with ``etag``, a row changed since the form was
        opened is refused (``StaleRowError``) and nothing is written. ``row``: the row as
        the caller read it under its lock (``service.locked``), the form holding a copy."""
        options = {
            name: True
            for name in (CONFIRM_FIELD, OVER_CAPACITY_FIELD)
            if self.cleaned_data.get(name)
        }
        if self.instance._state.adding:
            return service.create_instance(self.payload(changed_only=False), **options)
        if row is not None:
            return service.update_locked(row, self.payload(), etag, **options)
        saved = service.update_instance(self.instance.pk, self.payload(), etag, **options)
        if saved is None:
            raise RegistryValidationError(
                f"{self._meta.model._meta.verbose_name} {self.instance.pk} no longer exists"
            )
        return saved

    def _get_validation_exclusions(self) -> set[str]:
        # The model decides about empty values too: only skip fields that are not on the form
        # or that could not even be parsed.
        exclude = super()._get_validation_exclusions()
        return {name for name in exclude if name not in self.fields or name in self._errors}

    def _update_errors(self, errors: ValidationError) -> None:
        self.add_error(None, errors)

    def add_core_errors(self, errors: Mapping[str, list[str]]) -> None:
        """Show errors raised by the services (keyed by payload name, e.g. ``engine_id``) on
        the matching form fields."""
        names = {field.attname: field.name for field in self._meta.model._meta.concrete_fields}
        labels = screen_labels(self, names)
        for key, messages in errors.items():
            name = names.get(key, key)
            target = name if name in self.fields and key != NON_FIELD else None
            for message in messages:
                self.add_error(target, for_screen(message, labels))

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
