from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_built_ins(sender: AppConfig, **kwargs: object) -> None:
    from .models.vocabulary import sync_built_ins

    sync_built_ins()


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Model inventory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from . import (
            checks,  # noqa: F401  (registers the system checks)
            gc_tuning,
        )
        from .api import schema  # noqa: F401  (registers the OpenAPI extensions)
        from .history import commands, recording
        from .models.vocabulary import DatabaseResolver
        from .vocabularies import install_resolver

        recording.connect()
        commands.install()
        install_resolver(DatabaseResolver())
        post_migrate.connect(_sync_built_ins, sender=self)
        gc_tuning.tune(settings.GC_THRESHOLD)
