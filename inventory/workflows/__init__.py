"""Registry workflows: bind and deactivate, reconcile against the catalog, prune stale rows,
import and export. Each runs in a transaction and writes through ``inventory.services``."""

from . import binding, reconcile, stale, transfer

__all__ = ["binding", "reconcile", "stale", "transfer"]
