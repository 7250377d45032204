from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .crypto import keyring

        # Missing or malformed keys stop every process (web, worker, beat, commands) at start-up.
        keyring()
