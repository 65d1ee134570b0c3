"""Registered-model counts per (engine, status) and per (engine, status, capability), kept by
triggers in the same transaction as every write to ``model_registry`` (read by
``inventory.counts``), and filled from the rows already there.

``model_registry_counts`` holds ``(engine_id, status, capability, n)``; ``capability = ''``
rows count every row of an engine and status. It is no Django model on purpose: a flush
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

from django.db import migrations

FOLD_EVERY = 1000

POSTGRES_FORWARD = f"""
CREATE TABLE model_registry_counts (
    id bigserial PRIMARY KEY,
    engine_id bigint NOT NULL,
    status varchar(20) NOT NULL,
    capability text NOT NULL,
    n bigint NOT NULL
);
CREATE INDEX model_registry_counts_key ON model_registry_counts (capability, status, engine_id);

CREATE FUNCTION model_registry_count_keys(caps text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '' UNION SELECT token FROM unnest(string_to_array(caps, ',')) AS token
    WHERE token <> ''
$$;

CREATE FUNCTION model_registry_counts_fold() RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM model_registry_counts RETURNING engine_id, status, capability, n
    )
    INSERT INTO model_registry_counts (engine_id, status, capability, n)
    SELECT engine_id, status, capability, SUM(n) FROM gone
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
        INSERT INTO model_registry_counts (engine_id, status, capability, n)
        SELECT r.engine_id, r.status, k.capability, COUNT(*)
        FROM new_rows AS r CROSS JOIN LATERAL model_registry_count_keys(r.capabilities)
            AS k(capability)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO model_registry_counts (engine_id, status, capability, n)
        SELECT r.engine_id, r.status, k.capability, -COUNT(*)
        FROM old_rows AS r CROSS JOIN LATERAL model_registry_count_keys(r.capabilities)
            AS k(capability)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
    ELSE
        INSERT INTO model_registry_counts (engine_id, status, capability, n)
        SELECT engine_id, status, capability, SUM(n) FROM (
            SELECT r.engine_id, r.status, k.capability, -1 AS n
            FROM old_rows AS r CROSS JOIN LATERAL model_registry_count_keys(r.capabilities)
                AS k(capability)
            UNION ALL
            SELECT r.engine_id, r.status, k.capability, 1 AS n
            FROM new_rows AS r CROSS JOIN LATERAL model_registry_count_keys(r.capabilities)
                AS k(capability)
        ) AS changes
        GROUP BY 1, 2, 3 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3;
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

INSERT INTO model_registry_counts (engine_id, status, capability, n)
SELECT r.engine_id, r.status, k.capability, COUNT(*)
FROM model_registry AS r CROSS JOIN LATERAL model_registry_count_keys(r.capabilities)
    AS k(capability)
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


def _sqlite_apply(row: str, sign: int) -> str:
    return (
        "INSERT INTO model_registry_counts (engine_id, status, capability, n) "
        f"SELECT {row}.engine_id, {row}.status, keys.capability, {sign} "
        f"FROM ({_sqlite_keys(row)}) AS keys WHERE true "
        "ON CONFLICT (capability, status, engine_id) DO UPDATE SET n = n + excluded.n;"
    )


SQLITE_FORWARD = [
    "CREATE TABLE model_registry_counts (engine_id integer NOT NULL, "
    "status varchar(20) NOT NULL, capability text NOT NULL, n integer NOT NULL)",
    "CREATE UNIQUE INDEX model_registry_counts_key "
    "ON model_registry_counts (capability, status, engine_id)",
    "CREATE TRIGGER model_registry_counts_insert AFTER INSERT ON model_registry "
    f"BEGIN {_sqlite_apply('NEW', 1)} END",
    "CREATE TRIGGER model_registry_counts_delete AFTER DELETE ON model_registry "
    f"BEGIN {_sqlite_apply('OLD', -1)} END",
    "CREATE TRIGGER model_registry_counts_update "
    "AFTER UPDATE OF engine_id, status, capabilities ON model_registry "
    "WHEN OLD.engine_id IS NOT NEW.engine_id OR OLD.status IS NOT NEW.status "
    "OR OLD.capabilities IS NOT NEW.capabilities "
    f"BEGIN {_sqlite_apply('OLD', -1)} {_sqlite_apply('NEW', 1)} END",
    "INSERT INTO model_registry_counts (engine_id, status, capability, n) "
    "SELECT engine_id, status, '', COUNT(*) FROM model_registry GROUP BY 1, 2",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS model_registry_counts_insert",
    "DROP TRIGGER IF EXISTS model_registry_counts_delete",
    "DROP TRIGGER IF EXISTS model_registry_counts_update",
    "DROP TABLE IF EXISTS model_registry_counts",
]


def _sqlite_fill_capabilities(schema_editor) -> None:
    """Per-capability counts of the rows already there (a trigger-free, one-off split)."""
    from collections import Counter

    cursor = schema_editor.connection.cursor()
    cursor.execute("SELECT engine_id, status, capabilities FROM model_registry")
    found: Counter = Counter()
    for engine_id, status, capabilities in cursor.fetchall():
        for token in {item for item in (capabilities or "").split(",") if item}:
            found[engine_id, status, token] += 1
    cursor.executemany(
        "INSERT INTO model_registry_counts (engine_id, status, capability, n) "
        "VALUES (%s, %s, %s, %s)",
        [(*key, n) for key, n in found.items()],
    )


def _run(schema_editor, postgres: str, sqlite: list[str]) -> bool:
    """Run the vendor's statements; ``True`` on SQLite (other databases get no summary)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgres)
    for statement in sqlite if vendor == "sqlite" else ():
        schema_editor.execute(statement)
    return vendor == "sqlite"


def forward(apps, schema_editor):
    if _run(schema_editor, POSTGRES_FORWARD, SQLITE_FORWARD):
        _sqlite_fill_capabilities(schema_editor)


def backward(apps, schema_editor):
    _run(schema_editor, POSTGRES_BACKWARD, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0012_status_capabilities_index")]

    operations = [migrations.RunPython(forward, backward)]
