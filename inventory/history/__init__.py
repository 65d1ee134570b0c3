"""Change history: a record of every write, restore, and a change feed for modules.

Every write to an engine, catalog model, registered model or the knowledge settings leaves
a ``ChangeRecord`` (``inventory.models.change``): the entity, row id and name, the action
(create/update/delete), the changed fields with before and after values, the whole row
(``snapshot``, so that a version can be restored), the actor, the source, an operation id
grouping one request's (or one command's, or one import's) changes, and the time. It is
inserted in the transaction of the write, so a rolled-back write leaves no record.

Why our own model: django-simple-history keeps a shadow table per model and skips bulk
writes unless each caller uses its bulk helpers; django-auditlog has no operation grouping
and writes outside bulk operations; django-pghistory needs PostgreSQL triggers while SQLite
is the default database. One small table read the same way by every door is simpler.

How writes are caught, so no door can bypass it:

* single-row ``save()``/``delete()`` of the tracked models: ``post_save``/``post_delete``
  signals (``recording.connect``); the services, forms, admin, workflows and restores all
  end there;
* bulk writes (``bulk_create``/``bulk_update``, which send no signals) call
  ``record_bulk(created=[...], updated=[(instance, before), ...])`` right after writing; a
  write that sends its own statements (the import's ``inventory.write_behind``) sends the
  records' too, ``write_statements(bulk_records(...))``, with its rows;
* ``QuerySet.update()`` is not recorded: write through ``inventory.services`` instead. (Key
  rotation, ``rotate_secrets``, uses it on purpose: it changes only ciphertext, so the
  masked row that history and the feed show stays the same; marking a key name secret is
  recorded, see ``recording._secret_name_marked``.)

The API for writers:

* ``history.operation(actor=..., source=...)``: a context manager grouping the writes made
  inside under one operation id. Web, admin and API requests get one from
  ``ChangeContextMiddleware`` (actor: the user, or the API token's name), management
  commands from ``commands.install`` (actor ``manage.py <command>``); anything else
  (``manage.py shell``, scripts) writes as ``shell``. Nested operations join the outer one.
* ``history.atomic()``: ``transaction.atomic()`` that first takes the feed lock on
  PostgreSQL; open transactions that write several rows, or lock rows before writing, with
  it (see ``feed.py`` for why ids must follow commit order).

Reading: ``feed.history(entity, id)``, ``feed.filtered(filters)``, ``feed.since(cursor)``;
``restore.restore(change_id, fields=None, **confirmations)`` writes back a version or
undeletes a row. ``prune_history`` (``retention.prune``) deletes old records.
Credentials in engine ``config`` are masked in every record (``recording.mask``).
"""

from .context import Operation, current, grouped, operation
from .recording import atomic, bulk_records, feed_lock, mask, record_bulk, write_statements

__all__ = [
    "Operation",
    "atomic",
    "bulk_records",
    "current",
    "feed_lock",
    "grouped",
    "mask",
    "operation",
    "record_bulk",
    "write_statements",
]
