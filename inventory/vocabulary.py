"""The capabilities facade shared by ``module_sdk.capabilities`` and the HTTP client.

It imports no Django, so the client (``inventory.client``) offers exactly the same pure
functions as the SDK; only ``describe()`` differs in where its answer comes from.
"""

from __future__ import annotations

from typing import Any

from . import capabilities as caps
from . import extra_config
from .errors import RegistryValidationError


class CapabilityVocabulary:
    """The vocabulary, aliases, normalization, runtime methods and ``extra_config`` schemas."""

    vocabulary: tuple[str, ...] = caps.CAPABILITIES
    aliases: dict[str, str] = caps.ALIASES

    def describe(self) -> dict[str, Any]:
        return caps.describe()

    def normalize(self, value: Any) -> str:
        """The canonical CSV form; an unknown capability or a value that is neither a string
        nor a list of strings raises ``RegistryValidationError``."""
        try:
            return caps.normalize(value)
        except (caps.UnknownCapabilityError, TypeError) as error:
            raise RegistryValidationError({"capabilities": [str(error)]}) from error

    def runtime_methods(self, capabilities: Any) -> list[str]:
        return caps.runtime_methods(self.normalize(capabilities))

    def extra_config_schema(self, capabilities: Any) -> dict[str, Any]:
        return extra_config.schema_for(caps.parse_stored(self.normalize(capabilities)))

    def extra_config_schemas(self) -> dict[str, dict[str, Any]]:
        return self.describe()["extra_config_schemas"]
