from django.apps import AppConfig


class CliantaConfig(AppConfig):
    name = "clianta"
    verbose_name = "CRM core"
    default_auto_field = "django.db.models.BigAutoField"
