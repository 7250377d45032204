from django.apps import AppConfig


class EmailAccountsConfig(AppConfig):
    name = "email_accounts"
    verbose_name = "Email"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from integrations.signals import on_connect

        from . import services, tasks

        on_connect("email_accounts", services.connect_from_credential, tasks.sync_account)
