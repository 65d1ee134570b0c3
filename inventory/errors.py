"""The one exception type that every door (SDK, API, forms, commands) reports failures with."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

NON_FIELD = "__all__"


class RegistryValidationError(ValueError):
    """Bad input, with a list of messages per field.

    ``str(error)`` is the first message, which keeps the wording modules match on
    (for instance ``model name already in use``); ``error.errors`` maps each field to
    all its messages.
    """

    def __init__(self, errors: Mapping[str, Iterable[str]] | str, field: str = NON_FIELD):
        if isinstance(errors, str):
            errors = {field: [errors]}
        self.errors: dict[str, list[str]] = {
            key: [str(message) for message in messages] for key, messages in errors.items()
        }
        super().__init__(self.message)

    @property
    def message(self) -> str:
        for messages in self.errors.values():
            if messages:
                return messages[0]
        return "invalid input"

    def as_dict(self) -> dict:
        return {"detail": self.message, "errors": self.errors}


class RegistryProtectedError(RegistryValidationError):
    """A delete refused because other rows still depend on the row."""
