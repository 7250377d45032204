from django.apps import AppConfig


class ProductivityConfig(AppConfig):
    name = "productivity"
    default_auto_field = "django.db.models.BigAutoField"
