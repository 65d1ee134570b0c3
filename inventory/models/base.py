"""Shared pieces of the inventory models."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import DatabaseDefault

from .. import capabilities as caps
from .. import extra_config
from ..attribute_reader import attribute_reader
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
        outcomes = shared_checks.outcomes()
        if outcomes is not None:
            errors = _shared_field_checks(self, plan, exclude, outcomes)
        else:
            errors = storable_errors(self, exclude)
            exclude |= set(errors)
            # Django's ``Model.clean_fields`` loop
            for check in plan.checks:
                if not check.cleaned or check.name in exclude:
                    continue
                value = getattr(self, check.attname)
                try:
                    value = _cleaned(check, value, self)
                except ValidationError as error:
                    errors[check.name] = error.error_list
                    continue
                setattr(self, check.attname, value)
        if errors:
            raise ValidationError(
                {
                    field: [limit_message(field, item) for item in items]
                    for field, items in errors.items()
                }
            )


def _cleaned(check: FieldCheck, value: Any, instance: models.Model) -> Any:
    """The field's own check of ``value`` (Django's ``Field.clean``), skipped as Django skips
    it: an empty value of an optional field, a database default."""
    field = check.field
    if (field.blank and value in field.empty_values) or isinstance(value, DatabaseDefault):
        return value
    return field.clean(value, instance)


#: value types whose field checks ``_shared_field_checks`` runs once per batch (their
#: outcome depends on the value alone, as for ``shared_checks.SHAREABLE``)
_SHARED_KINDS = shared_checks.SHAREABLE | {type(None)}

#: what checking one value of one field comes to: the storable-value error, else the
#: value as the field's check leaves it, or that check's errors
Outcome = tuple[str | None, Any, list[Any] | None]


def _field_outcome(check: FieldCheck, value: Any, instance: models.Model) -> Outcome:
    message = _storable_message(check.field, check.kind, value) if check.kind else None
    if message or not check.cleaned:
        return message, value, None
    try:
        return None, _cleaned(check, value, instance), None
    except ValidationError as error:
        return None, value, error.error_list


def _shared_field_checks(
    instance: models.Model, plan: FieldPlan, exclude: set[str], outcomes: dict[tuple, Any]
) -> dict[str, list[Any]]:
    """``clean_fields`` inside ``shared_checks.shared()``: each field's storable-value check
    and own check run once per distinct value of the batch (a string, number, boolean,
    ``None`` or choices member; a JSON object or list by its JSON text, whose row keeps its
    own value), their outcome reused for the other rows holding it. Errors come in the
    order of the serial path: the storable-value errors, then the fields' own."""
    unstorable: dict[str, list[Any]] = {}
    refused: dict[str, list[Any]] = {}
    for check, value in zip(plan.checks, plan.read(instance), strict=True):
        if exclude and check.name in exclude:
            continue
        kind = value.__class__
        keep = False  # a JSON value shares its checks' outcome, not its value
        if kind in check.shared:
            key: tuple | None = (check.key, kind, value)
        elif check.json and (text := shared_checks.json_key(value)) is not None:
            key, keep = (check.key, text), True
        elif isinstance(value, models.Choices) and not check.relation:
            key = (check.key, kind, value)  # a choices member (a field's default)
        else:
            key = None
        if key is None:
            found = _field_outcome(check, value, instance)
        elif (found := outcomes.get(key)) is None:
            found = outcomes[key] = _field_outcome(check, value, instance)
        message, cleaned, errors = found
        if message:
            unstorable[check.name] = [message]
        elif errors is not None:
            refused[check.name] = list(errors)
        elif cleaned is not value and not keep:
            setattr(instance, check.attname, cleaned)
    return {**unstorable, **refused} if refused else unstorable


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


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """What ``clean_fields`` checks of one field."""

    field: models.Field
    name: str
    attname: str
    #: the storable-value check (``json``, ``list``, ``text``, ``integer``), if any
    kind: str | None
    #: checked by the field's own ``clean`` (Django's ``clean_fields`` loop)
    cleaned: bool
    relation: bool
    #: a JSON field whose ``clean`` returns the value as given (Django's ``to_python``)
    json: bool
    #: the field's part of a shared outcome's key
    key: int
    #: value types whose checks are shared in a batch (none for a relation: its check reads
    #: the database)
    shared: frozenset[type]


@dataclass(frozen=True)
class FieldPlan:
    """What ``clean_fields`` does with each field of a model, worked out once per model."""

    #: optional text fields (``None`` is stored as ``""``)
    blank_text: tuple[models.Field, ...]
    #: every checked field, in Django's order (the storable ones keep theirs within it)
    checks: tuple[FieldCheck, ...]
    #: the values of ``checks``' fields of an instance, at once
    read: Callable[[models.Model], tuple[Any, ...]]


def _storable_kind(field: models.Field) -> str | None:
    if isinstance(field, models.JSONField):
        return "json"
    if isinstance(field, models.CharField | models.TextField):
        return "list" if isinstance(field, CsvListField | CapabilitiesField) else "text"
    if isinstance(field, models.IntegerField | models.ForeignKey):
        return "integer"
    return None


def _plain_json(field: models.Field) -> bool:
    return isinstance(field, models.JSONField) and type(field).to_python is models.Field.to_python


@cache
def field_plan(model: type[models.Model]) -> FieldPlan:
    kinds = {
        field: kind
        for field in model._meta.concrete_fields
        if (kind := _storable_kind(field)) is not None
    }
    blank_text = tuple(
        field
        for field, kind in kinds.items()
        if kind in ("text", "list") and field.blank and not field.null
    )
    cleaned = [field for field in model._meta.fields if not field.generated]
    checked = [*cleaned, *(field for field in kinds if field not in cleaned)]
    checks = tuple(
        FieldCheck(
            field,
            field.name,
            field.attname,
            kinds.get(field),
            field in cleaned,
            field.is_relation,
            _plain_json(field),
            id(field),
            frozenset() if field.is_relation else _SHARED_KINDS,
        )
        for field in checked
    )
    read = attribute_reader([check.attname for check in checks])
    return FieldPlan(blank_text, checks, read)


def storable_errors(instance: models.Model, exclude: set[str]) -> dict[str, list[str]]:
    """Errors for field values that cannot be stored as given (see ``clean_fields``), in
    the order of the plan's checks, as the shared path reports them."""
    errors: dict[str, list[str]] = {}
    for check in field_plan(type(instance)).checks:
        if check.kind is None or check.name in exclude:
            continue
        message = _storable_message(check.field, check.kind, getattr(instance, check.attname))
        if message:
            errors[check.name] = [message]
    return errors


def _storable_message(field: models.Field, kind: str, value: Any) -> str | None:
    """Why ``value`` cannot be stored in ``field`` (of the storable-value ``kind``) as given."""
    if kind == "json":
        return _json_value_error(field.name, value)
    if kind == "text" and value.__class__ is str:
        return text_error(field.name, value)  # what ``_text_error`` does with a string
    if kind in ("text", "list"):
        return _text_error(field, value)
    if _is_integer(value):
        return None
    return f"{field.attname} {INTEGER.api}, got {value!r}"


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
