"""Shared pieces of the inventory models."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import DatabaseDefault

from .. import capabilities as caps
from .. import extra_config
from ..wording import INTEGER
from . import shared_checks
from .fields import (
    CapabilitiesField,
    CsvListField,
    MaxJsonBytesValidator,
    json_shape_message,
    text_error,
)

#: How deep a JSON value may nest: deeper values overflow the recursion of parsers,
#: encoders and exports long before any real configuration needs them.
MAX_JSON_DEPTH = 64


class StoredState(models.Model):
    """Keeps the values a row was loaded with, so that the change history knows the
    "before" of a write without reading the row again (see ``inventory.history``)."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str, field_names: Any, values: Any) -> models.Model:
        instance = super().from_db(db, field_names, values)
        instance._stored_values = (field_names, values)
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop("_history_state", None)
        fields = self._meta.concrete_fields
        deferred = self.get_deferred_fields()
        if not deferred:
            self._stored_values = (
                [field.attname for field in fields],
                [getattr(self, field.attname) for field in fields],
            )


class CheckedModel(models.Model):
    """A model whose field checks first refuse values no database can store faithfully."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Iterable[str] | None = None) -> None:
        """Field checks, after refusing values no database can store faithfully.

        A list given for a text field would otherwise be stored as its ``repr``, ``True`` for
        an id as ``1``, NaN as ``"nan"``; NUL characters and NaN/Infinity in JSON make
        PostgreSQL fail the write instead of validation; an empty object for a list field or
        an id would skip Django's checks (it counts as empty) and fail in the query. ``None``
        for an optional text field means empty. Size limits are reported with the field name.
        """
        exclude = set(exclude or ())
        plan = field_plan(type(self))
        for field in plan.blank_text:
            if getattr(self, field.attname) is None:
                setattr(self, field.attname, "")
        sharing = shared_checks.active()
        json_keys = (
            {
                field.attname: shared_checks.json_key(getattr(self, field.attname))
                for field in plan.json
                if field.name not in exclude
            }
            if sharing
            else {}
        )
        errors: dict[str, list[Any]] = storable_errors(self, exclude, json_keys)
        exclude |= set(errors)
        # Django's ``Model.clean_fields`` loop, each value's check shared within a batch
        # (``shared_checks``).
        for field in plan.cleaned:
            if field.name in exclude:
                continue
            raw_value = getattr(self, field.attname)
            if field.blank and raw_value in field.empty_values:
                continue
            if isinstance(raw_value, DatabaseDefault):
                continue
            try:
                if sharing and raw_value.__class__ in shared_checks.SHAREABLE:
                    value = shared_checks.once(
                        "clean", field, raw_value, field.clean, raw_value, self
                    )
                elif json_keys.get(field.attname) is not None:
                    # a JSON field's ``clean`` returns the value itself: the row keeps its own
                    key = ("clean", id(field), json_keys[field.attname])
                    shared_checks.outcome(key, field.clean, raw_value, self)
                    value = raw_value
                else:
                    value = field.clean(raw_value, self)
            except ValidationError as error:
                errors[field.name] = error.error_list
                continue
            setattr(self, field.attname, value)
        if errors:
            raise ValidationError(
                {
                    field: [limit_message(field, item) for item in items]
                    for field, items in errors.items()
                }
            )


class TimestampedModel(CheckedModel, StoredState):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        """Database constraints, except the checks that restate a field's choices: those
        values were checked by ``clean_fields`` (Django would query the database for each
        check; the database still enforces it on write)."""
        choice_fields = {field.name for field in self._meta.concrete_fields if field.choices}
        super().validate_constraints(exclude={*(exclude or ()), *choice_fields})

    def delete_refusal(self, error: Exception) -> str:
        """The message shown when a delete is refused because other rows depend on this one."""
        return f"{self._meta.verbose_name} {self} is still referenced and cannot be deleted"


def limit_message(field: str, error: Any) -> Any:
    """A size-limit error of a declared validator, worded with the field and the limit."""
    if not isinstance(error, ValidationError) or error.code not in LIMIT_WORDING:
        return error
    params = error.params or {}
    return ValidationError(
        LIMIT_WORDING[error.code].format(field=field, **params), code=error.code, params=params
    )


LIMIT_WORDING = {
    "max_length": "{field} must be at most {limit_value} characters long (got {show_value})",
    MaxJsonBytesValidator.code: "{field} must be at most {limit_value} bytes as JSON "
    "(got {show_value})",
}


def invalid_choice_message(field: str, choices: type[models.TextChoices]) -> str:
    return f"%(value)r is not a valid {field}; choose one of: {', '.join(choices.values)}"


def status_constraint(table: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(status__in=choices.values), name=f"{table}_status_valid"
    )


def json_object_errors(instance: models.Model, *fields: str) -> dict[str, list[str]]:
    """Errors for JSON fields that must hold an object (a dict)."""
    return {
        field: [json_shape_message(field)]
        for field in fields
        if not isinstance(getattr(instance, field), dict)
    }


def capabilities_under_validation(value: Any) -> list[str] | None:
    """Canonical capabilities of an instance being validated; ``None`` if they are invalid
    (the capabilities field reports that error itself)."""
    def normalized() -> list[str] | None:
        try:
            return caps.normalize_list(value)
        except (caps.UnknownCapabilityError, TypeError):
            return None

    if value.__class__ is not str:
        return normalized()
    tokens = shared_checks.outcome(("capabilities", value), normalized)
    return None if tokens is None else list(tokens)


def extra_config_errors(config: Any, capabilities: Any) -> dict[str, list[str]]:
    """The capability-specific ``extra_config`` errors, keyed by field (the model normalizes
    the value first with ``extra_config.normalized``)."""
    tokens = capabilities_under_validation(capabilities)
    if tokens is None:
        return (
            {}
            if isinstance(config, dict)
            else {"extra_config": [json_shape_message("extra_config")]}
        )
    messages = extra_config.validate(config, tokens)
    return {"extra_config": messages} if messages else {}


@dataclass(frozen=True)
class FieldPlan:
    """What ``clean_fields`` does with each field of a model, worked out once per model."""

    #: optional text fields (``None`` is stored as ``""``)
    blank_text: tuple[models.Field, ...]
    #: (field, kind) of the fields whose values are checked for being storable
    storable: tuple[tuple[models.Field, str], ...]
    #: the fields Django's ``clean_fields`` checks, in its order
    cleaned: tuple[models.Field, ...]
    #: JSON fields whose ``clean`` returns the value as given (Django's ``to_python``)
    json: tuple[models.Field, ...]


@cache
def field_plan(model: type[models.Model]) -> FieldPlan:
    blank_text, storable = [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.JSONField):
            storable.append((field, "json"))
        elif isinstance(field, models.CharField | models.TextField):
            listed = isinstance(field, CsvListField | CapabilitiesField)
            storable.append((field, "list" if listed else "text"))
            if field.blank and not field.null:
                blank_text.append(field)
        elif isinstance(field, models.IntegerField | models.ForeignKey):
            storable.append((field, "integer"))
    cleaned = tuple(field for field in model._meta.fields if not field.generated)
    json = tuple(
        field
        for field in cleaned
        if isinstance(field, models.JSONField) and type(field).to_python is models.Field.to_python
    )
    return FieldPlan(tuple(blank_text), tuple(storable), cleaned, json)


def storable_errors(
    instance: models.Model,
    exclude: set[str],
    json_keys: Mapping[str, bytes | None] | None = None,
) -> dict[str, list[str]]:
    """Errors for field values that cannot be stored as given (see ``clean_fields``); a JSON
    value with a key in ``json_keys`` (``shared_checks.json_key`` by attribute name) is
    checked once per key."""
    json_keys = json_keys or {}
    errors: dict[str, list[str]] = {}
    for field, kind in field_plan(type(instance)).storable:
        if field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        if kind == "json":
            key = json_keys.get(field.attname)
            if key is None:
                message = _json_value_error(field.name, value)
            else:
                key = ("json", id(field), key)
                message = shared_checks.outcome(key, _json_value_error, field.name, value)
        elif kind == "list":  # split into tokens: worth sharing
            message = shared_checks.once("text", field, value, _text_error, field, value)
        elif kind == "text":
            # what ``_text_error`` does with a string, without its type tests
            if value.__class__ is str:
                message = text_error(field.name, value)
            else:
                message = _text_error(field, value)
        else:
            integer = _is_integer(value)
            message = None if integer else f"{field.attname} {INTEGER.api}, got {value!r}"
        if message:
            errors[field.name] = [message]
    return errors


def _is_integer(value: Any) -> bool:
    """Whether ``value`` stores as an integer unchanged: ``None``, an int, a whole float or
    Decimal, or a string of digits (form data). ``True`` and ``1.5`` are not: ``int()``
    would silently turn them into ``1``."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return True
    if isinstance(value, float | Decimal):
        return math.isfinite(value) and value == int(value)
    if isinstance(value, str):
        try:
            int(value)
        except ValueError:
            return False
        return True
    return False


def _text_error(field: models.Field, value: Any) -> str | None:
    if isinstance(field, CsvListField | CapabilitiesField):
        try:
            items = caps.split_tokens(value, field.name)
        except TypeError as error:
            return str(error)
        return next((m for m in (text_error(field.name, item) for item in items) if m), None)
    if isinstance(value, list | tuple | set | dict | bool):
        return f"{field.name} must be a string"
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        return f"{field.name} must be a string, not NaN or Infinity"
    if isinstance(value, str):
        return text_error(field.name, value)
    return None


def _json_value_error(name: str, value: Any) -> str | None:
    """The first unstorable part of a JSON value, in document order (walked without recursion,
    so that a value nested too deeply is reported rather than overflowing the stack)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return f"{name} must not contain NaN or Infinity"
        if isinstance(item, str):
            message = text_error(name, item)
            if message:
                return message
        elif isinstance(item, dict | list | tuple):
            if depth > MAX_JSON_DEPTH:
                return f"{name} is nested too deeply (at most {MAX_JSON_DEPTH} levels)"
            children = (
                [part for pair in item.items() for part in pair]
                if isinstance(item, dict)
                else list(item)
            )
            stack.extend((child, depth + 1) for child in reversed(children))
    return None
