from django.apps import AppConfig


class OutboundWebhooksConfig(AppConfig):
    name = "outbound_webhooks"
    verbose_name = "Outbound webhooks"
    default_auto_field = "django.db.models.BigAutoField"
    settings_notices = "outbound_webhooks.services.disabled_notices"
    metrics_collectors = ("outbound_webhooks.metrics.collect",)
    periodic_tasks = {
        "outbound_webhooks.deliver_due": ("Deliver due webhook events", 1),
        "outbound_webhooks.prune": ("Forget old webhook deliveries", 24 * 60),
    }

    def ready(self):
        from . import fan_out

        fan_out.connect_receiver()
