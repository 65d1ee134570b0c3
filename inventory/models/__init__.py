"""The inventory's entities, one module each."""

from .api_token import ApiToken
from .available_model import AvailableModel
from .change import ChangeRecord
from .engine import Engine
from .knowledge import KnowledgeSettings
from .registered_model import RegisteredModel
from .saved_view import SavedView
from .secret_config import SecretConfigKey
from .session import UserSession
from .vocabulary import VocabularyAlias, VocabularyTerm

__all__ = [
    "ApiToken",
    "AvailableModel",
    "ChangeRecord",
    "Engine",
    "KnowledgeSettings",
    "RegisteredModel",
    "SavedView",
    "SecretConfigKey",
    "UserSession",
    "VocabularyAlias",
    "VocabularyTerm",
]
