from django.apps import AppConfig
from django.db import transaction


class EmailAccountsConfig(AppConfig):
    name = "email_accounts"
    verbose_name = "Email"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from integrations.signals import credential_connected

        from . import services, tasks

        def connected(sender, credential, user, **kwargs):
            account = services.connect_from_credential(credential, user)
            if account is not None:
                transaction.on_commit(
                    lambda: tasks.sync_account.delay(str(account.pk), trigger="connect")
                )

        credential_connected.connect(connected, weak=False, dispatch_uid="email_accounts.connect")
