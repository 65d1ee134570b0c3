"""Export the whole inventory as JSON or YAML, and import it back (or a list's CSV export).

The document (format ``model-registry-inventory``, version 1)::

    format: model-registry-inventory
    version: 1
    engines:            [{name, provider, config, status, supported}, ...]
    catalog:            [{name, label, catalog_model_id, source_kind, ...}, ...]
    registered_models:  [{name, engine, available_model, model_path, ...}, ...]
    knowledge:          {enabled, embedding_model}

Row fields are the writable fields of each entity's declaration, in declared order. Rows
refer to each other by name, never by id: ``engine`` and ``available_model`` name an engine
and a catalog model, ``knowledge.embedding_model`` a registered model. Ids and timestamps
are left out, rows are sorted by name (byte order) and JSON objects inside rows have their
keys sorted, so export → empty database → import → export gives the same bytes.

Import matches rows by name: a new name is created, an existing row is updated (partially:
keys absent from a row keep their stored value), an identical row is left unchanged. Keys
``id``, ``created_at`` and ``updated_at`` are ignored. Rows in the database but absent from
the file are left alone. Rows are matched by their name as the name field normalizes it
(trimmed). Every row is validated once, by the model's own checks (its field checks, then
``clean()`` for a row that would be written; an unchanged row stops after the field checks
and is only compared); the whole import runs in one transaction, rolled back for a dry run
or when any row is refused, and every error names its section, row number (1-based within
the section; in a CSV file row N is on line N + 1) and field. An updated row is reported
with its changes (each changed key's stored and new value). A CSV file holds the rows of
one list, as its CSV export writes them: catalog rows, registered models (``engine`` and
``available_model`` by name) or engines, whichever the header's columns belong to (tried in
that order); JSON columns (``requirements``, ``metadata`` …) hold JSON text, list columns
(``capabilities``, ``tags`` …) a comma-separated string or a JSON list, an empty number or
reference cell means none, and text the export prefixed with ``'`` against spreadsheet
formulas is read without it. New rows are inserted and changed rows updated a chunk at a
time (``inventory.batch_writes``); on PostgreSQL a chunk is written from a helper thread, in
the same transaction, while the next one is validated (``inventory.write_behind``).
"""

from .csv_catalog import InvalidCell, parse_csv
from .csv_export import csv_columns, named_columns
from .document import (
    ACTIONS,
    DOCUMENT_KEYS,
    EXPORT_FORMATS,
    FORMAT_NAME,
    FORMAT_VERSION,
    FORMATS,
    IGNORED_KEYS,
    KNOWLEDGE,
    MODES,
    SECTION_KEYS,
    SECTIONS,
    Reference,
    Section,
    format_for,
    parse_mode,
    row_count,
)
from .export import (
    canonical,
    export_chunks,
    export_filename,
    export_inventory,
    export_knowledge,
    export_rows,
)
from .importer import (
    CHUNK_SIZE,
    SHOWN_CHARS,
    Importer,
    InventoryImportError,
    Pending,
    error_text,
    import_document,
    import_inventory,
)
from .parsing import (
    decode_text,
    parse,
)
from .report import (
    REPORT_FORMATS,
    refusal_groups,
    report_csv_chunks,
    report_filename,
    report_json,
    report_text,
)

__all__ = [
    "ACTIONS",
    "CHUNK_SIZE",
    "DOCUMENT_KEYS",
    "EXPORT_FORMATS",
    "FORMATS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "IGNORED_KEYS",
    "KNOWLEDGE",
    "MODES",
    "REPORT_FORMATS",
    "SECTIONS",
    "SECTION_KEYS",
    "SHOWN_CHARS",
    "Importer",
    "InvalidCell",
    "InventoryImportError",
    "Pending",
    "Reference",
    "Section",
    "canonical",
    "csv_columns",
    "decode_text",
    "error_text",
    "export_chunks",
    "export_filename",
    "export_inventory",
    "export_knowledge",
    "export_rows",
    "format_for",
    "import_document",
    "import_inventory",
    "named_columns",
    "parse",
    "parse_csv",
    "parse_mode",
    "refusal_groups",
    "report_csv_chunks",
    "report_filename",
    "report_json",
    "report_text",
    "row_count",
]
