"""The capabilities facade shared by ``module_sdk.capabilities`` and the HTTP client.

It imports no Django, so the client (``inventory.client``) offers exactly the same pure
functions as the SDK over the same live vocabulary: the SDK's resolver reads the terms
administrators added from the database, the client's asks the server (``describe()``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import capabilities as caps
from . import extra_config
from .errors import RegistryValidationError
from .vocabularies import CAPABILITY, KINDS, Resolver


class CapabilityVocabulary:
    """The vocabulary, aliases, normalization, runtime methods and ``extra_config`` schemas."""

    resolver: Resolver | None = None  # None: the process's resolver (the database)

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """The live capabilities: built-in, then those administrators added."""
        return tuple(CAPABILITY.known(self.resolver))

    @property
    def aliases(self) -> dict[str, str]:
        return CAPABILITY.describe(self.resolver)["aliases"]

    def describe(self) -> dict[str, Any]:
        return caps.describe()

    def normalize(self, value: Any) -> str:
        """The canonical CSV form; an unknown capability or a value that is neither a string
        nor a list of strings raises ``RegistryValidationError``."""
        try:
            return caps.normalize(value, self.resolver)
        except (caps.UnknownCapabilityError, TypeError) as error:
            raise RegistryValidationError({"capabilities": [str(error)]}) from error

    def normalize_term(self, kind: str, value: Any) -> str:
        """One term of a governed vocabulary (``provider``, ``format``…), aliases applied."""
        vocabulary = KINDS.get(kind)
        if vocabulary is None:
            raise RegistryValidationError({"kind": [f"kind must be one of: {', '.join(KINDS)}"]})
        if value is not None and not isinstance(value, str):
            message = f"{vocabulary.field} must be a string"
            raise RegistryValidationError({vocabulary.field: [message]})
        try:
            return vocabulary.normalize_one(value, self.resolver)
        except ValueError as error:
            raise RegistryValidationError({vocabulary.field: [str(error)]}) from error

    def runtime_methods(self, capabilities: Any) -> list[str]:
        return caps.runtime_methods(self.normalize(capabilities))

    def extra_config_schema(self, capabilities: Any) -> dict[str, Any]:
        return extra_config.schema_for(caps.parse_stored(self.normalize(capabilities)))

    def extra_config_schemas(self) -> dict[str, dict[str, Any]]:
        return self.describe()["extra_config_schemas"]


class DescribedResolver:
    """The added terms and aliases as a server describes them (``GET capabilities/``).

    The description is fetched when first needed and fetched again when a token is not
    found, so a term added on the server a moment ago is accepted by the next call.
    """

    def __init__(self, fetch: Callable[[], dict[str, Any]]):
        self.fetch = fetch
        self._vocabularies: dict[str, Any] | None = None

    def _get(self, kind: str, refresh: bool = False) -> dict[str, Any]:
        if self._vocabularies is None or refresh:
            self._vocabularies = self.fetch().get("vocabularies") or {}
        return self._vocabularies.get(kind) or {}

    def _lookup(self, kind: str, tokens: Sequence[str], refresh: bool) -> dict[str, str]:
        described = self._get(kind, refresh)
        terms = set(described.get("terms") or ())
        aliases = described.get("aliases") or {}
        found: dict[str, str] = {}
        for token in tokens:
            if token in terms:
                found[token] = token
            elif aliases.get(token) in terms:
                found[token] = aliases[token]
        return found

    def resolve(self, kind: str, tokens: Sequence[str]) -> dict[str, str]:
        found = self._lookup(kind, tokens, refresh=False)
        if len(found) < len(set(tokens)):
            found = self._lookup(kind, tokens, refresh=True)
        return found

    def added_terms(self, kind: str) -> list[str]:
        described = self._get(kind)
        built_in = set(described.get("built_in") or KINDS[kind].built_in)
        return [term for term in described.get("terms") or () if term not in built_in]

    def added_aliases(self, kind: str) -> dict[str, str]:
        aliases = self._get(kind).get("aliases") or {}
        return {key: value for key, value in aliases.items() if key not in KINDS[kind].aliases}
