"""Batched writes sent while the caller goes on with its next batch.

A large import alternates CPU work (validating a chunk of rows, in Python) with waiting for
the database (PostgreSQL ingesting the chunk's ``COPY`` and maintaining the table's indexes).
``WriteBehind`` overlaps the two: a chunk's statements (``inventory.batch_writes``) are sent
from one helper thread, on the same connection and in the same transaction, while the
caller's thread validates the next chunk.

- Each write runs inside a savepoint taken just before it, so a failed write is undone
  alone; the caller then writes the same rows again on its own thread, where the serial
  path decides (and names) the refusal exactly as without the helper.
- Django's connection object belongs to the thread that opened it: the helper sends on
  psycopg's connection under it, whose lock keeps one statement at a time.
- Any statement the caller's thread runs on the connection first waits for the write in
  flight to end and settles it (an ``execute_wrapper``), so every query sees what the
  serial order would have written before it, and nothing is read from a failed write.
- An exception in the caller's thread waits for the write in flight before leaving, so the
  transaction it rolls back is never still in use by the helper.
- The helper hands each ``COPY`` to the server in pieces, and after each piece it needs the
  interpreter's lock back from the caller's thread, which is busy validating. Python hands
  the lock over every 5 ms by default, so the helper would spend most of a chunk waiting
  for it and the caller would then wait for the helper; while a ``WriteBehind`` is open the
  interpreter switches threads every ``SWITCH_INTERVAL`` instead (``prompt_switches``).
"""

from __future__ import annotations

import contextvars
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction

from . import batch_writes

#: The interpreter's thread switch interval, in seconds, while a ``WriteBehind`` is open.
SWITCH_INTERVAL = 0.001

_switches = threading.Lock()
#: The interval each open ``prompt_switches`` block found: the first one's is restored when
#: the last block ends.
_found: list[float] = []


@contextmanager
def prompt_switches() -> Iterator[None]:
    """Switch threads every ``SWITCH_INTERVAL`` at most until the block ends (blocks may
    overlap, in threads of their own: the interval set before the first is restored after
    the last)."""
    with _switches:
        _found.append(sys.getswitchinterval())
        sys.setswitchinterval(min(SWITCH_INTERVAL, _found[0]))
    try:
        yield
    finally:
        with _switches:
            original = _found[0]
            _found.pop()
            if not _found:
                sys.setswitchinterval(original)


@dataclass
class _InFlight:
    future: Future[None]
    savepoint: str
    done: Callable[[], None]
    failed: Callable[[], None]


class WriteBehind:
    """Sends batched writes from one helper thread (see the module); use ``opened``."""

    def __init__(self, using: str, executor: ThreadPoolExecutor):
        self.using = using
        self.connection = connections[using]
        self.executor = executor
        self.in_flight: _InFlight | None = None

    @classmethod
    @contextmanager
    def opened(cls, using: str) -> Iterator[WriteBehind | None]:
        """A ``WriteBehind`` for the database ``using`` until the block ends, or ``None`` where
        writes are not sent by ``COPY`` or no transaction is open (the caller then writes
        serially)."""
        connection = connections[using]
        if not batch_writes.copies(connection) or not connection.in_atomic_block:
            yield None
            return
        with (
            prompt_switches(),
            ThreadPoolExecutor(1, thread_name_prefix="write-behind") as executor,
        ):
            writer = cls(using, executor)
            with connection.execute_wrapper(writer._before_statement):
                try:
                    yield writer
                except BaseException:
                    writer.abandon()
                    raise
                writer.settle()

    def start(
        self,
        statements: Sequence[batch_writes.Statement],
        done: Callable[[], None],
        failed: Callable[[], None],
    ) -> None:
        """Send ``statements`` in a savepoint and return at once. Once they are written
        (``settle``), ``done()`` runs; if they fail, the savepoint is rolled back and
        ``failed()`` runs, on the caller's thread, to write the rows again serially."""
        self.settle()
        if not statements:
            done()
            return
        savepoint = transaction.savepoint(self.using)
        # The helper runs in a copy of the caller's context (the current operation, whether
        # recording is suspended), as the same work on the caller's thread would.
        context = contextvars.copy_context()
        future = self.executor.submit(
            context.run, batch_writes.send, self.connection, statements, True
        )
        self.in_flight = _InFlight(future, savepoint, done, failed)

    def settle(self) -> None:
        """Wait for the write in flight, if any, and conclude it (see ``start``)."""
        in_flight, self.in_flight = self.in_flight, None
        if in_flight is None:
            return
        error = in_flight.future.exception()
        if error is None:
            transaction.savepoint_commit(in_flight.savepoint, self.using)
            in_flight.done()
            return
        transaction.savepoint_rollback(in_flight.savepoint, self.using)
        if not isinstance(error, self.connection.Database.Error):
            raise error
        in_flight.failed()

    def abandon(self) -> None:
        """Wait for the write in flight and drop it (the transaction is being abandoned)."""
        in_flight, self.in_flight = self.in_flight, None
        if in_flight is not None:
            in_flight.future.exception()

    def _before_statement(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        self.settle()
        return execute(sql, *args)
