"""Writes to the governed vocabularies: add and remove terms and aliases.

The SDK, the API, the pages and the inventory import call these; the admin saves the same
models through ``full_clean()``. Rules live in ``inventory.models.vocabulary``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import RegistryValidationError, refuse_unknown_keys
from .models import VocabularyAlias, VocabularyTerm
from .services import delete_instance, save_validated
from .vocabularies import KINDS, UnknownTermError, name_error, spell

TERM_KEYS = ("kind", "name", "label", "description")
ALIAS_KEYS = ("kind", "alias", "term")


def _kind(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in KINDS:
        raise RegistryValidationError(
            {"kind": [f"kind must be one of: {', '.join(KINDS)}; got {value!r}"]}
        )
    return value.strip().lower()


def _payload(payload: Any, keys: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise RegistryValidationError({"payload": ["payload must be a JSON object"]})
    refuse_unknown_keys(payload, keys, known_label="writable fields")
    return payload


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RegistryValidationError({key: [f"{key} must be a string, got {value!r}"]})
    return value.strip()


def term_row(term: VocabularyTerm) -> dict[str, Any]:
    return {
        "kind": term.kind,
        "name": term.name,
        "label": term.label,
        "description": term.description,
        "built_in": term.built_in,
        "aliases": sorted(alias.alias for alias in term.aliases.all()),
    }


def alias_row(alias: VocabularyAlias) -> dict[str, Any]:
    return {
        "kind": alias.kind,
        "alias": alias.alias,
        "term": alias.term.name,
        "built_in": alias.built_in,
    }


def list_terms(kind: Any = None, added_only: bool = False) -> list[dict[str, Any]]:
    """The terms of one vocabulary (or all), built-in first, each with its aliases."""
    queryset = VocabularyTerm.objects.prefetch_related("aliases").order_by("kind", "id")
    if kind is not None:
        queryset = queryset.filter(kind=_kind(kind))
    if added_only:
        queryset = queryset.filter(built_in=False)
    return [term_row(term) for term in queryset]


def list_aliases(kind: Any = None, added_only: bool = False) -> list[dict[str, Any]]:
    queryset = VocabularyAlias.objects.select_related("term").order_by("kind", "id")
    if kind is not None:
        queryset = queryset.filter(kind=_kind(kind))
    if added_only:
        queryset = queryset.filter(built_in=False)
    return [alias_row(alias) for alias in queryset]


def add_term(payload: Any) -> dict[str, Any]:
    """Add a term (``kind``, ``name``, optional ``label`` and ``description``)."""
    payload = _payload(payload, TERM_KEYS)
    term = VocabularyTerm(
        kind=_kind(payload.get("kind")),
        name=_text(payload, "name"),
        label=_text(payload, "label"),
        description=_text(payload, "description"),
    )
    if not term.name:
        raise RegistryValidationError({"name": ["name is required"]})
    save_validated(term)
    return term_row(term)


def add_alias(payload: Any) -> dict[str, Any]:
    """Add an alias (``kind``, ``alias``, ``term``): another accepted spelling of a term."""
    payload = _payload(payload, ALIAS_KEYS)
    kind = _kind(payload.get("kind"))
    alias = _text(payload, "alias")
    if not alias:
        raise RegistryValidationError({"alias": ["alias is required"]})
    try:
        name = KINDS[kind].normalize_one(_text(payload, "term"))  # a term or any alias of it
    except UnknownTermError as error:
        raise RegistryValidationError({"term": [str(error)]}) from error
    found = VocabularyTerm.objects.filter(kind=kind, name=name).first() if name else None
    if found is None:
        raise RegistryValidationError({"term": ["term is required"]})
    row = VocabularyAlias(kind=kind, alias=alias, term=found)
    save_validated(row)
    return alias_row(row)


def _name(value: Any) -> str | None:
    """A name as stored, or ``None`` when ``value`` cannot be one (never looked up)."""
    name = spell(value) if isinstance(value, str) else ""
    return None if name_error(name) else name


def remove_term(kind: Any, name: Any) -> bool:
    """``True`` when removed, ``False`` when there is no such term; a built-in term or one
    still in use raises ``RegistryProtectedError`` naming where it is used."""
    kind, name = _kind(kind), _name(name)
    found = VocabularyTerm.objects.filter(kind=kind, name=name).first() if name else None
    return False if found is None else delete_instance(found)


def remove_alias(kind: Any, alias: Any) -> bool:
    kind, alias = _kind(kind), _name(alias)
    found = VocabularyAlias.objects.filter(kind=kind, alias=alias).first() if alias else None
    return False if found is None else delete_instance(found)


def ensure_term(entry: Any) -> bool:
    """Add a term of an inventory document unless it is already there; ``True`` if added."""
    entry = _payload(entry, TERM_KEYS)
    kind, name = _kind(entry.get("kind")), _name(_text(entry, "name"))
    if name and VocabularyTerm.objects.filter(kind=kind, name=name).exists():
        return False
    add_term(entry)
    return True


def ensure_alias(entry: Any) -> bool:
    """Add an alias of an inventory document unless it is already there."""
    entry = _payload(entry, ALIAS_KEYS)
    kind, alias = _kind(entry.get("kind")), _name(_text(entry, "alias"))
    if alias and VocabularyAlias.objects.filter(kind=kind, alias=alias).exists():
        return False
    add_alias(entry)
    return True


def export_vocabulary() -> dict[str, list[dict[str, Any]]]:
    """The terms and aliases administrators added, for the inventory document."""
    return {
        "terms": [{key: row[key] for key in TERM_KEYS} for row in list_terms(added_only=True)],
        "aliases": [{key: row[key] for key in ALIAS_KEYS} for row in list_aliases(added_only=True)],
    }
