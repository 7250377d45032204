from django.apps import AppConfig


class EmailAccountsConfig(AppConfig):
    name = "email_accounts"
    verbose_name = "Email"
    default_auto_field = "django.db.models.BigAutoField"
    periodic_tasks = {
        "email_accounts.sync_all": ("Email: sync every mailbox (every 5 minutes)", 5),
    }
    timeline_sources = ("email_accounts.timeline.EMAIL",)
    plan_usage = {"mailboxes": "email_accounts.services.mailboxes_used"}

    def ready(self):
        from integrations import push as framework_push
        from integrations.signals import on_connect

        from . import gmail_push, outlook_push, services, tasks

        on_connect("email_accounts", services.connect_from_credential, tasks.sync_account)
        framework_push.register(gmail_push.KIND)
        framework_push.register(outlook_push.KIND)
