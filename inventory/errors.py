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


def unknown_keys_error(
    unknown: Iterable[str],
    known: Iterable[str],
    noun: str = "field",
    known_label: str | None = None,
    under: str | None = None,
) -> RegistryValidationError:
    """The one refusal of keys a door does not take, one message per key:
    ``unknown field 'x'; writable fields: a, b`` (``known_label`` defaults to ``known
    fields``); with nothing known, ``unknown parameter 'x'; this request takes no
    parameters``. Messages are filed under each key, or all ``under`` one field (``file``)."""
    known = list(known)
    label = known_label or f"known {noun}s"
    tail = f"{label}: {', '.join(known)}" if known else f"this request takes no {noun}s"
    messages = {key: f"unknown {noun} {key!r}; {tail}" for key in unknown}
    if under is not None:
        return RegistryValidationError({under: list(messages.values())})
    return RegistryValidationError({key: [message] for key, message in messages.items()})


def refuse_unknown_keys(
    given: Iterable[str],
    known: Iterable[str],
    noun: str = "field",
    known_label: str | None = None,
) -> None:
    """Raise ``unknown_keys_error`` for the keys of ``given`` that are not ``known``."""
    known = list(known)
    unknown = [key for key in given if key not in known]
    if unknown:
        raise unknown_keys_error(unknown, known, noun, known_label)
