"""The REST API under /api/v1/, mirroring the module SDK."""
