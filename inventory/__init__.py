"""The inventory app: engines, the model catalog and registered models."""
