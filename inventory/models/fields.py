"""Model fields that normalize their input, so every door stores the same canonical form."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from .. import capabilities as caps
from ..values import as_bool, boolean_message, shown
from ..vocabularies import KINDS, UnknownTermError
from ..wording import NON_NEGATIVE_INTEGER

#: The largest value of an ``integer`` column on PostgreSQL. SQLite would store more, so the
#: model refuses it on every database alike.
MAX_MEGABYTES = 2_147_483_647


def megabytes_field(field: str, optional: bool = False, **options: Any) -> models.IntegerField:
    """A size in MB: a non-negative integer (``optional``: may be empty, meaning unknown)."""
    validators = list(megabyte_validators(field))
    if optional:
        return models.PositiveIntegerField(
            null=True, blank=True, default=None, validators=validators, **options
        )
    return models.PositiveIntegerField(default=0, validators=validators, **options)


class StrippedCharField(models.CharField):
    """A CharField that trims surrounding white space before validation."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value.strip() if isinstance(value, str) else value


class LowercaseCharField(StrippedCharField):
    """A trimmed CharField stored lower-case (provider names, hints)."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value.lower() if isinstance(value, str) else value


class FlagField(models.BooleanField):
    """A boolean that reads input as the filters do: bools, 0/1 and true/false, yes/no,
    on/off in any case."""

    def to_python(self, value: Any) -> bool:
        try:
            return as_bool(value)
        except ValueError:
            raise ValidationError(boolean_message(self.name, value), code="invalid") from None


class CapabilitiesField(models.CharField):
    """Capabilities in their canonical CSV form; accepts a CSV string or a list."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("max_length", 512)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        try:
            return caps.normalize(value)
        except caps.UnknownCapabilityError as error:
            raise ValidationError(str(error), code="invalid_capability") from error
        except TypeError as error:
            raise ValidationError(str(error), code="invalid") from error

    def get_prep_value(self, value: Any) -> str:
        return caps.normalize(value)


class VocabularyField(models.CharField):
    """One term of a governed vocabulary (``provider``, ``format``), aliases applied; an
    unknown value is refused with the vocabulary listed."""

    def __init__(self, *args: Any, vocabulary: str, **kwargs: Any):
        self.vocabulary = vocabulary
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["vocabulary"] = self.vocabulary
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if not isinstance(value, str) or text_error(self.name, value):
            return value  # reported by the model's storable-value check
        try:
            return KINDS[self.vocabulary].normalize_one(value)
        except UnknownTermError as error:
            raise ValidationError(str(error), code="invalid_choice") from error


def normalize_free_list(value: str | Iterable[str] | None) -> str:
    """A free CSV list (tags, interfaces): trimmed, empties dropped, first occurrence kept."""
    result: list[str] = []
    for token in caps.split_tokens(value):
        token = token.strip()
        if token and token not in result:
            result.append(token)
    return ",".join(result)


class BoundedTextField(models.TextField):
    """A TextField whose ``max_length`` is enforced by model validation (Django's own only
    sizes the form widget), so the limit is declared once, on the field."""

    @cached_property
    def validators(self) -> list[Any]:
        return [*super().validators, MaxLengthValidator(self.max_length)]


class CsvListField(BoundedTextField):
    """A free CSV list of strings; accepts a CSV string or a list."""

    def normalize(self, value: Any) -> str:
        return normalize_free_list(value)

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("max_length", 1000)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        try:
            return self.normalize(value)
        except UnknownTermError as error:
            raise ValidationError(str(error), code="invalid_choice") from error
        except TypeError as error:
            message = str(error)
            if not message.startswith(self.name):
                message = message.replace("capabilities", self.name, 1)
            raise ValidationError(message, code="invalid") from error

    def get_prep_value(self, value: Any) -> str:
        return self.normalize(value)


def normalize_extended(value: str | Iterable[str] | None) -> str:
    """Extended capabilities (features) in canonical CSV form; an unknown token is refused
    with the vocabulary listed (``UnknownTermError``)."""
    return KINDS["feature"].normalize(value)


class ExtendedCapabilitiesField(CsvListField):
    """Extended capabilities: a CSV list governed by the feature vocabulary."""

    def normalize(self, value: Any) -> str:
        return normalize_extended(value)


@cache
def megabyte_validators(key: str) -> tuple[Any, ...]:
    """The one rule of a size in megabytes (a registered model's ``vram_required_mb``, a
    catalog row's ``requirements.vram_mb``…): a whole number from 0 to ``MAX_MEGABYTES``."""
    return (
        MinValueValidator(0, message=f"{key} {NON_NEGATIVE_INTEGER.api}, got %(value)r"),
        MaxValueValidator(
            MAX_MEGABYTES, message=f"{key} must be at most {MAX_MEGABYTES}, got %(value)r"
        ),
    )


def megabyte_errors(key: str, value: Any) -> list[str]:
    """``megabyte_validators`` applied to a raw JSON value (which must be an integer)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{key} {NON_NEGATIVE_INTEGER.api}, got {shown(value)}"]
    errors: list[str] = []
    for validator in megabyte_validators(key):
        try:
            validator(value)
        except ValidationError as error:
            errors.extend(error.messages)
    return errors


def text_error(name: str, value: str) -> str | None:
    """Why a string cannot be stored as given (NUL characters, lone surrogates), or ``None``."""
    if "\x00" in value:
        return f"{name} must not contain NUL characters"
    if value.isascii():  # no surrogate (a constant-time test)
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{name} must be valid Unicode text (no lone surrogates)"
    return None


def json_shape_message(name: str, shape: type[dict] | type[list] = dict) -> str:
    """The one wording for a JSON field holding the wrong kind of value."""
    return f"{name} must be a JSON {'object' if shape is dict else 'list'}"


#: ``json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=True)``, with
#: its encoder made once instead of on every call
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=True)


def json_size(value: Any) -> int:
    """The bytes a JSON value takes in an API response (compact UTF-8, as DRF renders it)."""
    return len(_COMPACT.encode(value).encode("utf-8", "surrogatepass"))


@deconstructible
class MaxJsonBytesValidator:
    """A JSON value no larger than ``limit_value`` bytes as rendered (``json_size``)."""

    code = "max_json_bytes"

    def __init__(self, limit_value: int):
        self.limit_value = limit_value

    def __call__(self, value: Any) -> None:
        size = json_size(value)
        if size > self.limit_value:
            raise ValidationError(
                "Ensure this value takes at most %(limit_value)d bytes as JSON (it has "
                "%(show_value)d).",
                code=self.code,
                params={"limit_value": self.limit_value, "show_value": size},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxJsonBytesValidator) and other.limit_value == self.limit_value

    def __hash__(self) -> int:
        return hash((MaxJsonBytesValidator, self.limit_value))


def json_max_bytes(field: models.Field) -> int | None:
    """The declared size limit of a JSON field, from its validator."""
    return next(
        (v.limit_value for v in field.validators if isinstance(v, MaxJsonBytesValidator)), None
    )


def json_field(
    name: str,
    shape: type[dict] | type[list] = dict,
    field_class: type[models.JSONField] = models.JSONField,
    max_bytes: int = 8192,
    help_text: str = "",
    **options: Any,
) -> models.JSONField:
    """A JSON column holding an object (or a list), empty by default, at most ``max_bytes`` as
    JSON; ``None`` is refused with the same message as any other wrong kind of value."""
    return field_class(
        default=shape,
        blank=True,
        validators=[MaxJsonBytesValidator(max_bytes)],
        error_messages={"null": json_shape_message(name, shape)},
        help_text=f"{help_text} At most {max_bytes} bytes as JSON.".strip(),
        **options,
    )


@deconstructible
class RemoteURLValidator:
    """A URL with a scheme (``https://``, ``hf://``, ``ollama://``, ``s3://``…), no white space,
    and never a scheme that runs code in a browser."""

    pattern = re.compile(r"[a-z][a-z0-9+.\-]*://\S+", re.IGNORECASE)
    refused_schemes = frozenset({"javascript", "vbscript", "data"})

    def __call__(self, value: str) -> None:
        scheme = value.split(":", 1)[0].lower()
        if not self.pattern.fullmatch(value) or scheme in self.refused_schemes:
            raise ValidationError(
                "remote_url must be a URL with a scheme, such as https://…, hf://… or "
                "ollama://…, got %(value)r",
                code="invalid_url",
                params={"value": value},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RemoteURLValidator)

    def __hash__(self) -> int:
        return hash(RemoteURLValidator)


def remote_url_field() -> models.CharField:
    return models.CharField(max_length=2048, blank=True, validators=[RemoteURLValidator()])
