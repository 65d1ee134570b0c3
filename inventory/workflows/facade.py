"""``module_sdk.workflows``: the workflows as plain dicts and lists, one contract for the SDK,
the REST API and the web pages. Failures raise ``RegistryValidationError``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..declarations import REGISTERED_MODELS
from . import binding, reconcile, stale, transfer


class Workflows:
    """Bind, deactivate, reconcile, prune stale rows, export and import."""

    def bind(
        self,
        engine_id: Any,
        available_model_id: Any,
        extra_config: Mapping[str, Any] | None = None,
        confirm_embedding_model_change: bool = False,
        allow_over_capacity: bool = False,
        name: str | None = None,
    ) -> dict[str, Any]:
        """Attach a catalog model to an engine: ``{"created": bool, "row": <registered row>}``.
        ``name`` names a new row (default ``engine_<id>__<catalog name>``);
        ``allow_over_capacity`` lets it go beyond the engine's declared capacity."""
        model, created = binding.bind(
            engine_id,
            available_model_id,
            extra_config,
            confirm_embedding_model_change,
            allow_over_capacity,
            name,
        )
        return {"created": created, "row": REGISTERED_MODELS.row_for(model)}

    def deactivate(
        self, model_id: Any, confirm_embedding_model_change: bool = False
    ) -> dict[str, Any] | None:
        """Set a registered row back to ``available``; ``None`` when it does not exist. The
        knowledge embedding model, while knowledge is enabled, needs the confirmation."""
        model = binding.deactivate(model_id, confirm_embedding_model_change)
        return None if model is None else REGISTERED_MODELS.row_for(model)

    def reconcile(self, model_id: Any) -> dict[str, Any]:
        """The field-by-field diff of a registered row against its catalog row."""
        return reconcile.reconcile(model_id)

    def apply_reconcile(
        self,
        model_id: Any,
        fields: Iterable[str] | None = None,
        confirm_embedding_model_change: bool = False,
        allow_over_capacity: bool = False,
    ) -> dict[str, Any]:
        """Apply all differences, or those in ``fields``: ``{"applied", "reconcile", "row"}``."""
        result = reconcile.apply(
            model_id, fields, confirm_embedding_model_change, allow_over_capacity
        )
        view = REGISTERED_MODELS.queryset().filter(pk=result["reconcile"]["model_id"])
        return {**result, "row": next(REGISTERED_MODELS.rows(view))}

    def find_stale(self, engine_id: Any = None) -> dict[str, Any]:
        """Stale registered rows (``rows``), stale-looking rows never pruned (``kept``)."""
        return stale.find_stale(engine_id)

    def prune_stale(self, ids: Any, confirm: bool = False) -> dict[str, Any]:
        """Delete exactly the listed stale rows when ``confirm``; otherwise report only."""
        return stale.prune_stale(ids, confirm)

    def export_inventory(self, format: str = "json") -> str:
        """The whole inventory as JSON or YAML text (see ``inventory.workflows.transfer``);
        no format (``None`` or empty) means JSON, as over the API."""
        return transfer.export_inventory(format if format not in (None, "") else "json")

    def import_inventory(
        self,
        text: str | bytes,
        format: str = "json",
        apply: bool = False,
        confirm_embedding_model_change: bool = False,
        allow_over_capacity: bool = False,
        mode: str = "all",
        move_unknown_capabilities: bool = False,
    ) -> dict[str, Any]:
        """Dry run by default: the per-row report. With ``apply``, all or nothing in mode
        ``all``; the valid rows, with the refused ones reported, in mode ``partial``.
        ``allow_over_capacity`` lets active models go beyond their engines' capacity;
        ``move_unknown_capabilities`` moves catalog capability tokens outside the vocabulary
        into ``extended_capabilities`` instead of refusing the row."""
        return transfer.import_inventory(
            text,
            format,
            apply,
            confirm_embedding_model_change,
            allow_over_capacity=allow_over_capacity,
            mode=mode,
            move_unknown_capabilities=move_unknown_capabilities,
        )
