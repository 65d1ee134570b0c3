"""The governed vocabularies as data (``vocabulary_term``, ``vocabulary_alias``).

Built-in terms and aliases are defined in code (``inventory.vocabularies``) and mirrored
here, read-only, so that administrators see the whole vocabulary and may alias a built-in
term; administrators add terms and aliases. A term is never renamed (add an alias instead)
and cannot be removed while any row uses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import RestrictedError

from ..vocabularies import KINDS, SHARED_NAME_SPACE, Kind, name_error, spell
from .fields import text_error


class VocabularyKind(models.TextChoices):
    CAPABILITY = "capability", "capability"
    FEATURE = "feature", "extended capability"
    FORMAT = "format", "format"
    PROVIDER = "provider", "provider"


BUILT_IN_READ_ONLY = "built-in {noun} {name!r} is defined in code and cannot be changed or removed"


def _clash(kind: str, name: str, exclude_alias: int | None = None) -> str | None:
    """What ``name`` already means in the name space of ``kind``, if anything."""
    for other in SHARED_NAME_SPACE.get(kind, (kind,)):
        vocabulary = KINDS[other]
        term = vocabulary.built_in_term(name)
        if term is None:
            term = VocabularyTerm.objects.filter(kind=other, name=name).values_list(
                "name", flat=True
            ).first() or (
                VocabularyAlias.objects.filter(kind=other, alias=name)
                .exclude(pk=exclude_alias)
                .values_list("term__name", flat=True)
                .first()
            )
        if term == name:
            return f"{name!r} is already a known {vocabulary.singular}"
        if term is not None:
            return f"{name!r} is already an alias of the {vocabulary.singular} {term!r}"
    return None


class VocabularyTerm(models.Model):
    Kind = VocabularyKind

    kind = models.CharField(max_length=20, choices=VocabularyKind.choices)
    name = models.CharField(
        max_length=64, help_text="Canonical name: lower-case letters, digits, '_', '.', '+'."
    )
    label = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    built_in = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "vocabulary_term"
        ordering = ["kind", "id"]
        verbose_name = "vocabulary term"
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="vocabulary_term_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def vocabulary(self) -> Kind:
        return KINDS[self.kind]

    def clean_fields(self, exclude: Any = None) -> None:
        """Text a database cannot store (NUL characters, lone surrogates) is refused by
        field before anything is looked up."""
        errors = {
            name: [message]
            for name in ("label", "description")
            if isinstance(getattr(self, name), str)
            and (message := text_error(name, getattr(self, name)))
        }
        try:
            super().clean_fields(exclude=set(exclude or ()) | set(errors))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        if self.kind not in KINDS:
            return  # the choice check reports it
        if isinstance(self.name, str):
            self.name = spell(self.name)
        if self.pk is not None:
            stored = VocabularyTerm.objects.filter(pk=self.pk).values("name", "built_in").first()
            if stored and stored["built_in"]:
                raise ValidationError(
                    BUILT_IN_READ_ONLY.format(noun=self.vocabulary.singular, name=stored["name"])
                )
            if stored and stored["name"] != self.name:
                raise ValidationError(
                    {"name": ["a term cannot be renamed; add an alias of it instead"]}
                )
            return
        message = name_error(self.name) or _clash(self.kind, self.name)
        if message:
            raise ValidationError({"name": [message]})

    def usage(self) -> list[tuple[str, int, list[str]]]:
        """Where the term is used: (what, how many rows, a few row names)."""
        from .usage import rows_using

        return rows_using(self.kind, self.name)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.built_in:
            raise RestrictedError(
                BUILT_IN_READ_ONLY.format(noun=self.vocabulary.singular, name=self.name), set()
            )
        if connection.in_atomic_block:
            # Wait for writes validated with this term to commit, then look for their rows.
            VocabularyTerm.objects.select_for_update().filter(pk=self.pk).first()
        if self.usage():
            raise RestrictedError(self.delete_refusal(None), set())
        return super().delete(*args, **kwargs)

    def delete_refusal(self, error: Exception | None) -> str:
        if self.built_in:
            return BUILT_IN_READ_ONLY.format(noun=self.vocabulary.singular, name=self.name)
        places = "; ".join(
            f"{count} {what} ({', '.join(repr(name) for name in names)}"
            f"{', …' if count > len(names) else ''})"
            for what, count, names in self.usage()
        )
        return (
            f"{self.vocabulary.singular} {self.name!r} is still used by {places}; "
            "change those rows first"
        )


class VocabularyAlias(models.Model):
    Kind = VocabularyKind

    kind = models.CharField(max_length=20, choices=VocabularyKind.choices, editable=False)
    alias = models.CharField(
        max_length=64, help_text="Another spelling accepted for the term (e.g. llama.cpp)."
    )
    term = models.ForeignKey(VocabularyTerm, on_delete=models.CASCADE, related_name="aliases")
    built_in = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "vocabulary_alias"
        ordering = ["kind", "id"]
        verbose_name = "vocabulary alias"
        verbose_name_plural = "vocabulary aliases"
        constraints = [
            models.UniqueConstraint(fields=["kind", "alias"], name="vocabulary_alias_unique_alias")
        ]

    def __str__(self) -> str:
        return f"{self.alias} → {self.term_id and self.term.name}"

    def clean(self) -> None:
        if self.term_id is not None:
            self.kind = self.term.kind
        if isinstance(self.alias, str):
            self.alias = spell(self.alias)
        if self.pk is not None:
            stored = VocabularyAlias.objects.filter(pk=self.pk).values("built_in").first()
            if stored and stored["built_in"]:
                raise ValidationError("built-in aliases are defined in code and cannot be changed")
        if self.term_id is None or self.kind not in KINDS:
            return
        message = name_error(self.alias) or _clash(self.kind, self.alias, self.pk)
        if message:
            raise ValidationError({"alias": [message]})

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.built_in:
            raise RestrictedError(self.delete_refusal(None), set())
        return super().delete(*args, **kwargs)

    def delete_refusal(self, error: Exception | None) -> str:
        return f"built-in alias {self.alias!r} is defined in code and cannot be removed"


def sync_built_ins(
    term_model: type[models.Model] = VocabularyTerm,
    alias_model: type[models.Model] = VocabularyAlias,
    kinds: Iterable[Kind] = KINDS.values(),
) -> None:
    """Mirror the built-in terms and aliases of the code into the tables (idempotent)."""
    for vocabulary in kinds:
        existing = dict(term_model.objects.filter(kind=vocabulary.key).values_list("name", "pk"))
        term_model.objects.bulk_create(
            term_model(kind=vocabulary.key, name=name, built_in=True)
            for name in vocabulary.built_in
            if name not in existing
        )
        term_model.objects.filter(kind=vocabulary.key, name__in=vocabulary.built_in).update(
            built_in=True
        )
        ids = dict(term_model.objects.filter(kind=vocabulary.key).values_list("name", "pk"))
        aliases = set(
            alias_model.objects.filter(kind=vocabulary.key).values_list("alias", flat=True)
        )
        alias_model.objects.bulk_create(
            alias_model(kind=vocabulary.key, alias=alias, term_id=ids[term], built_in=True)
            for alias, term in vocabulary.aliases.items()
            if alias not in aliases
        )


class DatabaseResolver:
    """The added terms and aliases, read from the tables when a token is not built in.

    Nothing is cached: a term an administrator adds is accepted by the next validation in
    every worker, and a built-in token (most of them) costs no query at all.
    """

    def resolve(self, kind: str, tokens: Sequence[str]) -> dict[str, str]:
        found = {
            name: name
            for name in VocabularyTerm.objects.filter(kind=kind, name__in=tokens).values_list(
                "name", flat=True
            )
        }
        rest = [token for token in tokens if token not in found]
        if rest:
            found.update(
                VocabularyAlias.objects.filter(kind=kind, alias__in=rest).values_list(
                    "alias", "term__name"
                )
            )
        if found and connection.in_atomic_block:
            # A write is being validated: hold the terms until it commits, so that a
            # concurrent removal waits and then sees the row that uses them.
            held = set(
                VocabularyTerm.objects.select_for_update(no_key=True)
                .filter(kind=kind, name__in=set(found.values()))
                .values_list("name", flat=True)
            )
            found = {token: term for token, term in found.items() if term in held}
        return found

    def added_terms(self, kind: str) -> list[str]:
        return list(
            VocabularyTerm.objects.filter(kind=kind, built_in=False)
            .order_by("id")
            .values_list("name", flat=True)
        )

    def added_aliases(self, kind: str) -> dict[str, str]:
        return dict(
            VocabularyAlias.objects.filter(kind=kind, built_in=False)
            .order_by("id")
            .values_list("alias", "term__name")
        )
