from django.apps import AppConfig


class EmailAccountsConfig(AppConfig):
    name = "email_accounts"
    default_auto_field = "django.db.models.BigAutoField"
