"""Who is writing, and which request or command a change belongs to.

An *operation* groups the changes of one request, one command run or one SDK call: they
share its ``id``. Operations nest by joining: an import run inside a request, or a
service call inside an import, records under the outer operation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

#: The actor and source of writes made outside any request or command (``manage.py shell``,
#: a script importing the SDK).
SHELL = "shell"


@dataclass
class Operation:
    """The actor (a name, or a callable resolved at the first change) and the source."""

    actor: str | Callable[[], str] = SHELL
    source: str = SHELL
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    def actor_name(self) -> str:
        if callable(self.actor):
            self.actor = self.actor()
        return self.actor


_current: ContextVar[Operation | None] = ContextVar("registry_operation", default=None)
_restoring: ContextVar[int | None] = ContextVar("registry_restoring", default=None)


def current() -> Operation:
    """The operation in progress; a fresh ``shell`` one when there is none."""
    return _current.get() or Operation()


@contextmanager
def operation(
    actor: str | Callable[[], str] | None = None,
    source: str | None = None,
    new: bool = False,
    id: uuid.UUID | None = None,
) -> Iterator[Operation]:
    """Group the writes made inside under one operation id (``id``, or a new one) with the
    given actor. Inside another operation this joins it (the outer actor wins) unless
    ``new`` is true.
    """
    outer = _current.get()
    if outer is not None and not new:
        yield outer
        return
    started = Operation(actor or SHELL, source or SHELL, id or uuid.uuid4())
    token = _current.set(started)
    try:
        yield started
    finally:
        _current.reset(token)


F = TypeVar("F", bound=Callable[..., Any])


def grouped(function: F) -> F:
    """Run ``function`` inside an operation (joining the current one if any)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with operation():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@contextmanager
def restoring(change_id: int) -> Iterator[None]:
    """Writes made inside are recorded as restoring the version of ``change_id``."""
    token = _restoring.set(change_id)
    try:
        yield
    finally:
        _restoring.reset(token)


def restored_from() -> int | None:
    return _restoring.get()
