"""Secret keys in engine ``config``: the field that holds them and the names marked secret.

The built-in secret names live in ``inventory.secrets``; administrators add their own here
(for example ``x_custom_auth``). Marking a name is global, because providers name their
credentials the same way on every engine, and it seals at once every value already stored
under that name. Removing a mark leaves stored values encrypted (still masked) until they
are written again.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from .. import secrets
from .fields import text_error


class SecretConfigField(models.JSONField):
    """A JSON object whose secret keys are stored encrypted (see ``inventory.secrets``)."""


class SecretConfigModel(models.Model):
    """A model with a ``config`` whose secrets keep their stored value when the writer sends
    the mask: the stored config is remembered on load; ``clean()`` and ``save()`` seal the
    config against it (``seal_secrets``).
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Sealed already by clean() and unchanged since: no second pass (nor its query).
        if self.config != getattr(self, "_sealed_config", None):
            errors = self.seal_secrets()
            if errors:
                raise ValidationError(errors)
        super().save(*args, **kwargs)
        self._stored_config = copy.deepcopy(self.config)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        if "config" in instance.__dict__:
            instance._stored_config = copy.deepcopy(instance.config)
        return instance

    @property
    def stored_config(self) -> Any:
        return getattr(self, "_stored_config", None)

    def seal_secrets(self) -> dict[str, list[str]]:
        """Put ``config`` in its stored form (``clean()`` and ``save()`` call this, so that
        bulk writes of validated instances store it sealed too); the errors, if it cannot
        be, with ``config`` left as given. A config equal to the stored one is in its stored
        form already (sealed when written, or when a name in it was marked secret)."""
        if self.stored_config is not None and self.config == self.stored_config:
            return {}
        sealed, messages = secrets.seal_with_errors(self.config, self.stored_config)
        if messages:
            return {"config": messages}
        self.config = sealed
        self._sealed_config = copy.deepcopy(sealed)
        return {}


class SecretConfigKey(models.Model):
    """A key name an administrator declared secret in every engine ``config``."""

    name = models.CharField(
        max_length=100,
        unique=True,
        help_text="Key name, matched at any depth of an engine config, case-insensitively, "
        "with '-' read as '_'. Values already stored under it are encrypted when it is saved.",
        error_messages={"unique": "this key is already marked secret"},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "engine_secret_key"
        ordering = ["name"]
        verbose_name = "secret config key"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = secrets.normalize_name(self.name)
        with transaction.atomic():
            super().save(*args, **kwargs)
            secrets.reseal_engines()

    def clean_fields(self, exclude: Any = None) -> None:
        if isinstance(self.name, str):
            self.name = secrets.normalize_name(self.name)
        super().clean_fields(exclude)

    def clean(self) -> None:
        name = self.name if isinstance(self.name, str) else ""
        message = text_error("name", name)
        if message is None and not name:
            message = "name is required"
        if message is None and (secrets.ENVELOPE_KEY in name or name.startswith("$")):
            message = "name must not start with '$' (reserved for encrypted values)"
        if message is None and secrets.is_builtin_secret(name):
            message = f"{name!r} is secret already (a built-in secret name)"
        if message:
            raise ValidationError({"name": [message]})
