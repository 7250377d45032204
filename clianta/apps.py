from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CliantaConfig(AppConfig):
    name = "clianta"
    verbose_name = "CRM core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .schedules import ensure_periodic_tasks
        from .tokens import schema  # noqa: F401  (registers the API token's OpenAPI scheme)

        post_migrate.connect(ensure_periodic_tasks, sender=self)
