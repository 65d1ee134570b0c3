"""Exact counts of registered models that do not grow with the table.

``RegisteredModel.objects`` counts with ``summary_count`` first: when every condition of the
queryset is one the maintained summary (``model_registry_counts``) covers — status, engine
(one value or a list) and at most one capability — the count is a sum over a few hundred
summary rows instead of a scan of the matching rows; any other condition (a name, a second
capability, a join that could drop or repeat rows, ``distinct``, a slice) falls back to
``COUNT(*)``. Every door counts
through ``QuerySet.count()`` (the SDK and API envelope, django-tables2's paginator, the admin
changelist, related lists), so this is the one place counts are decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models
from django.db.models.lookups import Exact, In
from django.db.models.sql.constants import LOUTER
from django.db.models.sql.where import AND, WhereNode

#: Databases the migration gives the summary triggers to.
SUMMARY_VENDORS = ("postgresql", "sqlite")
#: Columns of ``model_registry`` the summary is keyed by, as the filters name them.
SUMMARY_COLUMNS = {"status": "status", "engine_id": "engine_id"}


@dataclass
class SummaryKey:
    """What a queryset's conditions ask of the summary: allowed values per column (``None``
    for any) and the capability every row must hold (``''`` for none)."""

    values: dict[str, set[Any] | None] = field(
        default_factory=lambda: dict.fromkeys(SUMMARY_COLUMNS)
    )
    capability: str = ""

    def narrow(self, column: str, allowed: set[Any]) -> None:
        current = self.values[column]
        self.values[column] = allowed if current is None else current & allowed


class NotCovered(Exception):
    """A condition the summary cannot answer."""


def _condition(key: SummaryKey, node: Any, alias: str) -> None:
    """Fold one WHERE condition into ``key``, or raise ``NotCovered``."""
    from .listing import HasAllTokens  # the list engine imports the models

    if isinstance(node, WhereNode):
        if node.negated or node.connector != AND:
            raise NotCovered
        for child in node.children:
            _condition(key, child, alias)
        return
    if isinstance(node, Exact) and isinstance(node.lhs, HasAllTokens) and node.rhs is True:
        tokens = node.lhs.tokens
        column = node.lhs.source_expressions[0]
        if (
            len(tokens) != 1
            or getattr(column, "alias", None) != alias
            or column.target.attname != "capabilities"
            or (key.capability and key.capability != tokens[0])
        ):
            raise NotCovered
        key.capability = tokens[0]
        return
    if not isinstance(node, Exact | In) or getattr(node.lhs, "alias", None) != alias:
        raise NotCovered
    column = SUMMARY_COLUMNS.get(getattr(node.lhs.target, "attname", ""))
    if column is None or hasattr(node.rhs, "resolve_expression"):
        raise NotCovered
    values = node.rhs if isinstance(node, In) else [node.rhs]
    key.narrow(column, {getattr(item, "pk", item) for item in values})


def _keeps_rows(join: Any) -> bool:
    """Whether a join neither drops nor repeats rows: along a foreign key (one row at most
    on the other side), outer or on a column that cannot be null. Such joins come from the
    values a page shows or sorts by (``engine__name``); the summary still counts the rows,
    since conditions on the joined tables are refused one by one (``_condition``)."""
    field = getattr(join, "join_field", None)
    if not isinstance(field, models.ForeignKey):
        return False
    return join.join_type == LOUTER or not join.nullable


def summary_key(queryset: models.QuerySet) -> SummaryKey | None:
    """The summary rows a queryset's count is the sum of, or ``None`` when not covered."""
    query = queryset.query
    if (
        query.distinct
        or query.is_sliced
        or query.combinator
        or query.extra
        or query.group_by is not None
    ):
        return None
    alias, *joined = query.alias_map or [None]
    if any(
        query.alias_refcount.get(name) and not _keeps_rows(query.alias_map[name])
        for name in joined
    ):
        return None  # a join that may drop or repeat rows
    key = SummaryKey()
    try:
        _condition(key, query.where, alias)
    except NotCovered:
        return None
    return key


def summary_count(queryset: models.QuerySet) -> int | None:
    """The exact count of ``queryset`` read from the summary, or ``None`` when its conditions
    are not all covered (then the caller counts the rows)."""
    connection = connections[queryset.db]
    key = summary_key(queryset) if connection.vendor in SUMMARY_VENDORS else None
    if key is None:
        return None
    where = ["capability = %s"]
    params: list[Any] = [key.capability]
    for column, allowed in key.values.items():
        if allowed is None:
            continue
        if not allowed:
            return 0
        where.append(f"{column} IN ({', '.join(['%s'] * len(allowed))})")
        params.extend(sorted(allowed, key=str))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(n), 0) FROM model_registry_counts WHERE {' AND '.join(where)}",
            params,
        )
        return int(cursor.fetchone()[0])


@dataclass
class EngineNeeds:
    """An engine's registered models and what they need, from the summary: in all, and of
    its active ones (MB)."""

    models: int = 0
    vram_all: int = 0
    ram_all: int = 0
    vram_active: int = 0
    ram_active: int = 0


def engine_needs(using: str = "default") -> dict[int, EngineNeeds] | None:
    """Each engine's models and needs summed from ``model_registry_counts`` (engines without
    models left out), or ``None`` on a database that keeps no summary."""
    connection = connections[using]
    if connection.vendor not in SUMMARY_VENDORS:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT engine_id, status, SUM(n), SUM(vram_mb), SUM(ram_mb)"
            " FROM model_registry_counts WHERE capability = '' GROUP BY engine_id, status"
        )
        needs: dict[int, EngineNeeds] = {}
        for engine_id, status, rows, vram, ram in cursor.fetchall():
            engine = needs.setdefault(engine_id, EngineNeeds())
            engine.models += int(rows)
            engine.vram_all += int(vram)
            engine.ram_all += int(ram)
            if status == "active":
                engine.vram_active += int(vram)
                engine.ram_active += int(ram)
    return {engine_id: found for engine_id, found in needs.items() if found.models}


def grouped_by_status(queryset: models.QuerySet) -> dict[str, int]:
    """``{status: rows}`` of a queryset, grouped from its rows."""
    return dict(queryset.order_by().values_list("status").annotate(rows=models.Count("pk")))


class CountedQuerySet(models.QuerySet):
    """Counts read from the maintained summary when it covers every condition."""

    def summarized_count(self) -> int | None:
        """The count read from the summary; ``None`` when it does not cover every condition
        (or the rows are already fetched)."""
        return summary_count(self) if self._result_cache is None else None

    def count(self) -> int:
        found = self.summarized_count()
        return found if found is not None else super().count()

    def count_by_status(self) -> dict[str, int]:
        """``{status: rows}`` of the queryset's rows (statuses without rows left out), summed
        from the summary when it covers every condition, else grouped from the rows."""
        connection = connections[self.db]
        key = summary_key(self) if connection.vendor in SUMMARY_VENDORS else None
        if key is None or key.capability or any(key.values.values()):
            return grouped_by_status(self)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT status, SUM(n) FROM model_registry_counts WHERE capability = ''"
                " GROUP BY status HAVING SUM(n) <> 0"
            )
            return {status: int(rows) for status, rows in cursor.fetchall()}
