from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"
    default_auto_field = "django.db.models.BigAutoField"
    periodic_tasks = {
        "payments.sync_all": ("Payments: sync every Stripe account (every 5 minutes)", 5),
    }
    timeline_sources = ("payments.timeline.PAYMENT",)

    def ready(self):
        from integrations import webhooks
        from integrations.signals import on_connect

        from . import services, tasks
        from . import webhooks as payments_webhooks

        on_connect("payments", services.make_account, tasks.sync_account)
        webhooks.register(payments_webhooks.PROVIDER, payments_webhooks.process)
