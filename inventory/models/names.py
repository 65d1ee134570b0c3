"""Canonical names: one spelling per name, and no two names that differ only in case.

A name is stored NFKC-normalized with Unicode dashes folded to ``-``, so look-alikes typed or
pasted from other tools (full-width letters, ligatures, non-breaking hyphens) are the same
name. Characters that cannot be seen or that reorder text (zero-width spaces and joiners,
BOM, bidirectional controls, control characters) are refused rather than silently removed,
so what a user reads is what is stored. Uniqueness ignores case and is enforced by a
functional unique index on ``Lower(name)``; validation asks the database with the same
expression, so the check and the index always agree.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from .fields import StrippedCharField

#: Unicode categories of characters that are invisible or change the order text is shown
#: in: controls (Cc), format characters (Cf: zero-width space/joiners, BOM, soft hyphen,
#: U+202A to U+202E and U+2066 to U+2069 bidi controls…), line/paragraph separators, surrogates
#: and private use.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})
#: Blank characters outside those categories that render as nothing (fillers, joiners).
INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
#: Dashes that read as a hyphen; NFKC keeps them distinct from ``-``.
DASHES = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63"}


def canonical_name(value: str) -> str:
    """A name as stored: NFKC, dashes folded to ``-``, surrounding white space trimmed."""
    if value.isascii():  # ASCII text is its own NFKC form and holds none of those dashes
        return value.strip()
    return unicodedata.normalize("NFKC", value).translate(DASHES).strip()


def hidden_character(value: str) -> tuple[int, str] | None:
    """The first invisible or bidi-control character of ``value`` and its position."""
    if value.isascii() and value.isprintable():
        return None  # the only such ASCII characters are controls (Cc), never printable
    for position, char in enumerate(value):
        if char in INVISIBLE or unicodedata.category(char) in REFUSED_CATEGORIES:
            return position, char
    return None


class NameField(StrippedCharField):
    """A unique-in-any-case entity name in canonical form (see the module docstring)."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return canonical_name(value) if isinstance(value, str) else value

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        found = hidden_character(value) if isinstance(value, str) else None
        if found:
            position, char = found
            raise ValidationError(
                f"{self.name} must not contain invisible or bidirectional control characters "
                f"(U+{ord(char):04X} {unicodedata.name(char, 'control character')} at "
                f"position {position + 1})",
                code="invisible_character",
            )


def unique_name_constraint(table: str) -> models.UniqueConstraint:
    """The database's guarantee: no two rows whose names differ only in case."""
    return models.UniqueConstraint(Lower("name"), name=f"{table}_name_ci_unique")


class NamedModel(models.Model):
    """A model with a ``NameField`` unique in any case, reported as ``<name_in_use> (by "X")``.

    Subclasses set ``name_in_use`` (the first words modules match on, e.g. ``engine name
    already in use``) and add ``unique_name_constraint`` to their constraints.
    """

    name_in_use: str = "name already in use"

    class Meta:
        abstract = True

    def name_clash(self) -> models.Model | None:
        """Another row holding this name in any case, asked with the index's own expression."""
        if not isinstance(self.name, str) or not self.name:
            return None
        others = type(self)._default_manager.alias(_lower=Lower("name"))
        others = others.filter(_lower=Lower(models.Value(self.name)))
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        return others.only("name").first()

    def validate_unique(self, exclude: Any = None) -> None:
        errors: dict[str, list[Any]] = {}
        try:
            super().validate_unique(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "name" not in (exclude or ()) and "name" not in errors:
            other = self.name_clash()
            if other is not None:
                errors["name"] = [
                    ValidationError(f'{self.name_in_use} (by "{other.name}")', code="unique")
                ]
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude: Any = None) -> None:
        """Other constraints; the name index is checked by ``validate_unique``, which names
        the clash instead of Django's generic "constraint is violated"."""
        super().validate_constraints(exclude={*(exclude or ()), "name"})
