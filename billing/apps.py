from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"
    default_auto_field = "django.db.models.BigAutoField"
    periodic_tasks = {
        "billing.end_grace_periods": (
            "Billing: workspaces whose grace period ended fall back to Free (hourly)",
            60,
        ),
    }

    settings_panel = "billing.pages.panel"
    settings_notices = "billing.services.notices"

    def ready(self):
        from integrations import webhooks

        from . import webhooks as billing_webhooks

        webhooks.register(billing_webhooks.PROVIDER, billing_webhooks.process)
