"""The summary of registered models the database keeps, ``model_registry_counts``, and the
triggers that keep it in the same transaction as every write to ``model_registry`` (read by
``inventory.counts``). Migrations install it through ``install`` and ``remove``.

``model_registry_counts`` holds ``(engine_id, status, capability, n)`` and, with ``sums``,
``vram_mb`` and ``ram_mb``: the rows of a key and what they need in total. ``capability =
''`` rows count every row of an engine and status. It is no Django model on purpose: a flush
(``manage.py flush``, transactional tests) empties ``model_registry`` with ``TRUNCATE`` on
PostgreSQL (a trigger empties the counts) and ``DELETE`` on SQLite (the row triggers
subtract), so the counts stay exact whatever order the tables are emptied in.

* PostgreSQL: statement-level triggers read the statement's transition tables, aggregate
  them and append the net change per key (``INSERT`` only: concurrent writers take no lock
  on a count row, so they never wait for each other nor deadlock). When the ids appended
  cross a multiple of ``FOLD_EVERY``, the writer folds the table to one row per key under a
  non-blocking advisory lock (one folder at a time; a writer that does not get it goes on).
  ``TRUNCATE`` empties it.
* SQLite: row-level triggers update one row per key in place (``ON CONFLICT DO UPDATE`` on
  a unique index; SQLite has one writer at a time). The capability list is split with
  ``json_each``, triggers allowing no recursive query.

A capability is each distinct non-empty token of the comma-separated ``capabilities`` text,
exactly what the capability filter matches.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

FOLD_EVERY = 1000
#: The summed columns of a key and the ``model_registry`` column each adds up.
SUMS = (("vram_mb", "vram_required_mb"), ("ram_mb", "ram_required_mb"))


def _columns(sums: bool) -> str:
    return "engine_id, status, capability, n" + "".join(f", {c}" for c, _ in SUMS if sums)


def _aggregates(sums: bool, sign: str = "") -> str:
    """``COUNT(*)`` and the sums of a group of ``r`` rows, negated with ``sign='-'``."""
    return f"{sign}COUNT(*)" + "".join(
        f", {sign}SUM(r.{source})" for _, source in SUMS if sums
    )


def _changes(sums: bool, sign: int) -> str:
    """One ``r`` row's contribution (``-1`` for an old row, ``1`` for a new one)."""
    return f"{sign} AS n" + "".join(
        f", {sign} * r.{source}::bigint AS {column}" for column, source in SUMS if sums
    )


def _net_changed(sums: bool) -> str:
    return " OR ".join(["SUM(n) <> 0", *(f"SUM({c}) <> 0" for c, _ in SUMS if sums)])


def postgres_forward(sums: bool) -> str:
    keys = "CROSS JOIN LATERAL model_registry_count_keys(r.capabilities) AS k(capability)"
    summed = "".join(f", SUM({column})" for column, _ in SUMS if sums)
    sum_columns = "".join(
        f",\n    {column} bigint NOT NULL DEFAULT 0" for column, _ in SUMS if sums
    )
    columns = _columns(sums)
    return f"""
CREATE TABLE model_registry_counts (
    id bigserial PRIMARY KEY,
    engine_id bigint NOT NULL,
    status varchar(20) NOT NULL,
    capability text NOT NULL,
    n bigint NOT NULL{sum_columns}
);
CREATE INDEX model_registry_counts_key ON model_registry_counts (capability, status, engine_id);

CREATE FUNCTION model_registry_count_keys(caps text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '' UNION SELECT token FROM unnest(string_to_array(caps, ',')) AS token
    WHERE token <> ''
$$;

CREATE FUNCTION model_registry_counts_fold() RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM model_registry_counts RETURNING {columns}
    )
    INSERT INTO model_registry_counts ({columns})
    SELECT engine_id, status, capability, SUM(n){summed} FROM gone
    GROUP BY engine_id, status, capability HAVING SUM(n) <> 0
$$;

CREATE FUNCTION model_registry_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    appended bigint;
    last_id bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM model_registry_counts;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO model_registry_counts ({columns})
        SELECT r.engine_id, r.status, k.capability, {_aggregates(sums)}
        FROM new_rows AS r {keys}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO model_registry_counts ({columns})
        SELECT r.engine_id, r.status, k.capability, {_aggregates(sums, "-")}
        FROM old_rows AS r {keys}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
    ELSE
        INSERT INTO model_registry_counts ({columns})
        SELECT engine_id, status, capability, SUM(n){summed} FROM (
            SELECT r.engine_id, r.status, k.capability, {_changes(sums, -1)}
            FROM old_rows AS r {keys}
            UNION ALL
            SELECT r.engine_id, r.status, k.capability, {_changes(sums, 1)}
            FROM new_rows AS r {keys}
        ) AS changes
        GROUP BY 1, 2, 3 HAVING {_net_changed(sums)} ORDER BY 1, 2, 3;
    END IF;
    GET DIAGNOSTICS appended = ROW_COUNT;
    IF appended > 0 THEN
        last_id := currval(pg_get_serial_sequence('model_registry_counts', 'id'));
        IF last_id / {FOLD_EVERY} <> (last_id - appended) / {FOLD_EVERY}
            AND pg_try_advisory_xact_lock(hashtext('model_registry_counts_fold')) THEN
            PERFORM model_registry_counts_fold();
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER model_registry_counts_insert AFTER INSERT ON model_registry
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_registry_counts_track();
CREATE TRIGGER model_registry_counts_update AFTER UPDATE ON model_registry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_registry_counts_track();
CREATE TRIGGER model_registry_counts_delete AFTER DELETE ON model_registry
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_registry_counts_track();
CREATE TRIGGER model_registry_counts_truncate AFTER TRUNCATE ON model_registry
    FOR EACH STATEMENT EXECUTE FUNCTION model_registry_counts_track();

INSERT INTO model_registry_counts ({columns})
SELECT r.engine_id, r.status, k.capability, {_aggregates(sums)}
FROM model_registry AS r {keys}
GROUP BY 1, 2, 3;
"""


POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS model_registry_counts_insert ON model_registry;
DROP TRIGGER IF EXISTS model_registry_counts_update ON model_registry;
DROP TRIGGER IF EXISTS model_registry_counts_delete ON model_registry;
DROP TRIGGER IF EXISTS model_registry_counts_truncate ON model_registry;
DROP FUNCTION IF EXISTS model_registry_counts_track();
DROP FUNCTION IF EXISTS model_registry_counts_fold();
DROP FUNCTION IF EXISTS model_registry_count_keys(text);
DROP TABLE IF EXISTS model_registry_counts;
"""


def _sqlite_keys(row: str) -> str:
    """The keys of one row (``NEW`` or ``OLD``): ``''`` and each distinct capability."""
    tokens = (
        f"""'["' || replace(replace(replace({row}.capabilities, '\\', '\\\\'), '"', '\\"'),"""
        """ ',', '","') || '"]'"""
    )
    return (
        f"SELECT '' AS capability UNION "
        f"SELECT value FROM json_each({tokens}) WHERE value <> ''"
    )


def _sqlite_apply(row: str, sign: int, sums: bool) -> str:
    values = "".join(f", {sign} * {row}.{source}" for _, source in SUMS if sums)
    updates = "".join(f", {column} = {column} + excluded.{column}" for column, _ in SUMS if sums)
    return (
        f"INSERT INTO model_registry_counts ({_columns(sums)}) "
        f"SELECT {row}.engine_id, {row}.status, keys.capability, {sign}{values} "
        f"FROM ({_sqlite_keys(row)}) AS keys WHERE true "
        f"ON CONFLICT (capability, status, engine_id) DO UPDATE SET n = n + excluded.n{updates};"
    )


def sqlite_forward(sums: bool) -> list[str]:
    watched = ["engine_id", "status", "capabilities", *(source for _, source in SUMS if sums)]
    changed = " OR ".join(f"OLD.{name} IS NOT NEW.{name}" for name in watched)
    sum_columns = "".join(f", {column} integer NOT NULL DEFAULT 0" for column, _ in SUMS if sums)
    sum_values = "".join(f", SUM({source})" for _, source in SUMS if sums)
    return [
        "CREATE TABLE model_registry_counts (engine_id integer NOT NULL, "
        f"status varchar(20) NOT NULL, capability text NOT NULL, n integer NOT NULL{sum_columns})",
        "CREATE UNIQUE INDEX model_registry_counts_key "
        "ON model_registry_counts (capability, status, engine_id)",
        "CREATE TRIGGER model_registry_counts_insert AFTER INSERT ON model_registry "
        f"BEGIN {_sqlite_apply('NEW', 1, sums)} END",
        "CREATE TRIGGER model_registry_counts_delete AFTER DELETE ON model_registry "
        f"BEGIN {_sqlite_apply('OLD', -1, sums)} END",
        "CREATE TRIGGER model_registry_counts_update "
        f"AFTER UPDATE OF {', '.join(watched)} ON model_registry WHEN {changed} "
        f"BEGIN {_sqlite_apply('OLD', -1, sums)} {_sqlite_apply('NEW', 1, sums)} END",
        f"INSERT INTO model_registry_counts ({_columns(sums)}) "
        f"SELECT engine_id, status, '', COUNT(*){sum_values} FROM model_registry GROUP BY 1, 2",
    ]


SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS model_registry_counts_insert",
    "DROP TRIGGER IF EXISTS model_registry_counts_delete",
    "DROP TRIGGER IF EXISTS model_registry_counts_update",
    "DROP TABLE IF EXISTS model_registry_counts",
]


def _sqlite_fill_capabilities(schema_editor: Any, sums: bool) -> None:
    """Per-capability rows for the rows already there (a trigger-free, one-off split)."""
    cursor = schema_editor.connection.cursor()
    cursor.execute(
        "SELECT engine_id, status, capabilities, vram_required_mb, ram_required_mb "
        "FROM model_registry"
    )
    found: dict[tuple[Any, ...], Counter] = {}
    for engine_id, status, capabilities, vram, ram in cursor.fetchall():
        for token in {item for item in (capabilities or "").split(",") if item}:
            key = found.setdefault((engine_id, status, token), Counter())
            key.update(n=1, vram_mb=vram, ram_mb=ram)
    columns = ["n", *(column for column, _ in SUMS if sums)]
    cursor.executemany(
        f"INSERT INTO model_registry_counts ({_columns(sums)}) "
        f"VALUES (%s, %s, %s{', %s' * len(columns)})",
        [(*key, *(totals[column] for column in columns)) for key, totals in found.items()],
    )


def install(schema_editor: Any, sums: bool) -> None:
    """Create the summary and its triggers, filled from the rows already there (PostgreSQL
    and SQLite; other databases get no summary and count rows)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgres_forward(sums))
    elif vendor == "sqlite":
        for statement in sqlite_forward(sums):
            schema_editor.execute(statement)
        _sqlite_fill_capabilities(schema_editor, sums)


def remove(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)
