"""Views of the inventory pages."""
