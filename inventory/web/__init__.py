"""The inventory's browser pages."""
