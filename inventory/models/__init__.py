"""The inventory's entities, one module each."""

from .available_model import AvailableModel
from .engine import Engine
from .knowledge import KnowledgeSettings
from .registered_model import RegisteredModel

__all__ = ["AvailableModel", "Engine", "KnowledgeSettings", "RegisteredModel"]
