"""Capability-specific rules for ``extra_config`` and their JSON Schemas.

One declaration (``DIM`` and ``DEFAULT_KEYS``) drives both the validator used by the models
and the JSON Schema published to forms, the API and the SDK.

* ``extra_config.dim``: a positive JSON integer, only on models with ``embedding``.
* ``extra_config.defaults``: LLM parser and generation defaults, only on models with
  ``chat`` or ``reasoning`` (any model may state its ``context_length``); known keys are
  range-checked, a misspelt key is an error, engine-specific knobs go under
  ``defaults.extra``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .capabilities import CAPABILITIES, LLM_CAPABILITIES
from .values import shown
from .wording import POSITIVE_INTEGER


@dataclass(frozen=True)
class Rule:
    """A value rule that can check a value and describe itself as JSON Schema."""

    kind: str  # "integer", "number", "string", "string_list", "object"
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    description: str = ""

    def check(self, value: Any) -> bool:
        if self.kind == "integer":
            if not _is_integer(value):
                return False
        elif self.kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            if isinstance(value, float) and not math.isfinite(value):
                return False
        elif self.kind == "string":
            return isinstance(value, str)
        elif self.kind == "string_list":
            return isinstance(value, list) and all(isinstance(item, str) for item in value)
        elif self.kind == "object":
            return isinstance(value, dict)
        if self.minimum is not None:
            if self.exclusive_minimum and value <= self.minimum:
                return False
            if value < self.minimum:
                return False
        return not (self.maximum is not None and value > self.maximum)

    def expectation(self) -> str:
        """Human wording of the rule, used in error messages."""
        if self.kind == "string_list":
            return "a list of strings"
        if self.kind == "object":
            return "a JSON object"
        if self.kind == "string":
            return "a string"
        noun = "an integer" if self.kind == "integer" else "a number"
        if self.minimum == 1 and self.maximum is None and self.kind == "integer":
            return "a positive integer"
        if self.minimum is not None and self.maximum is not None:
            low = "greater than" if self.exclusive_minimum else "between"
            if self.exclusive_minimum:
                return f"{noun} {low} {_fmt(self.minimum)} and at most {_fmt(self.maximum)}"
            return f"{noun} between {_fmt(self.minimum)} and {_fmt(self.maximum)}"
        return noun

    def json_schema(self) -> dict:
        if self.kind == "string_list":
            schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
        else:
            schema = {"type": self.kind}
        if self.minimum is not None:
            key = "exclusiveMinimum" if self.exclusive_minimum else "minimum"
            schema[key] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.description:
            schema["description"] = self.description
        return schema


def _is_integer(value: Any) -> bool:
    """An integer as JSON Schema counts them: ``768`` and ``768.0`` (the same JSON number),
    never ``True`` or ``1.5``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or (math.isfinite(value) and value.is_integer())


def _as_int(value: Any) -> Any:
    return int(value) if isinstance(value, float) and _is_integer(value) else value


def normalized(extra_config: Any) -> Any:
    """``extra_config`` with whole numbers under integer rules stored as integers
    (``{"dim": 768.0}`` is stored as ``{"dim": 768}``); anything else is returned as given."""
    if not isinstance(extra_config, dict):
        return extra_config
    result = dict(extra_config)
    if "dim" in result:
        result["dim"] = _as_int(result["dim"])
    defaults = result.get("defaults")
    if isinstance(defaults, dict):
        integers = {key for key, rule in DEFAULT_KEYS.items() if rule.kind == "integer"}
        result["defaults"] = {
            key: _as_int(value) if key in integers else value for key, value in defaults.items()
        }
    return result


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


DIM = Rule(
    "integer", minimum=1, description="Vector dimension of the embeddings this model produces."
)

DEFAULT_KEYS: dict[str, Rule] = {
    "temperature": Rule("number", 0, 2, description="Sampling temperature."),
    "top_p": Rule("number", 0, 1, exclusive_minimum=True, description="Nucleus sampling mass."),
    "top_k": Rule("integer", 1, description="Sample from the k most likely tokens."),
    "max_tokens": Rule("integer", 1, description="Upper bound on generated tokens."),
    "presence_penalty": Rule("number", -2, 2),
    "frequency_penalty": Rule("number", -2, 2),
    "stop": Rule("string_list", description="Stop sequences."),
    "seed": Rule("integer", description="Sampling seed."),
    "context_length": Rule("integer", 1, description="Context window in tokens."),
    "output_parser": Rule("string", description="Parser applied to generated output."),
    "reasoning_parser": Rule("string", description="Parser that separates reasoning from answer."),
    "extra": Rule("object", description="Engine-specific generation settings, not checked."),
}


#: Defaults that describe the model itself rather than generation: allowed on any model.
ANY_MODEL_KEYS: tuple[str, ...] = ("context_length",)


def validate(extra_config: Any, capabilities: Iterable[str]) -> list[str]:
    """All rule violations of ``extra_config`` for a model with these capabilities."""
    if not isinstance(extra_config, dict):
        return ["extra_config must be a JSON object"]
    present = set(capabilities)
    errors: list[str] = []
    if "dim" in extra_config:
        if not DIM.check(extra_config["dim"]):
            errors.append(
                f"extra_config.dim {POSITIVE_INTEGER.api}, got {shown(extra_config['dim'])}"
            )
        elif "embedding" not in present:
            errors.append(
                "extra_config.dim is only allowed on models with the embedding capability"
            )
    if "defaults" in extra_config:
        errors.extend(_validate_defaults(extra_config["defaults"], present))
    return errors


def _validate_defaults(defaults: Any, present: set[str]) -> list[str]:
    if not isinstance(defaults, dict):
        return ["extra_config.defaults must be a JSON object"]
    if set(defaults) - set(ANY_MODEL_KEYS) and not (present & LLM_CAPABILITIES):
        return [
            "extra_config.defaults (LLM generation defaults) is only allowed on models "
            "with the chat or reasoning capability (other models may set only "
            f"{', '.join(ANY_MODEL_KEYS)})"
        ]
    errors: list[str] = []
    for key, value in defaults.items():
        rule = DEFAULT_KEYS.get(key)
        if rule is None:
            errors.append(
                f"extra_config.defaults.{key} is not a known key; known keys: "
                f"{', '.join(DEFAULT_KEYS)} (engine-specific settings go under defaults.extra)"
            )
        elif not rule.check(value):
            errors.append(
                f"extra_config.defaults.{key} must be {rule.expectation()}, got {shown(value)}"
            )
    return errors


def valid_dim(extra_config: Any) -> int | None:
    """The ``dim`` value when present and valid, else ``None``."""
    if isinstance(extra_config, dict) and DIM.check(extra_config.get("dim")):
        return extra_config["dim"]
    return None


def _defaults_schema(keys: Iterable[str] = DEFAULT_KEYS) -> dict:
    return {
        "type": "object",
        "description": "LLM parser and generation defaults.",
        "properties": {key: DEFAULT_KEYS[key].json_schema() for key in keys},
        "additionalProperties": False,
    }


def schema_for(capabilities: Iterable[str]) -> dict:
    """JSON Schema of ``extra_config`` for a model with these capabilities."""
    present = set(capabilities)
    properties: dict[str, Any] = {}
    if "embedding" in present:
        properties["dim"] = DIM.json_schema()
    else:
        properties["dim"] = {"not": {}, "description": "Only on models with embedding."}
    if present & LLM_CAPABILITIES:
        properties["defaults"] = _defaults_schema()
    else:
        properties["defaults"] = {
            **_defaults_schema(ANY_MODEL_KEYS),
            "description": "LLM defaults are only allowed on models with chat or reasoning; "
            f"other models may set only {', '.join(ANY_MODEL_KEYS)}.",
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "additionalProperties": True,
    }


def schemas_by_capability(capabilities: Iterable[str] = CAPABILITIES) -> dict[str, dict]:
    """The ``extra_config`` JSON Schema for each capability of the vocabulary."""
    return {capability: schema_for([capability]) for capability in capabilities}
